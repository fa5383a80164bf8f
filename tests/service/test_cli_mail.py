"""The mail commands, run the way an operator runs them: a subprocess configured by environment variables.

A subprocess is also the honest way round ``get_settings()`` being cached per process. The SMTP
server requires STARTTLS; the subprocess trusts the test CA through ``SSL_CERT_FILE``, which
OpenSSL reads for the default trust store that ``ssl.create_default_context()`` loads.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

import sen_portal.config
from sen_portal.db import make_engine, session_scope
from sen_portal.email.message import EmailMessage
from sen_portal.models import OutboxMessage, OutboxStatus
from sen_portal.services.platform.outbox import enqueue
from tests.conftest import PROJECT_ROOT, migrate
from tests.mail_servers import SMTP_USERNAME, SmtpTestServer, base_env

pytestmark = pytest.mark.service

# Every key settings_from_env reads, so a value in the developer's shell cannot leak into a test.
SETTINGS_KEYS = set(re.findall(r"""env, ["']([A-Z_]+)["']""", Path(sen_portal.config.__file__).read_text()))


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key not in SETTINGS_KEYS}
    environment |= base_env(tmp_path) | env
    return subprocess.run(
        [sys.executable, "-m", "sen_portal.cli", *args],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_keys_were_found() -> None:
    assert {"DATABASE_URL", "MAIL_BACKEND", "SMTP_HOST", "PORT", "SECRET_KEY"} <= SETTINGS_KEYS


def test_send_test_email_delivers_over_smtp(smtp_server: SmtpTestServer, tmp_path: Path) -> None:
    result = run_cli(
        tmp_path,
        "send-test-email",
        "it-officer@example.gov.uk",
        **smtp_server.env(),
        SSL_CERT_FILE=str(smtp_server.ca_file),
    )

    assert result.returncode == 0, result.stderr
    assert "Sent a test email to it-officer@example.gov.uk with smtp" in result.stdout
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["it-officer@example.gov.uk"]
    assert mail.tls and mail.login == SMTP_USERNAME
    assert mail.message["Subject"] == "Test email from the SEN Professional Portal"
    assert mail.message["Message-ID"] in result.stdout
    content_types = {part.get_content_type() for part in mail.message.walk()}
    assert {"text/plain", "text/html"} <= content_types


def test_send_test_email_reports_a_server_that_is_down(smtp_server: SmtpTestServer, tmp_path: Path) -> None:
    smtp_server.stop()

    result = run_cli(
        tmp_path,
        "send-test-email",
        "it-officer@example.gov.uk",
        **smtp_server.env(),
        SSL_CERT_FILE=str(smtp_server.ca_file),
    )

    assert result.returncode == 1
    assert "Could not send: SMTP unavailable" in result.stderr


def test_a_configuration_error_names_the_key(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "send-test-email", "a@example.org", MAIL_BACKEND="carrier-pigeon")

    assert result.returncode == 2
    assert "Configuration error: MAIL_BACKEND" in result.stderr
    assert "Traceback" not in result.stderr


def test_outbox_worker_once_sends_what_is_pending(smtp_server: SmtpTestServer, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    migrate(url)
    engine = make_engine(url)
    addresses = [f"parent{i}@example.org" for i in range(3)]
    with session_scope(engine) as session:
        for address in addresses:
            enqueue(session, EmailMessage(to=address, subject="s", text="t", html="<p>h</p>", category="test"))
        session.add(  # already dead-lettered: must stay untouched
            OutboxMessage(
                to_address="dead@example.org",
                subject="s",
                text_body="t",
                html_body="h",
                category="test",
                status=OutboxStatus.DEAD,
                next_attempt_at=datetime(2020, 1, 1, tzinfo=UTC),
            )
        )
    env = smtp_server.env(DATABASE_URL=url, SSL_CERT_FILE=str(smtp_server.ca_file))

    first = run_cli(tmp_path, "outbox-worker", "--once", **env)
    second = run_cli(tmp_path, "outbox-worker", "--once", **env)

    assert first.returncode == 0, first.stderr
    assert "outbox: sent 3, retrying 0, dead 0" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "outbox:" not in second.stdout  # nothing left to do
    assert sorted(to for mail in smtp_server.messages for to in mail.rcpt_tos) == addresses
    with Session(engine) as session:
        by_address = {row.to_address: row for row in session.exec(select(OutboxMessage))}
    assert all(by_address[address].status == OutboxStatus.SENT for address in addresses)
    assert {by_address[address].provider_message_id for address in addresses} == {
        mail.message["Message-ID"] for mail in smtp_server.messages
    }
    assert by_address["dead@example.org"].status == OutboxStatus.DEAD
    engine.dispose()


def test_create_user_makes_a_staff_account_and_queues_its_set_password_link(tmp_path: Path) -> None:
    from sen_portal.models import UserAccount

    url = f"sqlite:///{tmp_path / 'staff.db'}"
    migrate(url)

    created = run_cli(
        tmp_path, "create-user", "Case.Worker@Council.example.gov.uk", "--role", "caseworker", DATABASE_URL=url
    )
    again = run_cli(tmp_path, "create-user", "case.worker@council.example.gov.uk", "--role", "admin", DATABASE_URL=url)
    wrong_role = run_cli(tmp_path, "create-user", "x@council.example.gov.uk", "--role", "superuser", DATABASE_URL=url)

    assert created.returncode == 0, created.stderr
    assert "caseworker" in created.stdout
    assert again.returncode == 1 and "Could not create the account" in again.stderr
    assert wrong_role.returncode != 0
    engine = make_engine(url)
    with Session(engine) as session:
        [user] = session.exec(select(UserAccount)).all()
        [mail] = session.exec(select(OutboxMessage)).all()
    engine.dispose()
    assert (user.email, user.role, user.password_hash) == ("case.worker@council.example.gov.uk", "caseworker", None)
    assert user.email_verified_at is not None
    assert mail.to_address == user.email and "/reset-password?token=" in mail.text_body
