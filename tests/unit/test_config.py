"""Settings: safe defaults with no configuration, and every bad value named by its key."""

from __future__ import annotations

import pytest

from sen_portal.config import DEV_SECRET_KEY, PROJECT_ROOT, SettingsError, settings_from_env

pytestmark = pytest.mark.unit

GOOD_SECRET = "x" * 48


def test_defaults_need_no_configuration() -> None:
    settings = settings_from_env({})

    assert settings.public_url == "http://localhost:3000"
    assert settings.is_local
    assert settings.database_url.startswith("sqlite:///")
    assert settings.mail_backend == "file"
    assert settings.mailbox_enabled
    assert settings.mail_dir.is_absolute() and settings.mail_dir.is_relative_to(PROJECT_ROOT)
    assert settings.smtp_port == 587 and settings.smtp_starttls
    assert settings.sendgrid_api_url == "https://api.sendgrid.com"
    assert settings.secret_key == DEV_SECRET_KEY
    assert settings.session_idle_minutes == 30 and settings.session_absolute_hours == 12


def test_blank_values_mean_default() -> None:
    """A copied .env.example leaves many keys empty; they must not count as set."""
    settings = settings_from_env({"SECRET_KEY": "", "MAIL_BACKEND": "  ", "SMTP_PORT": "", "DATABASE_URL": ""})

    assert settings.secret_key == DEV_SECRET_KEY
    assert settings.mail_backend == "file"
    assert settings.smtp_port == 587


def test_public_url_follows_port_locally() -> None:
    assert settings_from_env({"PORT": "8080"}).public_url == "http://localhost:8080"


def test_secrets_are_kept_out_of_repr() -> None:
    settings = settings_from_env({"SMTP_PASSWORD": "hunter2-smtp", "SENDGRID_API_KEY": "SG.very-secret"})

    assert "hunter2-smtp" not in repr(settings)
    assert "SG.very-secret" not in repr(settings)


def test_a_production_configuration_is_accepted() -> None:
    settings = settings_from_env(
        {
            "PUBLIC_URL": "https://portal.example.gov.uk/",
            "SECRET_KEY": GOOD_SECRET,
            "DATABASE_URL": "postgresql+psycopg://sen:pw@db.internal:5432/sen",
            "REDIS_URL": "rediss://:pw@cache.internal:6380/0",
            "MAIL_BACKEND": "SendGrid",
            "SENDGRID_API_KEY": "SG.key",
            "SMTP_STARTTLS": "off",
        }
    )

    assert settings.public_url == "https://portal.example.gov.uk"  # trailing slash dropped
    assert not settings.is_local
    assert settings.mail_backend == "sendgrid"
    assert not settings.mailbox_enabled
    assert settings.smtp_starttls is False


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("PORT", "abc"),
        ("PORT", "0"),
        ("PORT", "65536"),
        ("PORT", "1.5"),
        ("SMTP_PORT", "-25"),
        ("SMTP_PORT", "smtp"),
        ("SESSION_IDLE_MINUTES", "0"),
        ("SESSION_ABSOLUTE_HOURS", "1000"),
        ("TRUSTED_PROXY_HOPS", "-1"),
        ("MAIL_BACKEND", "carrier-pigeon"),
        ("ADDRESS_PROVIDER", "yellow-pages"),
        ("SMTP_STARTTLS", "maybe"),
        ("OUTBOX_IN_APP", "2"),
        ("DEMO_DATA", "sometimes"),
        ("PUBLIC_URL", "ftp://x"),
        ("PUBLIC_URL", "portal.example.gov.uk"),
        ("SENDGRID_API_URL", "api.sendgrid.com"),
        ("OS_PLACES_API_URL", "file:///etc/passwd"),
        ("DATABASE_URL", "mysql://user:pw@db/sen"),
        ("DATABASE_URL", "postgres://user:pw@db/sen"),
        ("REDIS_URL", "http://cache.internal:6379"),
        ("SECRET_KEY", "too-short"),
        ("DRAFT_RETENTION_DAYS", "14"),  # the owner's warning goes 14 days before: no room for it
    ],
)
def test_a_bad_value_is_refused_naming_its_key(key: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        settings_from_env({key: value})

    assert key in str(raised.value)


@pytest.mark.parametrize(
    ("key", "value", "secret"),
    [
        ("DATABASE_URL", "mysql://sen:db-password-123@db/sen", "db-password-123"),
        ("DATABASE_URL", "sen:db-password-123@db/sen", "db-password-123"),
        ("REDIS_URL", "http://:redis-password-123@cache:6379", "redis-password-123"),
    ],
)
def test_refusals_do_not_echo_passwords(key: str, value: str, secret: str) -> None:
    """The message reaches logs and terminals: it names the key and scheme, never the credentials."""
    with pytest.raises(SettingsError) as raised:
        settings_from_env({key: value})

    assert key in str(raised.value)
    assert secret not in str(raised.value)


def test_dev_secret_key_is_refused_outside_localhost() -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        settings_from_env({"PUBLIC_URL": "https://portal.example.gov.uk"})
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        settings_from_env({"PUBLIC_URL": "https://portal.example.gov.uk", "SECRET_KEY": DEV_SECRET_KEY})

    # ...but is fine on a developer's machine, and any long secret is fine anywhere.
    assert settings_from_env({"PUBLIC_URL": "http://127.0.0.1:3000"}).secret_key == DEV_SECRET_KEY
    assert (
        settings_from_env({"PUBLIC_URL": "https://portal.example.gov.uk", "SECRET_KEY": GOOD_SECRET}).is_local is False
    )


def test_sendgrid_backend_needs_a_key() -> None:
    with pytest.raises(SettingsError, match="SENDGRID_API_KEY"):
        settings_from_env({"MAIL_BACKEND": "sendgrid"})

    assert settings_from_env({"MAIL_BACKEND": "sendgrid", "SENDGRID_API_KEY": "SG.x"}).sendgrid_api_key == "SG.x"


def test_os_places_needs_a_key() -> None:
    with pytest.raises(SettingsError, match="OS_PLACES_API_KEY"):
        settings_from_env({"ADDRESS_PROVIDER": "os_places"})


def test_draft_retention_defaults_to_180_days() -> None:
    assert settings_from_env({}).draft_retention_days == 180
    assert settings_from_env({"DRAFT_RETENTION_DAYS": "365"}).draft_retention_days == 365
