"""Transports against real servers: aiosmtpd (STARTTLS + AUTH), a SendGrid stand-in, and the file mailbox.

Each test checks what arrived at the server (or on disk), and how a failure is classified:
``TransientSendError`` is retried by the outbox, ``PermanentSendError`` dead-letters the message.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from email.message import EmailMessage as MimeMessage
from pathlib import Path

import pytest

from sen_portal.config import settings_from_env
from sen_portal.email.message import EmailMessage
from sen_portal.email.transports import (
    FileTransport,
    PermanentSendError,
    SendGridTransport,
    SmtpTransport,
    TransientSendError,
    transport_for,
)
from tests.mail_servers import (
    SMTP_USERNAME,
    SendGridAnswer,
    SendGridTestServer,
    SmtpTestServer,
    base_env,
)

pytestmark = pytest.mark.service

MESSAGE = EmailMessage(
    to="officer@example.gov.uk",
    subject="Your portal account",
    text="Hello Officer,\n\nPlain text part.\n",
    html="<p>Hello Officer,</p><p>HTML part.</p>",
    category="verification",
    headers={"X-Portal-Category": "verification"},
)


def _parts(message: MimeMessage) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


# --- SMTP --------------------------------------------------------------------------------


def test_smtp_delivers_over_starttls_with_auth(smtp_server: SmtpTestServer, tmp_path: Path) -> None:
    message_id = smtp_server.transport(tmp_path).send(MESSAGE)

    [mail] = smtp_server.messages
    assert mail.tls, "the message must travel over the STARTTLS-upgraded connection"
    assert mail.login == SMTP_USERNAME
    assert mail.rcpt_tos == ["officer@example.gov.uk"]
    assert mail.mail_from == "no-reply@portal.example.gov.uk"
    assert mail.message["Subject"] == "Your portal account"
    assert mail.message["From"] == "SEN Portal <no-reply@portal.example.gov.uk>"
    assert mail.message["X-Portal-Category"] == "verification"
    assert mail.message["Message-ID"] == message_id
    assert mail.message.get_content_type() == "multipart/alternative"
    parts = _parts(mail.message)
    assert "Plain text part." in parts["text/plain"]
    assert "<p>HTML part.</p>" in parts["text/html"]


def test_smtp_refuses_a_certificate_it_does_not_trust(smtp_server: SmtpTestServer, tmp_path: Path) -> None:
    """Without the test CA the system trust store is used, so the handshake must fail: no silent fallback."""
    transport = SmtpTransport(smtp_server.settings(tmp_path), timeout=5.0)

    with pytest.raises(TransientSendError, match="SSLCertVerificationError"):
        transport.send(MESSAGE)
    assert smtp_server.messages == []


def test_smtp_never_falls_back_to_plain_text_when_starttls_is_missing(
    make_smtp_server: Callable[..., SmtpTestServer], tmp_path: Path
) -> None:
    plain = make_smtp_server(tls=False)
    transport = SmtpTransport(plain.settings(tmp_path, SMTP_STARTTLS="true"), timeout=5.0)

    with pytest.raises((TransientSendError, PermanentSendError)):
        transport.send(MESSAGE)
    assert plain.messages == []


def test_smtp_without_starttls_when_configured_so(
    make_smtp_server: Callable[..., SmtpTestServer], tmp_path: Path
) -> None:
    """SMTP_STARTTLS=false (e.g. a relay on localhost) still authenticates and delivers."""
    plain = make_smtp_server(tls=False)

    plain.transport(tmp_path).send(MESSAGE)

    [mail] = plain.messages
    assert not mail.tls
    assert mail.login == SMTP_USERNAME


def test_smtp_wrong_password_is_permanent(smtp_server: SmtpTestServer, tmp_path: Path) -> None:
    with pytest.raises(PermanentSendError, match="535"):
        smtp_server.transport(tmp_path, SMTP_PASSWORD="wrong password").send(MESSAGE)
    assert smtp_server.messages == []


def test_smtp_missing_credentials_are_permanent(smtp_server: SmtpTestServer, tmp_path: Path) -> None:
    with pytest.raises(PermanentSendError, match="530"):
        smtp_server.transport(tmp_path, SMTP_USERNAME="").send(MESSAGE)
    assert smtp_server.messages == []


@pytest.mark.parametrize(("code", "error"), [("550", PermanentSendError), ("451", TransientSendError)])
def test_smtp_refused_recipient_is_classified_by_reply_code(
    smtp_server: SmtpTestServer, tmp_path: Path, code: str, error: type[Exception]
) -> None:
    refused = EmailMessage(to=f"reject-{code}@example.org", subject="s", text="t", html="<p>h</p>", category="test")

    with pytest.raises(error, match=code):
        smtp_server.transport(tmp_path).send(refused)
    assert smtp_server.messages == []


def test_smtp_server_down_is_transient_and_the_same_port_comes_back(
    smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    transport = smtp_server.transport(tmp_path)
    smtp_server.stop()

    with pytest.raises(TransientSendError, match="SMTP unavailable"):
        transport.send(MESSAGE)

    smtp_server.start()
    transport.send(MESSAGE)
    assert len(smtp_server.messages) == 1


def test_a_line_break_in_a_header_is_permanent_not_injected(smtp_server: SmtpTestServer, tmp_path: Path) -> None:
    injected = EmailMessage(
        to="officer@example.gov.uk",
        subject="Welcome Jo\r\nBcc: attacker@example.com",
        text="t",
        html="<p>h</p>",
        category="test",
    )

    with pytest.raises(PermanentSendError, match="cannot be encoded"):
        smtp_server.transport(tmp_path).send(injected)
    assert smtp_server.messages == []


# --- SendGrid ----------------------------------------------------------------------------


def test_sendgrid_payload_has_both_parts_and_no_tracking(sendgrid_server: SendGridTestServer, tmp_path: Path) -> None:
    message_id = sendgrid_server.transport(tmp_path).send(MESSAGE)

    [(server_id, body)] = sendgrid_server.delivered
    assert message_id == server_id
    assert sendgrid_server.headers[0]["Authorization"] == f"Bearer {sendgrid_server.api_key}"
    assert body["personalizations"] == [{"to": [{"email": "officer@example.gov.uk"}]}]
    assert body["from"] == {"email": "no-reply@portal.example.gov.uk", "name": "SEN Portal"}
    assert body["subject"] == "Your portal account"
    assert body["content"] == [
        {"type": "text/plain", "value": MESSAGE.text},
        {"type": "text/html", "value": MESSAGE.html},
    ]
    tracking = body["tracking_settings"]
    assert tracking["click_tracking"] == {"enable": False, "enable_text": False}
    assert tracking["open_tracking"] == {"enable": False}
    assert body["categories"] == ["verification"]
    assert body["headers"] == {"X-Portal-Category": "verification"}


@pytest.mark.parametrize(
    ("answer", "error", "reason"),
    [
        (SendGridAnswer(503), TransientSendError, "SendGrid 503"),
        (SendGridAnswer(500), TransientSendError, "SendGrid 500"),
        (SendGridAnswer(429, {"errors": [{"message": "too many requests"}]}), TransientSendError, "SendGrid 429"),
        (
            SendGridAnswer(400, {"errors": [{"message": "Does not contain a valid address.", "field": "to"}]}),
            PermanentSendError,
            "valid address",
        ),
        (SendGridAnswer(403, {"errors": [{"message": "sender not verified"}]}), PermanentSendError, "403"),
    ],
)
def test_sendgrid_failures_are_classified(
    sendgrid_server: SendGridTestServer,
    tmp_path: Path,
    answer: SendGridAnswer,
    error: type[Exception],
    reason: str,
) -> None:
    sendgrid_server.answer(answer)

    with pytest.raises(error, match=reason):
        sendgrid_server.transport(tmp_path).send(MESSAGE)
    assert len(sendgrid_server.requests) == 1
    assert sendgrid_server.delivered == []


def test_sendgrid_wrong_key_is_permanent(sendgrid_server: SendGridTestServer, tmp_path: Path) -> None:
    with pytest.raises(PermanentSendError, match="401"):
        sendgrid_server.transport(tmp_path, SENDGRID_API_KEY="SG.wrong").send(MESSAGE)
    assert sendgrid_server.delivered == []


def test_sendgrid_unreachable_is_transient(sendgrid_server: SendGridTestServer, tmp_path: Path) -> None:
    transport = sendgrid_server.transport(tmp_path)
    sendgrid_server.stop()

    with pytest.raises(TransientSendError, match="unreachable"):
        transport.send(MESSAGE)


def test_sendgrid_that_hangs_times_out_as_transient(sendgrid_server: SendGridTestServer, tmp_path: Path) -> None:
    """Without a timeout the sender would wait for ever on a stalled API (python-http-client has none)."""
    sendgrid_server.answer(SendGridAnswer(202, stall=True))

    with pytest.raises(TransientSendError):
        sendgrid_server.transport(tmp_path, timeout=0.5).send(MESSAGE)
    assert sendgrid_server.delivered == []


# --- File mailbox and choosing a transport -----------------------------------------------


def test_file_transport_writes_one_parseable_eml_per_message(tmp_path: Path) -> None:
    mailbox = tmp_path / "mail"
    transport = FileTransport(mailbox, "SEN Portal <no-reply@localhost>")
    second = EmailMessage(to="second@example.org", subject="Second", text="two", html="<p>two</p>", category="test")

    names = [transport.send(MESSAGE), transport.send(second)]

    assert sorted(path.name for path in mailbox.iterdir()) == sorted(names)  # and no temporary files left
    parsed = [email.message_from_bytes((mailbox / name).read_bytes(), policy=email.policy.default) for name in names]
    first, other = parsed
    assert isinstance(first, MimeMessage) and isinstance(other, MimeMessage)
    assert first["To"] == "officer@example.gov.uk"
    assert first["From"] == "SEN Portal <no-reply@localhost>"
    assert first["Subject"] == "Your portal account"
    assert first["Message-ID"]
    parts = _parts(first)
    assert set(parts) == {"text/plain", "text/html"}
    assert "Plain text part." in parts["text/plain"]
    assert "<p>HTML part.</p>" in parts["text/html"]
    assert other["To"] == "second@example.org"
    assert _parts(other)["text/plain"].strip() == "two"


def test_file_transport_refuses_an_unencodable_message(tmp_path: Path) -> None:
    bad = EmailMessage(to="a@example.org", subject="a\nb", text="t", html="<p>h</p>", category="test")

    with pytest.raises(PermanentSendError):
        FileTransport(tmp_path / "mail", "portal@localhost").send(bad)
    assert not (tmp_path / "mail").exists() or list((tmp_path / "mail").iterdir()) == []


@pytest.mark.parametrize(
    ("backend", "kind"), [("file", FileTransport), ("smtp", SmtpTransport), ("sendgrid", SendGridTransport)]
)
def test_transport_for_follows_mail_backend(tmp_path: Path, backend: str, kind: type) -> None:
    settings = settings_from_env(base_env(tmp_path) | {"MAIL_BACKEND": backend, "SENDGRID_API_KEY": "SG.x"})

    assert isinstance(transport_for(settings), kind)
