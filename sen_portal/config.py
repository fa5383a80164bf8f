"""One Settings object, read from the environment and an optional ``.env`` file.

Every key is documented in ``.env.example``. Bad values fail at start with a
message that names the key, so a council IT officer sees *what* to fix rather
than a traceback from deep inside the app.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"

# The development default. It is refused anywhere but a local machine so a
# deployment can never run with a secret that is published in the repository.
DEV_SECRET_KEY = "dev-only-secret-key-change-me-0123456789abcdef"  # noqa: S105 - refused outside dev

MAIL_BACKENDS = ("file", "smtp", "sendgrid")
ADDRESS_PROVIDERS = ("database", "os_places")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the key."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    public_url: str
    secret_key: str
    mail_backend: str
    mail_from: str
    mail_dir: Path
    smtp_host: str
    smtp_port: int
    smtp_username: str
    smtp_password: str = field(repr=False)
    smtp_starttls: bool
    sendgrid_api_key: str = field(repr=False)
    sendgrid_api_url: str
    document_store_dir: Path
    redis_url: str
    council_name: str
    service_name: str
    address_provider: str
    os_places_api_key: str = field(repr=False)
    os_places_api_url: str
    session_idle_minutes: int
    session_absolute_hours: int
    outbox_in_app: bool
    trusted_proxy_hops: int
    demo_data: bool
    require_totp_for_staff: bool
    # Document uploads (services.documents). Defaults so code that builds Settings by hand keeps working.
    max_file_mb: int = 20
    max_files_per_referral: int = 10
    max_referral_mb: int = 60
    # Every account: total of files waiting in drafts and unsent messages; less before approval.
    max_account_upload_mb: int = 200
    max_unapproved_upload_mb: int = 20
    # Housekeeping deletes a draft request (and its files) untouched for this many days; the owner is
    # emailed 14 days before (services.referrals.draft_retention).
    draft_retention_days: int = 180
    # clamd address: an absolute unix socket path or host:port; "" = no virus scanning.
    clamd_socket: str = ""
    # New professional accounts wait for staff approval before they can send requests.
    account_vetting: bool = True
    # Where "a portal message is waiting" emails for the SEN team go; "" = every active staff account.
    sen_team_email: str = ""
    # The address the web server listens on (rxconfig's backend_host). Loopback by default, so a
    # development portal (and its /dev/mailbox) is not reachable from the office network.
    bind_address: str = "127.0.0.1"
    # Bearer token for /metrics from other hosts; "" = loopback only (sen_portal/api/metrics.py).
    metrics_token: str = field(default="", repr=False)
    # Threads hashing and checking passwords (bcrypt, ~0.3 s of CPU each); 0 = one fewer than the
    # cores, at least 1, so sign-ins can never take every core the pages need (state.password_pool).
    password_workers: int = 0

    @property
    def is_local(self) -> bool:
        """True when the portal is only reachable from this machine (development)."""
        return (urlparse(self.public_url).hostname or "") in LOCAL_HOSTS

    @property
    def mailbox_enabled(self) -> bool:
        """The /dev/mailbox page exists only with the file backend."""
        return self.mail_backend == "file"


def _raw(env: dict[str, str], key: str) -> str | None:
    """The value, or None when unset or blank (a copied .env.example leaves keys empty)."""
    value = env.get(key)
    return value.strip() if value is not None and value.strip() else None


def _text(env: dict[str, str], key: str, default: str) -> str:
    value = _raw(env, key)
    return default if value is None else value


def _int(env: dict[str, str], key: str, default: int, *, low: int, high: int) -> int:
    raw = _raw(env, key) or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{key} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{key} must be between {low} and {high}, got {value}")
    return value


def _bool(env: dict[str, str], key: str, default: bool) -> bool:
    raw = _raw(env, key)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{key} must be true or false, got {raw!r}")


def _choice(env: dict[str, str], key: str, default: str, choices: tuple[str, ...]) -> str:
    value = _text(env, key, default).lower()
    if value not in choices:
        raise SettingsError(f"{key} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _url(env: dict[str, str], key: str, default: str) -> str:
    value = _text(env, key, default).rstrip("/")
    parsed = urlparse(value)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise SettingsError(f"{key} must be an http(s) URL such as https://portal.example.gov.uk, got {value!r}")
    return value


def _scheme(url: str) -> str:
    """Only the scheme of a URL, for error messages: database and Redis URLs carry passwords."""
    return url.split("://", 1)[0] if "://" in url else "no scheme"


def _database_url(env: dict[str, str]) -> str:
    default = f"sqlite:///{VAR_DIR / 'sen_portal.db'}"
    value = _text(env, "DATABASE_URL", default)
    if not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
        raise SettingsError(f"DATABASE_URL must start with sqlite:// or postgresql://, got {_scheme(value)!r}")
    return value


def _path(env: dict[str, str], key: str, default: Path) -> Path:
    value = _text(env, key, "")
    path = Path(value) if value else default
    return path if path.is_absolute() else PROJECT_ROOT / path


def _clamd_socket(env: dict[str, str]) -> str:
    """An absolute unix socket path, or host:port (IPv6 as [::1]:3310); blank means no scanning."""
    value = _text(env, "CLAMD_SOCKET", "")
    if not value or value.startswith("/"):
        return value
    host, _, port = value.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise SettingsError(
            f"CLAMD_SOCKET must be an absolute unix socket path such as /run/clamav/clamd.ctl "
            f"or host:port such as 127.0.0.1:3310, got {value!r}"
        )
    return value


def _ip(env: dict[str, str], key: str, default: str) -> str:
    value = _text(env, key, default)
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise SettingsError(f"{key} must be an IP address such as 127.0.0.1 or 0.0.0.0, got {value!r}") from None
    return value


def settings_from_env(env: dict[str, str]) -> Settings:
    """Build and check Settings from a mapping (the environment, in production)."""
    # Locally the public URL follows PORT, so `make run PORT=8080` needs nothing else.
    public_url = _url(env, "PUBLIC_URL", f"http://localhost:{_int(env, 'PORT', 3000, low=1, high=65535)}")
    mail_backend = _choice(env, "MAIL_BACKEND", "file", MAIL_BACKENDS)
    settings = Settings(
        database_url=_database_url(env),
        public_url=public_url,
        secret_key=_text(env, "SECRET_KEY", DEV_SECRET_KEY),
        mail_backend=mail_backend,
        mail_from=_text(env, "MAIL_FROM", "SEN Portal <no-reply@localhost>"),
        mail_dir=_path(env, "MAIL_DIR", VAR_DIR / "mail"),
        smtp_host=_text(env, "SMTP_HOST", "localhost"),
        smtp_port=_int(env, "SMTP_PORT", 587, low=1, high=65535),
        smtp_username=_text(env, "SMTP_USERNAME", ""),
        smtp_password=env.get("SMTP_PASSWORD", ""),
        smtp_starttls=_bool(env, "SMTP_STARTTLS", True),
        sendgrid_api_key=_text(env, "SENDGRID_API_KEY", ""),
        sendgrid_api_url=_url(env, "SENDGRID_API_URL", "https://api.sendgrid.com"),
        document_store_dir=_path(env, "DOCUMENT_STORE_DIR", VAR_DIR / "documents"),
        redis_url=_text(env, "REDIS_URL", ""),
        council_name=_text(env, "COUNCIL_NAME", "Stoke-on-Trent City Council"),
        service_name=_text(env, "SERVICE_NAME", "SEN Professional Portal"),
        address_provider=_choice(env, "ADDRESS_PROVIDER", "database", ADDRESS_PROVIDERS),
        os_places_api_key=_text(env, "OS_PLACES_API_KEY", ""),
        os_places_api_url=_url(env, "OS_PLACES_API_URL", "https://api.os.uk/search/places/v1"),
        session_idle_minutes=_int(env, "SESSION_IDLE_MINUTES", 30, low=1, high=24 * 60),
        session_absolute_hours=_int(env, "SESSION_ABSOLUTE_HOURS", 12, low=1, high=24 * 7),
        outbox_in_app=_bool(env, "OUTBOX_IN_APP", True),
        trusted_proxy_hops=_int(env, "TRUSTED_PROXY_HOPS", 0, low=0, high=5),
        demo_data=_bool(env, "DEMO_DATA", True),
        require_totp_for_staff=_bool(env, "REQUIRE_TOTP_FOR_STAFF", False),
        max_file_mb=_int(env, "MAX_FILE_MB", 20, low=1, high=500),
        max_files_per_referral=_int(env, "MAX_FILES_PER_REFERRAL", 10, low=1, high=100),
        max_referral_mb=_int(env, "MAX_REFERRAL_MB", 60, low=1, high=5000),
        max_account_upload_mb=_int(env, "MAX_ACCOUNT_UPLOAD_MB", 200, low=1, high=100000),
        max_unapproved_upload_mb=_int(env, "MAX_UNAPPROVED_UPLOAD_MB", 20, low=1, high=100000),
        # At least 15: the owner's warning goes out 14 days before the deletion.
        draft_retention_days=_int(env, "DRAFT_RETENTION_DAYS", 180, low=15, high=3650),
        clamd_socket=_clamd_socket(env),
        account_vetting=_bool(env, "ACCOUNT_VETTING", True),
        sen_team_email=_text(env, "SEN_TEAM_EMAIL", ""),
        bind_address=_ip(env, "BIND_ADDRESS", "127.0.0.1"),
        metrics_token=_text(env, "METRICS_TOKEN", ""),
        password_workers=_int(env, "PASSWORD_WORKERS", 0, low=0, high=64),
    )
    _check_consistency(settings)
    return settings


def _check_consistency(settings: Settings) -> None:
    if len(settings.secret_key) < 32:
        raise SettingsError(
            "SECRET_KEY must be at least 32 characters "
            "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    if settings.secret_key == DEV_SECRET_KEY and not settings.is_local:
        raise SettingsError(
            "SECRET_KEY is the development default; set a secret of your own when PUBLIC_URL is not localhost"
        )
    if settings.mail_backend == "sendgrid" and not settings.sendgrid_api_key:
        raise SettingsError("SENDGRID_API_KEY is required when MAIL_BACKEND=sendgrid")
    if settings.redis_url and not settings.redis_url.startswith(("redis://", "rediss://")):
        raise SettingsError(f"REDIS_URL must start with redis:// or rediss://, got {_scheme(settings.redis_url)!r}")
    if settings.address_provider == "os_places" and not settings.os_places_api_key:
        raise SettingsError("OS_PLACES_API_KEY is required when ADDRESS_PROVIDER=os_places")
    if settings.max_referral_mb < settings.max_file_mb:
        raise SettingsError(
            f"MAX_REFERRAL_MB ({settings.max_referral_mb}) must be at least MAX_FILE_MB ({settings.max_file_mb})"
        )
    _check_document_store_is_private(settings.document_store_dir)
    if settings.metrics_token and len(settings.metrics_token) < 32:
        raise SettingsError("METRICS_TOKEN must be at least 32 characters (or blank for loopback-only /metrics)")


def _check_document_store_is_private(store: Path) -> None:
    # Reflex serves assets/, the built .web/ and its upload dir to anyone, without sign-in.
    public = [PROJECT_ROOT / "assets", PROJECT_ROOT / ".web", PROJECT_ROOT / "uploaded_files"]
    if reflex_uploads := os.environ.get("REFLEX_UPLOADED_FILES_DIR"):
        public.append(Path(reflex_uploads))
    resolved = store.resolve()
    for folder in public:
        folder = folder.resolve()
        if resolved == folder or resolved.is_relative_to(folder) or folder.is_relative_to(resolved):
            raise SettingsError(
                f"DOCUMENT_STORE_DIR must not be inside (or contain) {folder}: the portal serves that folder publicly"
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; ``.env`` fills in what the environment does not set."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    return settings_from_env(dict(os.environ))
