"""The audit log records, filters and pages on both databases, and keeps only scalar details."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from sen_portal.services.platform import audit
from sen_portal.services.platform.audit import AuditAction, AuditFilter

pytestmark = pytest.mark.service

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _at(minutes: int):
    return lambda: NOW + timedelta(minutes=minutes)


def test_newest_first_with_filters_and_pages(session: Session) -> None:
    for minute in range(5):
        audit.record(
            session,
            action=AuditAction.REFERRAL_VIEWED,
            actor_user_id=7,
            actor_email="case@council.example.gov.uk",
            object_type="referral",
            object_id=f"EHC-2026-00000{minute}",
            client_ip="192.0.2.10",
            clock=_at(minute),
        )
    audit.record(
        session, action=AuditAction.SIGN_IN, actor_user_id=8, actor_email="pro@school.example.org", clock=_at(9)
    )
    session.commit()

    everything = audit.search(session, AuditFilter())
    assert everything.total == 6
    assert everything.events[0].action == "sign_in"  # newest first

    views = audit.search(session, AuditFilter(action="referral_viewed"), page=2, page_size=2)
    assert views.total == 5 and views.page_count == 3
    assert [event.object_id for event in views.events] == ["EHC-2026-000002", "EHC-2026-000001"]

    by_person = audit.search(session, AuditFilter(actor_email="  PRO@school.example.org "))
    assert [event.action for event in by_person.events] == ["sign_in"]

    one_record = audit.search(session, AuditFilter(object_type="referral", object_id="EHC-2026-000003"))
    assert one_record.total == 1 and one_record.events[0].client_ip == "192.0.2.10"

    window = audit.search(session, AuditFilter(since=NOW + timedelta(minutes=1), until=NOW + timedelta(minutes=3)))
    assert window.total == 2


def test_detail_keeps_scalars_only(session: Session) -> None:
    event = audit.record(
        session,
        action=AuditAction.REFERRAL_STATUS_CHANGED,
        detail={"from": "submitted", "to": "received", "answers": {"child": "x"}},  # type: ignore[dict-item]
    )
    session.commit()
    session.refresh(event)
    assert event.detail == {"from": "submitted", "to": "received"}
