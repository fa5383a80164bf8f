"""/metrics: the database gauges count what is there (both databases), the route answers only
loopback or the token, and a store that cannot be written is told in words and counted."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.requests import Request

from sen_portal.api.metrics import allowed
from sen_portal.api.metrics import metrics as serve_metrics
from sen_portal.config import settings_from_env
from sen_portal.models import OutboxMessage, StoredDocument
from sen_portal.operations import metrics
from sen_portal.services.auth import sessions, sign_in
from sen_portal.services.documents.document_upload import STORE_UNAVAILABLE, UploadRefused, stream_upload
from tests.ops.realistic_data import PROFESSIONAL, make_realistic_data
from tests.run_async import run_async
from tests.unit.test_file_types import minimal_pdf

pytestmark = [pytest.mark.ops, pytest.mark.service]

IDLE = timedelta(minutes=30)


def value(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in metrics:\n{text}"
    return float(match.group(1))


def test_database_gauges_count_what_is_there(session: Session, engine: Engine, tmp_path: Path) -> None:
    settings = settings_from_env({"DOCUMENT_STORE_DIR": str(tmp_path / "documents")})
    data = make_realistic_data(session, settings)
    now = datetime.now(UTC)
    queued = len(session.exec(select(OutboxMessage).where(OutboxMessage.status == "pending")).all())
    assert queued >= 2  # the message alerts
    session.execute(update(OutboxMessage).values(created_at=now - timedelta(minutes=20)))
    oldest = session.exec(select(OutboxMessage)).first()
    assert oldest is not None
    oldest.status = "dead"
    session.add(oldest)
    for _ in range(3):
        sign_in.check_password(
            session, email=PROFESSIONAL, password="not the password", ip="192.0.2.9", settings=settings
        )
    ticket = sessions.issue_ticket(session, user_id=data.professional_id)
    assert sessions.redeem_ticket(session, ticket=ticket, settings=settings)
    session.commit()
    stored = sum(d.size_bytes for d in session.exec(select(StoredDocument)))

    text = "\n".join(metrics.database_gauges(engine, now=now, session_idle=IDLE))
    assert value(text, "sen_portal_outbox_queued") == queued - 1
    assert value(text, "sen_portal_outbox_oldest_queued_seconds") >= 20 * 60
    assert value(text, "sen_portal_outbox_dead_letters") == 1
    assert value(text, "sen_portal_sign_in_failures_15m") == 3
    assert value(text, "sen_portal_active_sessions") == 1
    assert value(text, "sen_portal_stored_documents") == 4
    assert value(text, "sen_portal_stored_document_bytes") == stored
    # An hour later the failures have left the window and the idle session no longer counts.
    later = "\n".join(metrics.database_gauges(engine, now=now + timedelta(hours=1), session_idle=IDLE))
    assert value(later, "sen_portal_sign_in_failures_15m") == 0
    assert value(later, "sen_portal_active_sessions") == 0


def request_from(host: str, headers: dict[str, str] | None = None) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return Request({"type": "http", "method": "GET", "path": "/metrics", "headers": raw, "client": (host, 40000)})


@pytest.mark.unit
def test_only_direct_loopback_or_the_token_may_read() -> None:
    token = "t" * 40
    assert allowed(request_from("127.0.0.1"), "")
    assert allowed(request_from("::1"), "")
    # Through nginx the peer is loopback too, but the proxy always sets X-Forwarded-For.
    assert not allowed(request_from("127.0.0.1", {"X-Forwarded-For": "203.0.113.5"}), "")
    assert not allowed(request_from("203.0.113.5"), "")
    assert not allowed(request_from("203.0.113.5"), token)
    assert not allowed(request_from("203.0.113.5", {"Authorization": "Bearer wrong"}), token)
    assert allowed(request_from("203.0.113.5", {"Authorization": f"Bearer {token}"}), token)


def test_route_serves_prometheus_text_to_the_token(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> None:
    from sen_portal import api

    token = "m" * 40
    settings = settings_from_env({"METRICS_TOKEN": token})
    monkeypatch.setattr(api.metrics, "get_settings", lambda: settings)
    monkeypatch.setattr(api.metrics, "get_engine", lambda: engine)
    assert run_async(serve_metrics(request_from("203.0.113.5"))).status_code == 404
    response = run_async(serve_metrics(request_from("203.0.113.5", {"Authorization": f"Bearer {token}"})))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = bytes(response.body).decode()
    assert "# TYPE sen_portal_outbox_queued gauge" in text
    assert value(text, "sen_portal_up") == 1


async def _chunks(data: bytes):
    class Chunk:
        filename, offset, content_type = "report.pdf", 0, "application/pdf"

    chunk = Chunk()
    chunk.data = data  # type: ignore[attr-defined]
    yield chunk


def test_an_unwritable_document_store_is_refused_in_words_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the store's parent should be")  # unwritable even for root
    settings = settings_from_env({"DOCUMENT_STORE_DIR": str(blocked / "documents")})
    before = metrics.STORAGE_FAILURES.value()

    def upload(settings_now):
        return run_async(
            stream_upload(
                settings_now,
                _chunks(minimal_pdf()),
                owner_user_id=1,
                already_stored_bytes=0,
                already_stored_count=0,
                finish=lambda writer: writer.bytes_received,
            )
        )

    with caplog.at_level("ERROR"), pytest.raises(UploadRefused) as refused:
        upload(settings)
    assert refused.value.message == STORE_UNAVAILABLE
    assert metrics.STORAGE_FAILURES.value() == before + 1
    assert "could not store an upload in DOCUMENT_STORE_DIR" in caplog.text
    # Once the folder is fixed the same upload goes through: nothing was left stuck.
    fixed = settings_from_env({"DOCUMENT_STORE_DIR": str(tmp_path / "documents")})
    assert upload(fixed) == len(minimal_pdf())
