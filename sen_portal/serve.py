"""Serve the front end built once by ``make build``, without building it again.

``reflex run --env prod`` compiles and rebuilds the front end every time it starts, and each build
gets new chunk names: a page opened before a restart (or served by another worker, or another host)
then asks for a route module that no longer exists, and Reflex reloads it in place, back where it
was, with nothing said. Built once per release and served by every worker, restart and host, a page
always finds the chunks it was given.

    make build                                  # once per release (PUBLIC_URL as in production)
    python -m sen_portal.serve --port 8001      # each worker; refuses to start without a build
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

BUILD_MARKER = Path(".web") / "build" / "client" / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sen_portal.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    args = parser.parse_args(argv)
    if not BUILD_MARKER.is_file():
        sys.stderr.write(f"No front-end build in {BUILD_MARKER.parent}: run `make build` first.\n")
        return 2

    from reflex.utils import exec as reflex_exec
    from reflex_base import constants
    from reflex_base.config import get_config
    from reflex_base.environment import environment

    # What `reflex run --env prod --single-port` sets up, minus the compile and the build.
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    config = get_config()
    config._set_persistent(frontend_port=args.port, backend_port=args.port)
    reflex_exec.run_backend_prod(
        args.host, args.port, config.loglevel.subprocess_level(), mount_frontend_compiled_app=True
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
