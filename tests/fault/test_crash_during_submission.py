"""The app process is SIGKILLed at three points of a referral submission, then started again.

Each run is a real process (``tests.fault.driver``) doing what the request pages and the in-app
sender do, on PostgreSQL, with a real document store and a real SMTP server (aiosmtpd, in this
process, so it outlives the crash). ``SEN_FAULT_POINT`` makes ``services.faults`` kill the process
at the named point. After the restart:

* every submitted referral has all its documents (rows that point at files holding the bytes
  their SHA-256 says) and exactly one confirmation email — two are allowed only when the crash
  came after the mail server accepted the message and before the outbox recorded it;
* nothing half-made is visible: no document row without its file, no submitted referral
  without its reference and its email, no stray upload once the sweep has run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sen_portal.config import settings_from_env
from sen_portal.models import OutboxMessage, OutboxStatus, Referral, StoredDocument
from sen_portal.models.referrals import ReferralStatus
from sen_portal.services.documents import document_store
from sen_portal.services.platform import faults
from tests.fault.conftest import make_user, portal_env, run_driver
from tests.fault.driver import REQUIRED_FILES
from tests.mail_servers import SmtpTestServer

SIGKILLED = -9
CONFIRMATION = "We have received your request"  # the confirmation email's subject


def steps(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def referrals_of(engine: Engine, user_id: int) -> list[Referral]:
    with Session(engine) as session:
        return list(session.exec(select(Referral).where(Referral.owner_user_id == user_id)))


def documents_of(engine: Engine, referral_id: int) -> list[StoredDocument]:
    with Session(engine) as session:
        return list(session.exec(select(StoredDocument).where(StoredDocument.container_id == referral_id)))


def assert_nothing_half_made(engine: Engine, env: dict[str, str]) -> None:
    """Every live document row has its file with the right bytes; every submitted referral its reference,
    its documents and its email row."""
    settings = settings_from_env(env)
    with Session(engine) as session:
        for document in session.exec(select(StoredDocument).where(StoredDocument.deleted_at.is_(None))):
            path = document_store.path_for(settings, document.storage_name)
            assert path.is_file(), f"document {document.public_id} has a row but no file"
            assert hashlib.sha256(path.read_bytes()).hexdigest() == document.sha256
        for referral in session.exec(select(Referral).where(Referral.status == ReferralStatus.SUBMITTED)):
            assert referral.reference and referral.submitted_at
            stored = {d.public_id for d in documents_of(engine, referral.id or 0) if d.deleted_at is None}
            for slot, wanted in REQUIRED_FILES.items():
                ids = referral.answers.get(slot) or []
                assert len(ids) == wanted and set(ids) <= stored, slot
        emails = list(session.exec(select(OutboxMessage).where(OutboxMessage.category == "referral_submitted")))
        submitted = session.exec(select(Referral).where(Referral.status == ReferralStatus.SUBMITTED)).all()
        assert len(emails) == len(submitted)


@pytest.fixture
def app_env(pg_engine: Engine, postgresql_url: str, tmp_path: Path, make_smtp_server) -> tuple[dict, SmtpTestServer]:
    smtp = make_smtp_server(tls=False)
    return portal_env(postgresql_url, tmp_path, **smtp.env()), smtp


def crash_then_restart(
    engine: Engine, app_env: tuple[dict, SmtpTestServer], point: str, after_crash: Callable[..., None]
) -> tuple[int, SmtpTestServer]:
    env, smtp = app_env
    user_id = make_user(engine, "sam.jones@abbeygreen.sch.uk")
    crashed = run_driver({**env, faults.ENV: point}, "journey", str(user_id))
    assert crashed.returncode == SIGKILLED, crashed.stderr[-3000:]
    public_id = steps(crashed.stdout)[0]["public_id"]
    assert_nothing_half_made(engine, env)
    after_crash(user_id=user_id, public_id=public_id, smtp=smtp, output=crashed.stdout)

    # The restart: the user comes back to the same draft and finishes; the sender runs again.
    restarted = run_driver(env, "journey", str(user_id), public_id)
    assert restarted.returncode == 0, restarted.stderr[-3000:]
    assert_nothing_half_made(engine, env)
    [referral] = referrals_of(engine, user_id)
    assert referral.status == ReferralStatus.SUBMITTED
    with Session(engine) as session:
        assert all(row.status == OutboxStatus.SENT for row in session.exec(select(OutboxMessage)))
    return user_id, smtp


def confirmations(smtp: SmtpTestServer) -> list:
    return [m for m in smtp.received_by("sam.jones@abbeygreen.sch.uk") if CONFIRMATION in m.message["Subject"]]


def test_killed_after_a_document_is_written(pg_engine: Engine, app_env, tmp_path: Path) -> None:
    def after_crash(*, user_id: int, public_id: str, smtp: SmtpTestServer, output: str) -> None:
        # The file reached its final name; its row never committed: invisible, and only the sweep sees it.
        [draft] = referrals_of(pg_engine, user_id)
        assert draft.status == ReferralStatus.DRAFT
        assert documents_of(pg_engine, draft.id or 0) == []
        assert not any(step["step"] == "uploaded" for step in steps(output))
        assert len(list((tmp_path / "documents").glob("??/??/*"))) == 1
        assert confirmations(smtp) == []

    _user_id, smtp = crash_then_restart(pg_engine, app_env, faults.AFTER_DOCUMENT_WRITE, after_crash)
    assert len(confirmations(smtp)) == 1
    # The crashed upload's file is an orphan; the housekeeping sweep removes it and nothing else.
    from sen_portal.services.documents.document_store import sweep_orphans

    settings = settings_from_env(app_env[0])
    with Session(pg_engine) as session:
        report = sweep_orphans(session, settings, older_than=timedelta(0), clock=lambda: datetime.now(UTC))
    assert report.orphans_removed == 1
    assert len(list((tmp_path / "documents").glob("??/??/*"))) == sum(REQUIRED_FILES.values())
    assert_nothing_half_made(pg_engine, app_env[0])


def test_killed_after_the_commit_before_the_email_is_sent(pg_engine: Engine, app_env) -> None:
    def after_crash(*, user_id: int, public_id: str, smtp: SmtpTestServer, output: str) -> None:
        [referral] = referrals_of(pg_engine, user_id)
        assert referral.status == ReferralStatus.SUBMITTED  # committed: the user's request is safe
        with Session(pg_engine) as session:
            [email] = session.exec(select(OutboxMessage).where(OutboxMessage.category == "referral_submitted"))
        assert email.status == OutboxStatus.PENDING
        assert confirmations(smtp) == []

    _user_id, smtp = crash_then_restart(pg_engine, app_env, faults.AFTER_SUBMIT_COMMIT, after_crash)
    assert len(confirmations(smtp)) == 1


def test_killed_after_sending_before_marking_it_sent(pg_engine: Engine, app_env) -> None:
    def after_crash(*, user_id: int, public_id: str, smtp: SmtpTestServer, output: str) -> None:
        assert len(confirmations(smtp)) == 1  # the mail server has it ...
        with Session(pg_engine) as session:
            [email] = session.exec(select(OutboxMessage).where(OutboxMessage.category == "referral_submitted"))
            assert email.status == OutboxStatus.PENDING  # ... the outbox does not know
            assert email.claimed_until is not None
            # The dead sender's lease (outbox.LEASE, two minutes) has to run out before another sender
            # may take the row. Rather than wait, the test moves the lease back: time passing.
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == email.id)
                .values(claimed_until=datetime.now(UTC) - timedelta(seconds=1))
            )
            session.commit()

    _user_id, smtp = crash_then_restart(pg_engine, app_env, faults.AFTER_EMAIL_SENT, after_crash)
    # The one point where a duplicate is possible, and accepted: at least one, at most two.
    assert 1 <= len(confirmations(smtp)) <= 2
