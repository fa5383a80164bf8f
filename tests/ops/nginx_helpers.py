"""Debian's nginx with the shipped site (deploy/templates/nginx-site.conf) for tests: a self-signed
certificate, a minimal main nginx.conf that includes the site the way Debian's includes
sites-enabled/*, and a private nginx in the foreground on the test's ports."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from sen_portal.operations.deploy_render import DEFAULT_CONFIG, read_config, render_all
from tests.conftest import PROJECT_ROOT
from tests.mail_servers import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def deploy_config(folder: Path, **overrides: str) -> dict[str, str]:
    """deploy.conf as shipped, pointed at this checkout and a test folder."""
    config = read_config(DEFAULT_CONFIG)
    config.update(
        {
            "SEN_DOMAIN": "localhost",
            "SEN_USER": "root",
            "SEN_GROUP": "root",
            "SEN_APP_DIR": str(PROJECT_ROOT),
            "SEN_ENV_FILE": str(folder / "sen-portal.env"),
            "SEN_DATA_DIR": str(folder / "data"),
            "SEN_BACKUP_DIR": str(folder / "backups"),
            "SEN_WEB_PORTS": "18001 18002",
            "SEN_HTTP_PORT": "18080",
            "SEN_HTTPS_PORT": "18443",
            "SEN_TLS_CERT": str(folder / "cert.pem"),
            "SEN_TLS_KEY": str(folder / "key.pem"),
            **overrides,
        }
    )
    return config


def self_signed_certificate(folder: Path) -> None:
    key, cert = str(folder / "key.pem"), str(folder / "cert.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert],
        check=True,
        capture_output=True,
    )  # fmt: skip


def nginx_main_config(folder: Path, site: Path) -> Path:
    """A minimal nginx.conf including the site. As root the workers run as root too: the test's
    folders are private to root, and nginx's default worker user (nobody) could not read them."""
    temp = folder / "nginx-temp"
    temp.mkdir(exist_ok=True)
    paths = " ".join(
        f"{kind}_temp_path {temp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(
        f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'nginx-error.log'} warn;\n"
        f"events {{ worker_connections 256; }}\n"
        f"http {{\n  access_log {folder / 'nginx-access.log'};\n  {paths}\n  include {site};\n}}\n"
    )
    return config


class PrivateNginx:
    """The shipped site rendered for the given worker ports, served by a private nginx on free ports."""

    def __init__(
        self, folder: Path, worker_ports: list[int], *, https_port: int = 0, backup_ports: tuple[int, ...] = ()
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.https_port = https_port or free_port()
        config = deploy_config(
            folder,
            SEN_WEB_PORTS=" ".join(str(port) for port in worker_ports),
            SEN_HTTPS_PORT=str(self.https_port),
            SEN_HTTP_PORT=str(free_port()),
        )
        self_signed_certificate(folder)
        site = folder / "nginx-site.conf"
        text = next(r.text for r in render_all(config, max_file_mb=20) if r.name == "nginx-site.conf")
        for port in backup_ports:  # a test's choice of which worker serves first; the rest is as shipped
            text = text.replace(f"server 127.0.0.1:{port};", f"server 127.0.0.1:{port} backup;")
        site.write_text(text)
        self.error_log = folder / "nginx-error.log"
        main = nginx_main_config(folder, site)
        self.process = subprocess.Popen(
            [NGINX, "-c", str(main), "-p", str(folder), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while not (folder / "nginx.pid").exists():
            assert self.process.poll() is None, self.process.stderr.read().decode() if self.process.stderr else ""
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)

    @property
    def url(self) -> str:
        # Not "localhost": on https Reflex's page script sends a localhost page's websocket to port 443.
        return f"https://127.0.0.1:{self.https_port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
