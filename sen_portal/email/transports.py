"""Transports deliver an EmailMessage; they classify failures for the outbox.

``TransientSendError`` means "try again later" (server down, rate limited);
``PermanentSendError`` means retrying cannot help (bad address, bad API key).
"""

from __future__ import annotations

import http.client
import smtplib
import ssl
import time
import uuid
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from sen_portal.config import Settings
from sen_portal.email.message import EmailMessage


class TransientSendError(Exception):
    """Delivery failed for now; the outbox retries with backoff."""


class PermanentSendError(Exception):
    """Delivery can never succeed as is; the outbox dead-letters the message."""


class Transport(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Deliver ``message`` and return the provider's message id."""
        ...


def to_mime(message: EmailMessage, *, sender: str) -> MimeMessage:
    mime = MimeMessage()
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(localtime=False)
    mime["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].rstrip(">") or "localhost")
    for name, value in message.headers.items():
        mime[name] = value
    mime.set_content(message.text)
    mime.add_alternative(message.html, subtype="html")
    return mime


def _mime_or_permanent(message: EmailMessage, *, sender: str) -> MimeMessage:
    """``to_mime``, with an unencodable message (a line break in a subject or header) classed as permanent.

    Without this the ValueError escapes the transport: the outbox cannot classify it and
    a single bad row would be retried forever (and it is exactly what header injection
    through a user-supplied name looks like).
    """
    try:
        return to_mime(message, sender=sender)
    except (ValueError, TypeError) as error:
        raise PermanentSendError(f"message cannot be encoded: {error}") from error


class FileTransport:
    """Writes one .eml file per message: the development mailbox."""

    def __init__(self, directory: Path, sender: str) -> None:
        self.directory = directory
        self.sender = sender

    def send(self, message: EmailMessage) -> str:
        mime = _mime_or_permanent(message, sender=self.sender)
        self.directory.mkdir(parents=True, exist_ok=True)
        # Time-ordered names keep the mailbox listing newest-last without parsing.
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.eml"
        temporary = self.directory / f".{name}.tmp"
        temporary.write_bytes(bytes(mime))
        temporary.replace(self.directory / name)  # atomic: readers never see half a file
        return name


class SmtpTransport:
    def __init__(self, settings: Settings, *, timeout: float = 20.0, ssl_context: ssl.SSLContext | None = None) -> None:
        """``ssl_context`` defaults to the system trust store; tests pass one that trusts their own CA."""
        self.settings = settings
        self.timeout = timeout
        self.ssl_context = ssl_context

    def send(self, message: EmailMessage) -> str:
        s = self.settings
        mime = _mime_or_permanent(message, sender=s.mail_from)
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout) as client:
                if s.smtp_starttls:
                    client.starttls(context=self.ssl_context or ssl.create_default_context())
                if s.smtp_username:
                    client.login(s.smtp_username, s.smtp_password)
                client.send_message(mime)
        except smtplib.SMTPResponseException as error:
            # 4xx replies are temporary by definition (RFC 5321); 5xx are final.
            if 400 <= error.smtp_code < 500:
                raise TransientSendError(f"SMTP {error.smtp_code}") from error
            raise PermanentSendError(f"SMTP {error.smtp_code}: {_decode(error.smtp_error)}") from error
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(400 <= code < 500 for code in codes):
                raise TransientSendError(f"SMTP recipients refused {codes}") from error
            raise PermanentSendError(f"SMTP recipient refused {codes}") from error
        except (OSError, smtplib.SMTPException) as error:
            raise TransientSendError(f"SMTP unavailable: {type(error).__name__}") from error
        return str(mime["Message-ID"])


def _decode(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else value


class SendGridTransport:
    """SendGrid v3 mail send, with click and open tracking off (account emails carry links)."""

    def __init__(self, settings: Settings, *, timeout: float = 20.0) -> None:
        from sendgrid import SendGridAPIClient

        self.settings = settings
        # python-http-client has no timeout by default: a stalled API would hang the sender for ever.
        self.timeout = timeout
        self.client = SendGridAPIClient(api_key=settings.sendgrid_api_key, host=settings.sendgrid_api_url)

    def payload(self, message: EmailMessage) -> dict:
        from email.utils import parseaddr

        name, address = parseaddr(self.settings.mail_from)
        sender: dict[str, str] = {"email": address}
        if name:
            sender["name"] = name
        body: dict = {
            "personalizations": [{"to": [{"email": message.to}]}],
            "from": sender,
            "subject": message.subject,
            "content": [
                {"type": "text/plain", "value": message.text},
                {"type": "text/html", "value": message.html},
            ],
            "tracking_settings": {
                "click_tracking": {"enable": False, "enable_text": False},
                "open_tracking": {"enable": False},
            },
            "categories": [message.category],
        }
        if message.headers:
            body["headers"] = dict(message.headers)
        return body

    def send(self, message: EmailMessage) -> str:
        from python_http_client import exceptions as http_errors

        try:
            response = self.client.client.mail.send.post(request_body=self.payload(message), timeout=self.timeout)
        except http_errors.HTTPError as error:
            status = error.status_code
            if status == 429 or status >= 500:
                raise TransientSendError(f"SendGrid {status}") from error
            raise PermanentSendError(f"SendGrid {status}: {_decode(error.body)[:500]}") from error
        except (OSError, http.client.HTTPException) as error:
            # HTTPException: the connection broke mid-answer (IncompleteRead, BadStatusLine).
            raise TransientSendError(f"SendGrid unreachable: {type(error).__name__}") from error
        return response.headers.get("X-Message-Id", "") or ""


def transport_for(settings: Settings) -> Transport:
    if settings.mail_backend == "smtp":
        return SmtpTransport(settings)
    if settings.mail_backend == "sendgrid":
        return SendGridTransport(settings)
    return FileTransport(settings.mail_dir, settings.mail_from)
