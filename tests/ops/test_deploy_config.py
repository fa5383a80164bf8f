"""deploy/: the shipped templates render from deploy.conf, and the real tools accept the result.

This is deploy/README.md's "render, then check" step done by a machine: Debian's nginx (`make
nginx` installs it, as `make chromium` installs the browser) runs ``nginx -t`` on the rendered site
with a self-signed certificate, and ``systemd-analyze verify`` checks every unit where systemd is
installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sen_portal.operations.deploy_render import (
    DeployConfigError,
    fill,
    read_config,
    render_all,
)
from tests.conftest import PROJECT_ROOT
from tests.ops.nginx_helpers import NGINX, deploy_config, nginx_main_config, self_signed_certificate

pytestmark = pytest.mark.ops

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def config_file(tmp_path: Path, **overrides: str) -> Path:
    path = tmp_path / "deploy.conf"
    path.write_text("".join(f"{key}={value}\n" for key, value in deploy_config(tmp_path, **overrides).items()))
    return path


def render(tmp_path: Path, *extra: str) -> Path:
    output = tmp_path / "rendered"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sen_portal.cli",
            "render-deploy",
            "--config",
            str(config_file(tmp_path)),
            "--output",
            str(output),
            *extra,
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return output


def test_rendered_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    (tmp_path / "sen-portal.env").write_text("MAX_FILE_MB=30\n")
    self_signed_certificate(tmp_path)
    site = render(tmp_path) / "nginx-site.conf"
    text = "\n".join(line.split("#", 1)[0] for line in site.read_text().splitlines())  # directives only

    assert "@" not in text, "a placeholder was left unrendered"
    assert "server 127.0.0.1:18001;" in text and "server 127.0.0.1:18002;" in text
    assert "client_max_body_size 35m;" in text  # MAX_FILE_MB from the portal's env file, plus the envelope
    assert "$proxy_add_x_forwarded_for" not in text  # overwritten, never appended
    assert text.count("proxy_set_header X-Forwarded-For $remote_addr;") == text.count("proxy_pass ")
    assert "return 301 https://localhost:18443$request_uri;" in text

    result = subprocess.run(
        [NGINX, "-t", "-c", str(nginx_main_config(tmp_path, site)), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_t_would_catch_a_broken_site(tmp_path: Path) -> None:
    """The check above can fail: a site naming a certificate that is not there is refused."""
    site = render(tmp_path) / "nginx-site.conf"  # no certificate made
    result = subprocess.run(
        [NGINX, "-t", "-c", str(nginx_main_config(tmp_path, site)), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "cert.pem" in result.stderr


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed here")
def test_rendered_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    output = render(tmp_path)
    (tmp_path / "sen-portal.env").write_text("")
    # A template unit is verified as one of its instances, as systemd will start it.
    instance = output / "sen-portal-web@18001.service"
    instance.write_text((output / "sen-portal-web@.service").read_text())
    units = sorted(path.name for path in output.glob("sen-portal-*") if path.name != "sen-portal-web@.service")
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", *(f"./{unit}" for unit in units)],
        cwd=output,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # warnings are problems too
    web = instance.read_text()
    assert "-m sen_portal.serve --port %i --host 127.0.0.1" in web
    assert f"WorkingDirectory={PROJECT_ROOT}" in web


def test_missing_value_and_unknown_placeholder_are_named(tmp_path: Path) -> None:
    config = read_config(config_file(tmp_path))
    del config["SEN_DOMAIN"]
    with pytest.raises(DeployConfigError, match="SEN_DOMAIN"):
        render_all(config, max_file_mb=20)
    with pytest.raises(DeployConfigError, match="NOT_A_VALUE"):
        fill("server_name @NOT_A_VALUE@;", {"DOMAIN": "x"}, name="site")
    config = read_config(config_file(tmp_path, SEN_APP_DIR="relative/path"))
    with pytest.raises(DeployConfigError, match="SEN_APP_DIR must be an absolute path"):
        render_all(config, max_file_mb=20)


def test_the_production_env_example_is_valid_once_filled_in() -> None:
    import re

    from dotenv import dotenv_values

    from sen_portal.config import settings_from_env

    example = PROJECT_ROOT / "deploy" / "env.production.example"
    values = {key: value or "" for key, value in dotenv_values(example).items()}
    placeholders = [key for key, value in values.items() if re.search(r"<[^>]+>", value)]
    assert "SECRET_KEY" in placeholders and "DATABASE_URL" in placeholders  # the operator must fill these
    filled = {key: re.sub(r"<[^>]+>", "x" * 48, value) for key, value in values.items()}
    filled["DOCUMENT_STORE_DIR"] = "/srv/sen-portal/data/documents"
    settings = settings_from_env(filled)
    assert settings.public_url.startswith("https://") and not settings.is_local
    assert settings.trusted_proxy_hops == 1 and settings.outbox_in_app is False
    assert settings.redis_url and settings.database_url.startswith("postgresql")
