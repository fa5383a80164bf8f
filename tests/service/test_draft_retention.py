"""Housekeeping deletes drafts untouched for DRAFT_RETENTION_DAYS (180), with their files, after
warning the owner 14 days before; on real SQLite and PostgreSQL, real files, a clock moved by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from sen_portal.config import Settings
from sen_portal.db import session_scope
from sen_portal.models import AuditEvent, OutboxMessage, Referral, StoredDocument, UserAccount
from sen_portal.services.documents import document_store
from sen_portal.services.platform.audit import AuditAction
from sen_portal.services.platform.housekeeping import run_housekeeping
from sen_portal.services.referrals import drafts as referrals
from tests.service import test_referrals as referral_tests
from tests.service.test_referrals import (
    CHILD_FIRST,
    CHILD_LAST,
    START,
    Clock,
    ready_to_submit,
    save,
    start,
    submit,
    upload_pdf,
)

pytestmark = pytest.mark.service

# The referral tests' fixtures: the shipped form live, a settings object with a private store, a movable clock.
portal = referral_tests.portal
settings = referral_tests.settings
clock = referral_tests.clock

OWNER_EMAIL = "senco@school.example.org"
WARNING_SUBJECT = "Your draft request will be deleted on"


def make_user(engine: Engine, email: str) -> int:
    """A verified professional (housekeeping purges accounts never verified)."""
    with session_scope(engine) as session:
        user = UserAccount(email=email, first_name="Sam", last_name="Jones", email_verified_at=START)
        session.add(user)
        session.flush()
        assert user.id is not None
        return user.id


def housekeeping(engine: Engine, settings: Settings, clock: Clock) -> str:
    with session_scope(engine) as session:
        return str(run_housekeeping(session, settings, clock=clock))


def warnings(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = select(OutboxMessage).where(col(OutboxMessage.subject).startswith(WARNING_SUBJECT))
        return list(session.exec(query.order_by(col(OutboxMessage.id))))


def exists(engine: Engine, public_id: str) -> bool:
    with Session(engine) as session:
        return session.exec(select(Referral).where(Referral.public_id == public_id)).first() is not None


def stored_files(engine: Engine, settings: Settings) -> list[tuple[bool, bool]]:
    """(file on disk, row marked deleted) for every stored document."""
    with Session(engine) as session:
        rows = session.exec(select(StoredDocument).order_by(col(StoredDocument.id))).all()
        return [(document_store.path_for(settings, d.storage_name).is_file(), d.deleted_at is not None) for d in rows]


def draft_with_child_and_file(engine: Engine, settings: Settings, clock: Clock) -> tuple[int, str]:
    """A draft as a professional leaves it: the child's name saved, one document uploaded."""
    owner = make_user(engine, OWNER_EMAIL)
    public_id = start(engine, owner, clock)
    with Session(engine) as session:
        _referral, version = referrals.get_own(session, user_id=owner, public_id=public_id)
        child = next(
            s for s in referrals.definition_of(version).sections if any(f.name == "child_first_name" for f in s.fields)
        )
    save(engine, owner, public_id, child.key, {"child_first_name": CHILD_FIRST, "child_last_name": CHILD_LAST}, clock)
    upload_pdf(engine, settings, owner=owner, public_id=public_id, slot="progress_data", name=f"{CHILD_FIRST}.pdf")
    return owner, public_id


def move_to(clock: Clock, **since_start: float) -> None:
    clock.now = START + timedelta(**since_start)


def test_the_owner_is_warned_at_166_days_not_before_and_only_once(
    portal: Engine,
    settings: Settings,
    clock: Clock,
) -> None:
    draft_with_child_and_file(portal, settings, clock)

    move_to(clock, days=166, seconds=-1)
    housekeeping(portal, settings, clock)
    assert warnings(portal) == []

    move_to(clock, days=166)
    assert "warned owners of untouched drafts 1" in housekeeping(portal, settings, clock)
    move_to(clock, days=167)
    housekeeping(portal, settings, clock)

    [email] = warnings(portal)
    assert email.to_address == OWNER_EMAIL
    # 2 March 2026 09:00 UTC + 180 days, as the council's calendar reads it
    assert email.subject == f"{WARNING_SUBJECT} 29 August 2026"
    assert "unless you sign in and continue it" in email.text_body
    assert "https://portal.example.gov.uk/requests" in email.text_body


def test_the_warning_holds_no_child_data(portal: Engine, settings: Settings, clock: Clock) -> None:
    _owner, public_id = draft_with_child_and_file(portal, settings, clock)
    move_to(clock, days=170)
    housekeeping(portal, settings, clock)

    [email] = warnings(portal)
    whole = " ".join([email.subject, email.text_body, email.html_body, str(email.headers)])
    for secret in (CHILD_FIRST, CHILD_LAST, public_id):
        assert secret not in whole


def test_deleted_at_180_days_with_its_documents_gone_from_disk_and_audited(
    portal: Engine,
    settings: Settings,
    clock: Clock,
) -> None:
    _owner, public_id = draft_with_child_and_file(portal, settings, clock)
    assert stored_files(portal, settings) == [(True, False)]
    move_to(clock, days=166)
    housekeeping(portal, settings, clock)

    move_to(clock, days=180, seconds=-1)
    housekeeping(portal, settings, clock)
    assert exists(portal, public_id) and stored_files(portal, settings) == [(True, False)]

    move_to(clock, days=180)
    assert "untouched drafts 1" in housekeeping(portal, settings, clock)
    assert not exists(portal, public_id)
    assert stored_files(portal, settings) == [(False, True)]
    assert len(warnings(portal)) == 1

    with Session(portal) as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == AuditAction.DRAFT_DELETED)).all()
    assert (event.object_type, event.object_id) == ("referral", public_id)
    assert event.detail["documents_deleted"] == 1 and event.detail["untouched_days"] == 180
    assert CHILD_FIRST not in str(event.detail) and CHILD_LAST not in str(event.detail)
    with Session(portal) as session:
        [document] = session.exec(select(StoredDocument)).all()
    assert CHILD_FIRST not in document.original_name  # it was uploaded as "Zephyrine.pdf"


def test_a_draft_saved_after_the_warning_is_kept_and_its_clock_starts_again(
    portal: Engine,
    settings: Settings,
    clock: Clock,
) -> None:
    owner, public_id = draft_with_child_and_file(portal, settings, clock)
    move_to(clock, days=166)
    housekeeping(portal, settings, clock)
    assert len(warnings(portal)) == 1

    move_to(clock, days=170)
    with Session(portal) as session:
        _referral, version = referrals.get_own(session, user_id=owner, public_id=public_id)
        first_section = referrals.definition_of(version).sections[0].key
    save(portal, owner, public_id, first_section, {}, clock)

    for day in (180, 200, 170 + 166 - 1):
        move_to(clock, days=day)
        housekeeping(portal, settings, clock)
    assert exists(portal, public_id) and stored_files(portal, settings) == [(True, False)]
    assert len(warnings(portal)) == 1

    # A new untouched period: a new warning, then the deletion 180 days after that save.
    move_to(clock, days=170 + 166)
    housekeeping(portal, settings, clock)
    assert len(warnings(portal)) == 2
    move_to(clock, days=170 + 180)
    housekeeping(portal, settings, clock)
    assert not exists(portal, public_id)


def test_never_deleted_without_a_warning_14_days_before(portal: Engine, settings: Settings, clock: Clock) -> None:
    """Housekeeping that did not run for months warns first, and deletes only 14 days later."""
    _owner, public_id = draft_with_child_and_file(portal, settings, clock)
    move_to(clock, days=300)
    housekeeping(portal, settings, clock)
    assert exists(portal, public_id)
    [email] = warnings(portal)
    assert email.subject.endswith(" 10 January 2027")  # 2 March 2026 + 314 days

    move_to(clock, days=313)
    housekeeping(portal, settings, clock)
    assert exists(portal, public_id)
    move_to(clock, days=314)
    housekeeping(portal, settings, clock)
    assert not exists(portal, public_id)


def test_sent_referrals_are_never_touched(portal: Engine, settings: Settings, clock: Clock) -> None:
    owner = make_user(portal, OWNER_EMAIL)
    public_id = ready_to_submit(portal, settings, clock, owner)
    reference = submit(portal, owner, public_id, settings, clock)
    files = stored_files(portal, settings)
    assert files and all(on_disk and not deleted for on_disk, deleted in files)

    for day in (166, 180, 400, 1000):
        move_to(clock, days=day)
        housekeeping(portal, settings, clock)

    assert exists(portal, public_id) and warnings(portal) == []
    assert stored_files(portal, settings) == files
    with Session(portal) as session:
        referral = session.exec(select(Referral).where(Referral.public_id == public_id)).one()
    assert referral.reference == reference and referral.deletion_warned_at is None
