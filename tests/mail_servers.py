"""Real mail servers for tests: aiosmtpd for SMTP, and a local stand-in for the SendGrid v3 API.

``smtp_server`` requires STARTTLS *and* AUTH, like a council relay: the TLS certificate
comes from a throw-away CA made with ``cryptography`` (a dependency of ``sendgrid``), and
clients trust it through ``smtp_server.client_ssl_context`` (in-process) or
``SSL_CERT_FILE=smtp_server.ca_file`` (subprocesses; OpenSSL reads it for the default
trust store). Both servers can be stopped and started again on the same port.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import json
import socket
import ssl
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage as MimeMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServerProtocol
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from sen_portal.config import Settings, settings_from_env
from sen_portal.email.transports import SendGridTransport, SmtpTransport

HOST = "127.0.0.1"
SMTP_USERNAME = "portal"
SMTP_PASSWORD = "relay password with spaces"
SENDGRID_KEY = "SG.test-key-for-the-stand-in"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def base_env(tmp_path: Path) -> dict[str, str]:
    """Settings every test environment shares: nothing written under the project's var/."""
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "MAIL_DIR": str(tmp_path / "mail"),
        "DOCUMENT_STORE_DIR": str(tmp_path / "documents"),
        "MAIL_FROM": "SEN Portal <no-reply@portal.example.gov.uk>",
    }


# --- TLS ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path
    cert_file: Path
    key_file: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_tls_files(directory: Path) -> TlsFiles:
    """A CA and a server certificate for 127.0.0.1/localhost signed by it."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("sen-portal test CA"))
        .issuer_name(_name("sen-portal test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    files = TlsFiles(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    files.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files.cert_file.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    files.key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return files


# --- SMTP --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: MimeMessage
    tls: bool  # the message arrived over a STARTTLS-upgraded connection
    login: str | None  # the AUTH user name, None when the client did not authenticate


class _RecordingHandler:
    """Stores every accepted message. Recipients named ``reject-NNN@...`` get reply code NNN."""

    def __init__(self, server: SmtpTestServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, server: SMTPServerProtocol, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        local_part = address.split("@", 1)[0]
        if local_part.startswith("reject-"):
            return f"{local_part.removeprefix('reject-')} Mailbox refused (test)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServerProtocol, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, MimeMessage)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        with self.server.lock:
            self.server.messages.append(
                ReceivedMail(
                    mail_from=envelope.mail_from or "",
                    rcpt_tos=list(envelope.rcpt_tos),
                    message=message,
                    tls=session.ssl is not None,
                    login=login,
                )
            )
        return "250 Message accepted for delivery"


class SmtpTestServer:
    """An aiosmtpd server on a fixed port that can be taken down and brought back."""

    def __init__(self, tls: TlsFiles | None, *, require_auth: bool = True) -> None:
        self.host = HOST
        self.port = free_port()
        self.tls = tls
        self.require_auth = require_auth
        self.messages: list[ReceivedMail] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def _authenticate(
        self, server: SMTPServerProtocol, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == SMTP_USERNAME.encode()
            and auth_data.password == SMTP_PASSWORD.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def start(self) -> None:
        assert self._controller is None, "already running"
        options: dict[str, Any] = {"authenticator": self._authenticate}
        if self.tls is not None:
            server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            server_context.load_cert_chain(self.tls.cert_file, self.tls.key_file)
            options |= {
                "tls_context": server_context,
                "require_starttls": True,
                "auth_require_tls": True,
                "auth_required": self.require_auth,
            }
        else:
            # Only for the SMTP_STARTTLS=false path: AUTH is offered over plain text but not
            # demanded (aiosmtpd warns about demanding it without TLS, rightly).
            options |= {"auth_require_tls": False, "auth_required": False}
        # A new Controller each time: a stopped one has closed its event loop.
        controller = Controller(_RecordingHandler(self), hostname=self.host, port=self.port, **options)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    @property
    def ca_file(self) -> Path:
        assert self.tls is not None
        return self.tls.ca_file

    @property
    def client_ssl_context(self) -> ssl.SSLContext:
        """A verifying client context (hostname checks on) that trusts only the test CA."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def env(self, **overrides: str) -> dict[str, str]:
        values = {
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": self.host,
            "SMTP_PORT": str(self.port),
            "SMTP_USERNAME": SMTP_USERNAME,
            "SMTP_PASSWORD": SMTP_PASSWORD,
            "SMTP_STARTTLS": "true" if self.tls else "false",
        }
        return values | overrides

    def settings(self, tmp_path: Path, **overrides: str) -> Settings:
        return settings_from_env(base_env(tmp_path) | self.env(**overrides))

    def transport(self, tmp_path: Path, **overrides: str) -> SmtpTransport:
        context = self.client_ssl_context if self.tls else None
        return SmtpTransport(self.settings(tmp_path, **overrides), timeout=5.0, ssl_context=context)

    def received_by(self, address: str) -> list[ReceivedMail]:
        with self.lock:
            return [mail for mail in self.messages if address in mail.rcpt_tos]


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def make_smtp_server(tls_files: TlsFiles) -> Iterator[Callable[..., SmtpTestServer]]:
    """Factory: ``make_smtp_server(tls=True, require_auth=True)`` returns a started server."""
    servers: list[SmtpTestServer] = []

    def make(*, tls: bool = True, require_auth: bool = True) -> SmtpTestServer:
        server = SmtpTestServer(tls_files if tls else None, require_auth=require_auth)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def smtp_server(make_smtp_server: Callable[..., SmtpTestServer]) -> SmtpTestServer:
    """An SMTP relay that requires STARTTLS and AUTH (user ``portal``)."""
    return make_smtp_server()


# --- SendGrid ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SendGridAnswer:
    status: int
    body: dict[str, Any] | None = None
    stall: bool = False  # hold the answer for seconds (until the test ends): a hung API


class SendGridTestServer:
    """Speaks enough of the SendGrid v3 API: ``POST /v3/mail/send`` with a Bearer key.

    Answers 202 with an ``X-Message-Id`` unless ``answer(...)`` queued something else.
    ``requests`` holds every authorised request body; ``delivered`` the ones answered 202.
    """

    def __init__(self) -> None:
        self.host = HOST
        self.port = free_port()
        self.api_key = SENDGRID_KEY
        self.requests: list[dict[str, Any]] = []
        self.delivered: list[tuple[str, dict[str, Any]]] = []  # (message id, body)
        self.headers: list[dict[str, str]] = []
        self.answers: deque[SendGridAnswer] = deque()
        self.lock = threading.Lock()
        self.release = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def answer(self, *answers: int | SendGridAnswer) -> None:
        """Queue the next answers, e.g. ``answer(503)`` or ``answer(SendGridAnswer(400, {...}))``."""
        with self.lock:
            for item in answers:
                self.answers.append(item if isinstance(item, SendGridAnswer) else SendGridAnswer(item))

    def _next_answer(self) -> SendGridAnswer:
        with self.lock:
            return self.answers.popleft() if self.answers else SendGridAnswer(202)

    def start(self) -> None:
        assert self._httpd is None, "already running"
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output quiet

            def _reply(self, status: int, body: dict[str, Any] | None, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                try:
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout tests)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                if self.path != "/v3/mail/send":
                    self._reply(404, {"errors": [{"message": "not found"}]})
                    return
                if self.headers.get("Authorization") != f"Bearer {server.api_key}":
                    self._reply(401, {"errors": [{"message": "The provided authorization grant is invalid"}]})
                    return
                body = json.loads(raw)
                with server.lock:
                    server.requests.append(body)
                    server.headers.append(dict(self.headers.items()))
                answer = server._next_answer()
                if answer.stall:
                    # A slow API: answers in the end, so a client without a timeout would succeed.
                    server.release.wait(5)
                if answer.status == 202:
                    message_id = uuid.uuid4().hex
                    with server.lock:
                        server.delivered.append((message_id, body))
                    self._reply(202, None, {"X-Message-Id": message_id})
                else:
                    self._reply(answer.status, answer.body)

        httpd = ThreadingHTTPServer((self.host, self.port), Handler)
        httpd.daemon_threads = True
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self.release = threading.Event()

    def env(self, **overrides: str) -> dict[str, str]:
        values = {"MAIL_BACKEND": "sendgrid", "SENDGRID_API_KEY": self.api_key, "SENDGRID_API_URL": self.url}
        return values | overrides

    def settings(self, tmp_path: Path, **overrides: str) -> Settings:
        return settings_from_env(base_env(tmp_path) | self.env(**overrides))

    def transport(self, tmp_path: Path, *, timeout: float = 5.0, **overrides: str) -> SendGridTransport:
        return SendGridTransport(self.settings(tmp_path, **overrides), timeout=timeout)

    def delivered_to(self, address: str) -> list[tuple[str, dict[str, Any]]]:
        with self.lock:
            return [
                (message_id, body)
                for message_id, body in self.delivered
                if any(to["email"] == address for p in body["personalizations"] for to in p["to"])
            ]


@pytest.fixture
def sendgrid_server() -> Iterator[SendGridTestServer]:
    server = SendGridTestServer()
    server.start()
    yield server
    server.stop()
