"""Portal messages on SQLite and PostgreSQL: access, throttled alerts, unread counts, audit."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from sen_portal.config import Settings, settings_from_env
from sen_portal.db import session_scope
from sen_portal.models import AuditEvent, ContainerKind, MessageThread, PortalMessage
from sen_portal.services import document_access, document_store, documents, message_attachments, messages
from sen_portal.services.audit import AuditAction
from sen_portal.services.messages import MessageInvalid, ThreadNotFound
from tests.service.account_helpers import Clock
from tests.service.message_helpers import CHILD_NAME, outbox, referral, user
from tests.unit.test_file_types import minimal_pdf

pytestmark = pytest.mark.service

SECRET_TEXT = "Please send the speech therapy report for Zephyrine by Friday"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_from_env(
        {
            "PUBLIC_URL": "https://portal.example.gov.uk",
            "SECRET_KEY": "k" * 48,
            "DOCUMENT_STORE_DIR": str(tmp_path / "store"),
        }
    )


@pytest.fixture
def people(session: Session) -> dict:
    pro = user(session, "senco@school.example.org")
    other = user(session, "other@school.example.org")
    staff = user(session, "caseworker@council.example.gov.uk", role="caseworker")
    case = referral(session, pro)
    return {"pro": pro, "other": other, "staff": staff, "referral": case}


def post(session: Session, settings: Settings, author_id: int, public_id: str, body: str = SECRET_TEXT, **kw):
    message = messages.post_message(
        session, referral_public_id=public_id, author_user_id=author_id, body=body, settings=settings, **kw
    )
    session.commit()
    return message


def test_staff_message_alerts_the_professional_once_until_read(
    session: Session, settings: Settings, people: dict
) -> None:
    pro, staff, case = people["pro"], people["staff"], people["referral"]
    post(session, settings, staff.id, case.public_id)
    post(session, settings, staff.id, case.public_id, body="A second message")
    alerts = outbox(session, to=pro.email)
    assert len(alerts) == 1
    alert = alerts[0]
    # The alert says a message is waiting, links to it, and carries no content and no child details.
    assert "new message" in alert.subject
    assert f"https://portal.example.gov.uk/messages/thread?id={case.public_id}" in alert.text_body
    for leaked in (SECRET_TEXT, "Zephyrine", "Quillfeather", CHILD_NAME, "second message"):
        assert leaked not in alert.text_body and leaked not in alert.html_body and leaked not in alert.subject

    assert messages.mark_read(session, referral_public_id=case.public_id, user_id=pro.id) == 2
    session.commit()
    post(session, settings, staff.id, case.public_id, body="After reading")
    assert len(outbox(session, to=pro.email)) == 2  # a new alert once the last one was read


def test_professional_reply_alerts_the_team_and_throttles_per_side(
    session: Session, settings: Settings, people: dict
) -> None:
    pro, staff, case = people["pro"], people["staff"], people["referral"]
    post(session, settings, staff.id, case.public_id)
    post(session, settings, pro.id, case.public_id, body="Reply one")
    post(session, settings, pro.id, case.public_id, body="Reply two")
    # Staff side: one alert (to every active staff account, as SEN_TEAM_EMAIL is unset).
    assert len(outbox(session, to=staff.email)) == 1
    assert len(outbox(session, to=pro.email)) == 1


def test_team_alert_goes_to_the_team_mailbox_when_configured(session: Session, people: dict, tmp_path: Path) -> None:
    settings = settings_from_env(
        {"PUBLIC_URL": "https://p.example.gov.uk", "SECRET_KEY": "k" * 48, "SEN_TEAM_EMAIL": "sen@council.example"}
    )
    post(session, settings, people["pro"].id, people["referral"].public_id)
    assert [m.to_address for m in outbox(session)] == ["sen@council.example"]


def test_unread_counts_for_both_sides(session: Session, settings: Settings, people: dict) -> None:
    pro, other, staff, case = people["pro"], people["other"], people["staff"], people["referral"]
    second = referral(session, pro, number=2)
    for _ in range(2):
        post(session, settings, staff.id, case.public_id)
    post(session, settings, staff.id, second.public_id)
    assert messages.unread_count_for_user(session, user_id=pro.id) == 3
    assert messages.unread_count_for_user(session, user_id=other.id) == 0
    assert messages.unread_count_for_user(session, user_id=staff.id) == 0  # their own messages

    messages.mark_read(session, referral_public_id=case.public_id, user_id=pro.id)
    session.commit()
    assert messages.unread_count_for_user(session, user_id=pro.id) == 1
    post(session, settings, pro.id, case.public_id, body="Reply")
    assert messages.unread_count_for_user(session, user_id=staff.id) == 1
    # A staff message (e.g. posted by a status change) does not mark the reply as read for staff.
    post(session, settings, staff.id, case.public_id, body="More information requested")
    assert messages.unread_count_for_user(session, user_id=staff.id) == 1
    assert messages.unread_count_for_user(session, user_id=pro.id) == 2
    messages.mark_read(session, referral_public_id=case.public_id, user_id=pro.id)
    session.commit()
    second_staff = user(session, "another.caseworker@council.example.gov.uk", role="admin")
    assert messages.unread_count_for_user(session, user_id=second_staff.id) == 1  # one team, one marker

    assert messages.unread_for_staff_by_referral(session, referral_ids=[case.id, second.id]) == {case.id: 1}
    rows = messages.list_threads(session, user_id=pro.id)
    assert [(r.reference, r.unread, r.message_count) for r in rows] == [
        ("EHC-2026-000002", 1, 1),
        ("EHC-2026-000001", 0, 4),
    ]
    staff_rows = messages.list_threads(session, user_id=staff.id)
    assert [(r.reference, r.unread) for r in staff_rows] == [("EHC-2026-000001", 1), ("EHC-2026-000002", 0)]


def test_access_rules(session: Session, settings: Settings, people: dict) -> None:
    pro, other, staff, case = people["pro"], people["other"], people["staff"], people["referral"]
    draft = referral(session, pro, status="draft")
    with pytest.raises(ThreadNotFound):
        post(session, settings, other.id, case.public_id)  # someone else's referral
    session.rollback()
    with pytest.raises(ThreadNotFound):
        messages.thread_for(session, referral_public_id=case.public_id, user_id=other.id)
    with pytest.raises(ThreadNotFound):
        messages.mark_read(session, referral_public_id=case.public_id, user_id=other.id)
    for who in (pro, staff):
        with pytest.raises(ThreadNotFound):  # nobody writes on a draft
            messages.thread_for(session, referral_public_id=draft.public_id, user_id=who.id)
    with pytest.raises(ThreadNotFound):
        messages.thread_for(session, referral_public_id="no-such-referral", user_id=staff.id)
    session.rollback()
    # The owner and any member of staff may read and write.
    post(session, settings, pro.id, case.public_id)
    post(session, settings, staff.id, case.public_id)
    _referral, thread = messages.thread_for(session, referral_public_id=case.public_id, user_id=staff.id)
    assert [m.side for m in messages.messages_in(session, thread=thread)] == ["professional", "staff"]
    # A disabled professional can no longer read their thread.
    pro.is_active = False
    session.add(pro)
    session.commit()
    with pytest.raises(ThreadNotFound):
        messages.thread_for(session, referral_public_id=case.public_id, user_id=pro.id)


def test_message_text_is_checked(session: Session, settings: Settings, people: dict) -> None:
    for body, error in (("   ", messages.EMPTY_MESSAGE), ("x" * 5001, messages.TOO_LONG)):
        with pytest.raises(MessageInvalid) as raised:
            post(session, settings, people["pro"].id, people["referral"].public_id, body=body)
        assert raised.value.errors == {"body": [error]}
        session.rollback()
    assert session.exec(select(PortalMessage)).all() == []


def test_audit_names_ids_never_text(session: Session, settings: Settings, people: dict) -> None:
    pro, staff, case = people["pro"], people["staff"], people["referral"]
    post(session, settings, staff.id, case.public_id, client_ip="192.0.2.7")
    messages.mark_read(session, referral_public_id=case.public_id, user_id=pro.id, client_ip="192.0.2.8")
    session.commit()
    # Reading again with nothing new is not another audit line.
    messages.mark_read(session, referral_public_id=case.public_id, user_id=pro.id)
    session.commit()
    events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    assert [(e.action, e.actor_user_id, e.object_id) for e in events] == [
        (AuditAction.MESSAGE_SENT, staff.id, case.public_id),
        (AuditAction.MESSAGE_READ, pro.id, case.public_id),
    ]
    for event in events:
        assert SECRET_TEXT not in str(event.detail) and "Zephyrine" not in str(event.detail)


def test_attachments_follow_the_message_and_its_access(
    session: Session, settings: Settings, people: dict, caplog: pytest.LogCaptureFixture
) -> None:
    pro, other, staff, case = people["pro"], people["other"], people["staff"], people["referral"]
    with documents.begin_upload(
        settings, filename="report.pdf", owner_user_id=staff.id, already_stored_bytes=0, already_stored_count=0
    ) as upload:
        upload.write(minimal_pdf())
        document = upload.finish(session, container_kind=ContainerKind.DRAFT, container_id=None)
    session.commit()
    with caplog.at_level("DEBUG"):
        message = post(session, settings, staff.id, case.public_id, attachment_ids=[document.id])
    assert SECRET_TEXT not in caplog.text
    session.refresh(document)
    assert (document.container_kind, document.container_id) == (ContainerKind.MESSAGE, message.id)
    assert messages.attachment_in_own_thread(session, document_id=document.id, user_id=pro.id)
    assert not messages.attachment_in_own_thread(session, document_id=document.id, user_id=other.id)
    # The download rules: the owner professional, staff by role, nobody else.
    assert document_access.may_download(session, document, user_id=pro.id, is_staff=False)
    assert document_access.may_download(session, document, user_id=staff.id, is_staff=True)
    assert not document_access.may_download(session, document, user_id=other.id, is_staff=False)
    assert not document_access.may_download(session, document, user_id=people["staff"].id + 999, is_staff=False)
    _referral, thread = messages.thread_for(session, referral_public_id=case.public_id, user_id=pro.id)
    [view] = messages.messages_in(session, thread=thread)
    assert [a.name for a in view.attachments] == ["report.pdf"]
    # Someone else's upload cannot be attached.
    with pytest.raises(documents.DocumentNotFound):
        post(session, settings, pro.id, case.public_id, attachment_ids=[document.id])


@pytest.mark.parametrize("thread_exists", [True, False], ids=["race-on-alert-flag", "race-on-first-message"])
def test_concurrent_messages_send_one_alert(engine: Engine, settings: Settings, thread_exists: bool) -> None:
    with session_scope(engine) as session:
        pro = user(session, "senco@school.example.org")
        staff = user(session, "caseworker@council.example.gov.uk", role="caseworker")
        case = referral(session, pro)
        if thread_exists:
            messages.thread_for(session, referral_public_id=case.public_id, user_id=staff.id)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def send() -> None:
        try:
            barrier.wait()
            with session_scope(engine) as session:
                messages.post_message(
                    session, referral_public_id=case.public_id, author_user_id=staff.id, body="Hi", settings=settings
                )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # SQLite serialises writers ("database is locked" may refuse some); PostgreSQL runs them all.
    # Nothing else may fail: two first messages end up in one thread (INSERT ... ON CONFLICT).
    if engine.dialect.name == "postgresql":
        assert errors == []
    else:
        assert all(isinstance(e, OperationalError) and "locked" in str(e) for e in errors), errors
    with Session(engine) as session:
        sent = len(session.exec(select(PortalMessage)).all())
        assert sent >= 1 and sent + len(errors) == 4
        assert len(session.exec(select(MessageThread)).all()) == 1
        assert len(outbox(session, to=pro.email)) == 1
        assert session.exec(select(MessageThread)).one().professional_alert_pending is True


def test_read_marker_clock(session: Session, settings: Settings, people: dict) -> None:
    clock = Clock()
    post(session, settings, people["staff"].id, people["referral"].public_id, clock=clock)
    thread = session.exec(select(MessageThread)).one()
    assert thread.last_message_at == clock.now


def _draft(session: Session, settings: Settings, owner_id: int, name: str):
    with documents.begin_upload(
        settings, filename=name, owner_user_id=owner_id, already_stored_bytes=0, already_stored_count=0
    ) as upload:
        upload.write(minimal_pdf())
        document = upload.finish(session, container_kind=ContainerKind.DRAFT, container_id=None)
    session.commit()
    return document


def test_housekeeping_discards_attachments_of_messages_never_sent(
    session: Session, settings: Settings, people: dict
) -> None:
    staff, case = people["staff"], people["referral"]
    clock = Clock()
    sent = _draft(session, settings, staff.id, "sent.pdf")
    abandoned = _draft(session, settings, staff.id, "abandoned.pdf")
    fresh = _draft(session, settings, staff.id, "still-writing.pdf")
    post(session, settings, staff.id, case.public_id, attachment_ids=[sent.id])
    for document, age in ((sent, 5), (abandoned, 3), (fresh, 1)):
        document.created_at = clock() - timedelta(days=age)
        session.add(document)
    session.commit()
    assert message_attachments.discard_abandoned(session, settings, clock=clock) == 1
    session.commit()
    for document in (sent, abandoned, fresh):
        session.refresh(document)
    assert abandoned.deleted_at is not None
    assert sent.deleted_at is None and fresh.deleted_at is None
    assert not document_store.path_for(settings, abandoned.storage_name).exists()
    assert document_store.path_for(settings, sent.storage_name).exists()


# SQLAlchemy decides whether to log when a connection opens; the rolled-back session's connection opens
# before caplog turns logging on, so this test takes the engine (fresh connections, real commits).
@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("sql_level", [None, logging.INFO, logging.DEBUG], ids=["app", "sql-parameters", "sql-rows"])
def test_no_message_text_or_child_name_in_any_log(
    session: Session, settings: Settings, people: dict, caplog: pytest.LogCaptureFixture, sql_level: int | None
) -> None:
    """Every message step with every logger at DEBUG (and SQLAlchemy's on, as an operator debugging)."""
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy.engine", "sqlalchemy.orm"):
        caplog.set_level(sql_level or logging.WARNING, logger=name)
    pro, staff, case = people["pro"], people["staff"], people["referral"]
    post(session, settings, staff.id, case.public_id)
    messages.mark_read(session, referral_public_id=case.public_id, user_id=pro.id)
    session.commit()
    post(session, settings, pro.id, case.public_id, body="Reply about Zephyrine's therapy")
    _referral, thread = messages.thread_for(session, referral_public_id=case.public_id, user_id=staff.id)
    messages.messages_in(session, thread=thread)
    messages.list_threads(session, user_id=pro.id)
    if sql_level is not None:
        assert any("portal_message" in r.getMessage() for r in caplog.records if r.name.startswith("sqlalchemy"))
    for record in caplog.records:
        text = record.getMessage() + repr(record.args)
        for secret in (SECRET_TEXT, "therapy", "Zephyrine", "Quillfeather"):
            assert secret not in text, f"{record.name}: {text[:200]}"
