"""Render deploy/templates with the values in deploy/deploy.conf (``make deploy-config``).

Templates use ``@NAME@`` placeholders because nginx's own ``$variables`` must pass through
untouched. A placeholder left unfilled, or a required value left out, is an error naming it,
so a rendered file can never carry a literal ``@DOMAIN@`` to a server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from sen_portal.config import PROJECT_ROOT, SettingsError, settings_from_env

DEPLOY_DIR = PROJECT_ROOT / "deploy"
TEMPLATE_DIR = DEPLOY_DIR / "templates"
DEFAULT_CONFIG = DEPLOY_DIR / "deploy.conf"
DEFAULT_OUTPUT = DEPLOY_DIR / "rendered"
# Room for the multipart envelope around one file of MAX_FILE_MB.
UPLOAD_ENVELOPE_MB = 5

REQUIRED = (
    "SEN_DOMAIN",
    "SEN_USER",
    "SEN_GROUP",
    "SEN_APP_DIR",
    "SEN_ENV_FILE",
    "SEN_DATA_DIR",
    "SEN_BACKUP_DIR",
    "SEN_WEB_PORTS",
    "SEN_WEB_BIND",
    "SEN_HTTP_PORT",
    "SEN_HTTPS_PORT",
    "SEN_TLS_CERT",
    "SEN_TLS_KEY",
    "SEN_HOUSEKEEPING_SCHEDULE",
    "SEN_BACKUP_SCHEDULE",
)
_PLACEHOLDER = re.compile(r"@([A-Z_]+)@")
_PATH_KEYS = ("SEN_APP_DIR", "SEN_ENV_FILE", "SEN_DATA_DIR", "SEN_BACKUP_DIR", "SEN_TLS_CERT", "SEN_TLS_KEY")


class DeployConfigError(ValueError):
    """A value in deploy.conf is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Rendered:
    name: str
    text: str


def read_config(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; comments and blank lines ignored; values are taken as written."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition("=")
        if not sep or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", key.strip()):
            raise DeployConfigError(f"{path.name} line {number}: expected KEY=VALUE, got {stripped!r}")
        values[key.strip()] = value.strip()
    return values


def _ports(raw: str, key: str) -> list[int]:
    ports = []
    for item in raw.replace(",", " ").split():
        if not item.isdigit() or not 1 <= int(item) <= 65535:
            raise DeployConfigError(f"{key} must be port numbers separated by spaces, got {raw!r}")
        ports.append(int(item))
    if not ports:
        raise DeployConfigError(f"{key} needs at least one port")
    return ports


def max_file_mb_from(env_file: Path | None) -> int:
    """MAX_FILE_MB as the portal will read it from its env file (the portal's default without one)."""
    env: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        env = {key: value for key, value in dotenv_values(env_file).items() if value is not None}
    try:
        return settings_from_env({"PUBLIC_URL": "http://localhost", **env}).max_file_mb
    except SettingsError as error:
        raise DeployConfigError(f"{env_file}: {error}") from None


def placeholders(config: dict[str, str], *, max_file_mb: int) -> dict[str, str]:
    """The values every template may use, checked."""
    missing = [key for key in REQUIRED if not config.get(key)]
    if missing:
        raise DeployConfigError(f"deploy.conf is missing {', '.join(missing)}")
    for key in _PATH_KEYS:
        if not config[key].startswith("/"):
            raise DeployConfigError(f"{key} must be an absolute path, got {config[key]!r}")
    web_ports = _ports(config["SEN_WEB_PORTS"], "SEN_WEB_PORTS")
    (https_port,) = _ports(config["SEN_HTTPS_PORT"], "SEN_HTTPS_PORT")
    (http_port,) = _ports(config["SEN_HTTP_PORT"], "SEN_HTTP_PORT")
    bind = config["SEN_WEB_BIND"]
    upstreams = "\n".join(f"    server {bind}:{port};" for port in web_ports)
    return {
        "DOMAIN": config["SEN_DOMAIN"],
        "USER": config["SEN_USER"],
        "GROUP": config["SEN_GROUP"],
        "APP_DIR": config["SEN_APP_DIR"].rstrip("/"),
        "ENV_FILE": config["SEN_ENV_FILE"],
        "DATA_DIR": config["SEN_DATA_DIR"].rstrip("/"),
        "BACKUP_DIR": config["SEN_BACKUP_DIR"].rstrip("/"),
        "WEB_BIND": bind,
        "WEB_PORTS": " ".join(str(port) for port in web_ports),
        "UPSTREAM_SERVERS": upstreams,
        "HTTP_PORT": str(http_port),
        "HTTPS_PORT": str(https_port),
        "HTTPS_PORT_SUFFIX": "" if https_port == 443 else f":{https_port}",
        "TLS_CERT": config["SEN_TLS_CERT"],
        "TLS_KEY": config["SEN_TLS_KEY"],
        "HOUSEKEEPING_SCHEDULE": config["SEN_HOUSEKEEPING_SCHEDULE"],
        "BACKUP_SCHEDULE": config["SEN_BACKUP_SCHEDULE"],
        "MAX_FILE_MB": str(max_file_mb),
        "CLIENT_MAX_BODY_SIZE": f"{max_file_mb + UPLOAD_ENVELOPE_MB}m",
    }


def fill(template: str, values: dict[str, str], *, name: str) -> str:
    unknown = sorted({match for match in _PLACEHOLDER.findall(template) if match not in values})
    if unknown:
        raise DeployConfigError(f"{name} uses unknown placeholders: {', '.join(unknown)}")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def render_all(config: dict[str, str], *, max_file_mb: int, template_dir: Path = TEMPLATE_DIR) -> list[Rendered]:
    values = placeholders(config, max_file_mb=max_file_mb)
    return [
        Rendered(path.name, fill(path.read_text(encoding="utf-8"), values, name=path.name))
        for path in sorted(template_dir.iterdir())
        if path.is_file()
    ]


def write_rendered(files: list[Rendered], output: Path) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for rendered in files:
        target = output / rendered.name
        target.write_text(rendered.text, encoding="utf-8")
        written.append(target)
    return written
