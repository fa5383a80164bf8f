"""Maintenance notices on SQLite and PostgreSQL: windows, the banner cache, sign-in pause,
the broadcast to opted-in users only, and the one-click unsubscribe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from sen_portal.models import AuditEvent, UserAccount
from sen_portal.services import email_tokens, maintenance, sign_in, unsubscribe
from sen_portal.services.audit import AuditAction
from sen_portal.services.maintenance import NoticeInvalid
from sen_portal.services.server_keys import keyed_hash
from tests.service.account_helpers import IP, PASSWORD, SETTINGS, START, Clock, make_user
from tests.service.message_helpers import outbox, user

pytestmark = pytest.mark.service


def schedule(session: Session, staff: UserAccount, clock: Clock, *, start_in=timedelta(hours=1), **kw):
    values = {
        "title": "Portal upgrade",
        "body": "The portal will be unavailable.",
        "starts_at": clock() + start_in,
        "ends_at": clock() + start_in + timedelta(hours=2),
        "pause_sign_in": False,
    }
    values.update(kw)
    notice = maintenance.schedule(
        session, created_by_user_id=staff.id, actor_email=staff.email, client_ip=IP, clock=clock, **values
    )
    session.commit()
    return notice


@pytest.fixture
def staff(session: Session) -> UserAccount:
    return user(session, "admin@council.example.gov.uk", role="admin")


def test_notice_windows_upcoming_active_ended(session: Session, staff: UserAccount) -> None:
    clock = Clock()
    notice = schedule(session, staff, clock)
    assert [n.state for n in maintenance.current_and_upcoming(session, clock=clock)] == ["upcoming"]
    clock.advance(hours=1)  # the start is inside the window
    assert [n.state for n in maintenance.current_and_upcoming(session, clock=clock)] == ["active"]
    clock.advance(hours=2)  # the end is not
    assert maintenance.current_and_upcoming(session, clock=clock) == []
    assert maintenance.state_at(notice, clock()) == "ended"
    assert [n.state for n in maintenance.all_notices(session, clock=clock)] == ["ended"]
    [event] = session.exec(select(AuditEvent)).all()
    assert (event.action, event.actor_user_id, event.object_id) == (
        AuditAction.NOTICE_SCHEDULED,
        staff.id,
        str(notice.id),
    )


def test_ending_a_notice_now_lifts_the_banner_and_the_pause(session: Session, staff: UserAccount) -> None:
    clock = Clock()
    active = schedule(session, staff, clock, start_in=timedelta(0), pause_sign_in=True)
    upcoming = schedule(session, staff, clock, start_in=timedelta(days=2))
    assert maintenance.sign_in_paused(session, now=clock()) is not None
    for notice in (active, upcoming):
        assert maintenance.end_now(session, notice_id=notice.id, actor_user_id=staff.id, clock=clock)
    session.commit()
    assert maintenance.current_and_upcoming(session, clock=clock) == []
    assert maintenance.sign_in_paused(session, now=clock()) is None
    assert not maintenance.end_now(session, notice_id=active.id, actor_user_id=staff.id, clock=clock)
    ended = session.exec(select(AuditEvent).where(col(AuditEvent.action) == AuditAction.NOTICE_ENDED)).all()
    assert [e.detail for e in ended] == [{"was": "active"}, {"was": "upcoming"}]


def test_a_notice_is_checked(session: Session, staff: UserAccount) -> None:
    clock = Clock()
    with pytest.raises(NoticeInvalid) as raised:
        schedule(session, staff, clock, title=" ", body="", starts_at=None, ends_at=None)
    assert set(raised.value.errors) == {"title", "body", "starts_at", "ends_at"}
    with pytest.raises(NoticeInvalid) as raised:
        schedule(session, staff, clock, ends_at=clock() + timedelta(minutes=30))
    assert raised.value.errors == {"ends_at": ["The end must be after the start"]}
    with pytest.raises(NoticeInvalid) as raised:
        schedule(session, staff, clock, start_in=timedelta(hours=-5))
    assert raised.value.errors == {"ends_at": ["The end must be in the future"]}


def test_banner_cache_queries_at_most_every_ttl_and_drops_ended_notices(session: Session, staff: UserAccount) -> None:
    clock = Clock()
    schedule(session, staff, clock, start_in=timedelta(0))
    maintenance.clear_banner_cache()
    loads: list[int] = []
    ticks = [0.0]

    def load():
        loads.append(1)
        return maintenance.current_and_upcoming(session, clock=clock)

    assert len(maintenance.banner_notices(load, now=clock(), monotonic=lambda: ticks[0])) == 1
    ticks[0] = 10
    assert len(maintenance.banner_notices(load, now=clock(), monotonic=lambda: ticks[0])) == 1
    assert len(loads) == 1
    clock.advance(hours=3)
    assert maintenance.banner_notices(load, now=clock(), monotonic=lambda: ticks[0]) == []
    ticks[0] = 100
    maintenance.banner_notices(load, now=clock(), monotonic=lambda: ticks[0])
    assert len(loads) == 2
    maintenance.clear_banner_cache()


def test_sign_in_paused_for_professionals_not_staff(session: Session) -> None:
    clock = Clock()
    professional = make_user(session)
    admin = make_user(session, email="admin@council.example.gov.uk", role="admin")
    schedule(session, admin, clock, start_in=timedelta(minutes=5), pause_sign_in=True)

    def attempt(email: str):
        result = sign_in.check_password(session, email=email, password=PASSWORD, ip=IP, settings=SETTINGS, clock=clock)
        session.commit()
        return result

    started = attempt(professional.email)
    assert isinstance(started, sign_in.PasswordAccepted)  # not started yet
    clock.advance(minutes=5)
    paused = attempt(professional.email)
    assert isinstance(paused, sign_in.SignInPaused) and paused.title == "Portal upgrade"
    assert isinstance(attempt(admin.email), sign_in.PasswordAccepted)
    # The code step checks again: the window began after this professional's password step.
    outcome = sign_in.verify_code(
        session, challenge_id=started.challenge_id, code="123456", settings=SETTINGS, clock=clock
    )
    assert isinstance(outcome, sign_in.SignInPaused)
    clock.advance(hours=2)
    assert isinstance(attempt(professional.email), sign_in.PasswordAccepted)
    assert maintenance.sign_in_paused(session, now=clock()) is None


def test_broadcast_reaches_opted_in_active_verified_users_once(session: Session, staff: UserAccount) -> None:
    clock = Clock()
    opted = user(session, "opted@school.example.org", maintenance_emails=True)
    user(session, "not.opted@school.example.org")
    user(session, "disabled@school.example.org", maintenance_emails=True, is_active=False)
    user(session, "unverified@school.example.org", maintenance_emails=True, email_verified_at=None)
    notice = schedule(session, staff, clock)
    count = maintenance.broadcast(session, notice_id=notice.id, settings=SETTINGS, actor_user_id=staff.id, clock=clock)
    session.commit()
    assert count == 1
    [mail] = outbox(session)
    assert mail.to_address == opted.email
    assert "Portal upgrade" in mail.subject and "The portal will be unavailable." in mail.text_body
    token = unsubscribe.token_for(SETTINGS, user_id=opted.id)
    assert f"https://portal.example.gov.uk/unsubscribe?token={token}" in mail.text_body
    assert mail.headers == {
        "List-Unsubscribe": f"<https://portal.example.gov.uk/api/unsubscribe?token={token}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    # A second click emails nobody again.
    assert (
        maintenance.broadcast(session, notice_id=notice.id, settings=SETTINGS, actor_user_id=staff.id, clock=clock)
        is None
    )
    session.commit()
    assert len(outbox(session)) == 1
    # A notice that is over is not emailed at all.
    over = schedule(session, staff, clock, start_in=timedelta(hours=1))
    clock.advance(hours=4)
    with pytest.raises(maintenance.NoticeEnded):
        maintenance.broadcast(session, notice_id=over.id, settings=SETTINGS, actor_user_id=staff.id, clock=clock)
    emailed = session.exec(select(AuditEvent).where(col(AuditEvent.action) == AuditAction.NOTICE_EMAILED)).all()
    assert [e.detail for e in emailed] == [{"recipients": 1}]


def test_unsubscribe_works_without_sign_in_and_is_idempotent(session: Session) -> None:
    clock = Clock()
    subscriber = user(session, "opted@school.example.org", maintenance_emails=True)
    token = unsubscribe.token_for(SETTINGS, user_id=subscriber.id)
    first = unsubscribe.unsubscribe(session, token=token, settings=SETTINGS, client_ip=IP, clock=clock)
    session.commit()
    assert first.ok and first.was_subscribed
    session.refresh(subscriber)
    assert subscriber.maintenance_emails is False
    again = unsubscribe.unsubscribe(session, token=token, settings=SETTINGS, clock=clock)
    session.commit()
    assert again.ok and not again.was_subscribed
    events = session.exec(select(AuditEvent)).all()
    assert [(e.action, e.actor_user_id) for e in events] == [(AuditAction.NOTICE_UNSUBSCRIBED, subscriber.id)]


def test_unsubscribe_token_is_single_purpose_and_unforgeable(session: Session) -> None:
    subscriber = user(session, "opted@school.example.org", maintenance_emails=True)
    victim = user(session, "victim@school.example.org", maintenance_emails=True)
    own = unsubscribe.token_for(SETTINGS, user_id=subscriber.id)
    other_purpose = f"{subscriber.id}.{keyed_hash(SETTINGS, 'login-code', str(subscriber.id))}"
    link_token = email_tokens.issue(
        session, user_id=subscriber.id, purpose=email_tokens.VERIFY_EMAIL, lifetime=timedelta(days=1)
    )
    session.commit()
    forged = f"{victim.id}.{own.split('.')[1]}"
    other_key = unsubscribe.token_for(
        type(SETTINGS)(**{**SETTINGS.__dict__, "secret_key": "z" * 48}), user_id=subscriber.id
    )
    for bad in (forged, other_purpose, link_token, other_key, "", "1.abc", own + "0", " " + own, None):
        result = unsubscribe.unsubscribe(session, token=bad, settings=SETTINGS)
        assert not result.ok, bad
    session.commit()
    for account in (subscriber, victim):
        session.refresh(account)
        assert account.maintenance_emails is True
    # A verify-email link still works for its own purpose: the unsubscribe page never touched it.
    assert (
        email_tokens.status_of(
            email_tokens.find(session, token=link_token, purpose=email_tokens.VERIFY_EMAIL), now=START
        )
        is email_tokens.LinkStatus.VALID
    )


def test_a_notice_title_with_a_line_break_or_an_address_is_refused_at_the_field(
    session: Session, staff: UserAccount
) -> None:
    clock = Clock()
    with pytest.raises(NoticeInvalid) as refused:
        schedule(
            session, staff, clock, title="Upgrade\r\nBcc: everyone@evil.example", body="Visit https://evil.example"
        )
    assert refused.value.errors["title"] == ["Title must be on one line"]
    assert refused.value.errors["body"] == ["The notice must not contain a web address or email address"]


def test_a_broadcast_counts_only_the_emails_it_queued(session: Session, staff: UserAccount) -> None:
    clock = Clock()
    user(session, "opted@school.example.org", maintenance_emails=True)
    # An address stored before addresses were checked: it cannot be a header, so it is not queued.
    user(session, "old\r\nBcc: all@evil.example", maintenance_emails=True)
    notice = schedule(session, staff, clock)

    count = maintenance.broadcast(session, notice_id=notice.id, settings=SETTINGS, actor_user_id=staff.id, clock=clock)
    session.commit()

    assert count == 1
    assert [m.to_address for m in outbox(session)] == ["opted@school.example.org"]
    emailed = session.exec(select(AuditEvent).where(col(AuditEvent.action) == AuditAction.NOTICE_EMAILED)).one()
    assert emailed.detail == {"recipients": 1, "not_queued": 1}
