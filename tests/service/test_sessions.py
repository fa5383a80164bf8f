"""Server-side sessions and one-time sign-in tickets, against real SQLite and PostgreSQL databases."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from sqlmodel import Session, select

from sen_portal.models import SignInTicket, UserAccount, UserSession
from sen_portal.services import sessions
from tests.service.account_helpers import SETTINGS, Clock, make_user

pytestmark = [pytest.mark.service, pytest.mark.usefixtures("fast_bcrypt")]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def user(session: Session) -> UserAccount:
    return make_user(session)


def ticket_for(session: Session, user: UserAccount, clock: Clock) -> str:
    ticket = sessions.issue_ticket(session, user_id=user.id, clock=clock)
    session.commit()
    return ticket


def redeem(session: Session, ticket: str, clock: Clock, settings=SETTINGS) -> str | None:
    token = sessions.redeem_ticket(
        session, ticket=ticket, settings=settings, ip="192.0.2.1", user_agent="t", clock=clock
    )
    session.commit()
    return token


def resolve(session: Session, token: str, clock: Clock, settings=SETTINGS) -> UserAccount | None:
    found = sessions.resolve(session, token=token, settings=settings, clock=clock)
    session.commit()
    return found


def test_a_ticket_starts_one_session_only(session: Session, user: UserAccount, clock: Clock) -> None:
    ticket = ticket_for(session, user, clock)

    token = redeem(session, ticket, clock)

    assert token and token != ticket
    assert redeem(session, ticket, clock) is None
    assert resolve(session, token, clock).id == user.id
    assert len(session.exec(select(UserSession)).all()) == 1


@pytest.mark.parametrize(("seconds", "works"), [(59, True), (60, False)])
def test_a_ticket_lasts_sixty_seconds(
    session: Session, user: UserAccount, clock: Clock, seconds: int, works: bool
) -> None:
    ticket = ticket_for(session, user, clock)
    clock.advance(seconds=seconds)

    assert (redeem(session, ticket, clock) is not None) is works


def test_tickets_and_tokens_are_stored_only_as_hashes(session: Session, user: UserAccount, clock: Clock) -> None:
    ticket = ticket_for(session, user, clock)
    token = redeem(session, ticket, clock)

    stored_ticket = session.exec(select(SignInTicket)).one().ticket_hash
    stored_token = session.exec(select(UserSession)).one().token_hash

    assert stored_ticket == hashlib.sha256(ticket.encode()).hexdigest() and ticket not in stored_ticket
    assert stored_token == hashlib.sha256(token.encode()).hexdigest() and token not in stored_token


@pytest.mark.parametrize("ticket", ["", "nonsense", "x" * 43])
def test_an_unknown_ticket_starts_nothing(session: Session, clock: Clock, ticket: str) -> None:
    assert redeem(session, ticket, clock) is None


def test_each_sign_in_gets_a_new_token(session: Session, user: UserAccount, clock: Clock) -> None:
    first = redeem(session, ticket_for(session, user, clock), clock)
    second = redeem(session, ticket_for(session, user, clock), clock)

    assert first != second
    assert resolve(session, first, clock) is not None and resolve(session, second, clock) is not None


def test_a_session_ends_after_the_idle_timeout(session: Session, user: UserAccount, clock: Clock) -> None:
    settings = replace(SETTINGS, session_idle_minutes=30)
    token = redeem(session, ticket_for(session, user, clock), clock, settings)

    clock.advance(minutes=29, seconds=59)
    assert resolve(session, token, clock, settings) is not None  # activity moves the idle limit on
    clock.advance(minutes=29, seconds=59)
    assert resolve(session, token, clock, settings) is not None
    clock.advance(minutes=30)

    assert resolve(session, token, clock, settings) is None
    clock.advance(seconds=-1)  # and it stays ended
    assert resolve(session, token, clock, settings) is None


def test_the_idle_timeout_follows_the_setting(session: Session, user: UserAccount, clock: Clock) -> None:
    settings = replace(SETTINGS, session_idle_minutes=5)
    token = redeem(session, ticket_for(session, user, clock), clock, settings)

    clock.advance(minutes=5)

    assert resolve(session, token, clock, settings) is None


def test_a_session_ends_at_the_absolute_limit_however_active(session: Session, user: UserAccount, clock: Clock) -> None:
    settings = replace(SETTINGS, session_absolute_hours=12, session_idle_minutes=30)
    token = redeem(session, ticket_for(session, user, clock), clock, settings)

    for _ in range(12 * 3 - 1):
        clock.advance(minutes=20)
        assert resolve(session, token, clock, settings) is not None
    clock.advance(minutes=20)

    assert resolve(session, token, clock, settings) is None


def test_end_stops_one_session(session: Session, user: UserAccount, clock: Clock) -> None:
    kept = redeem(session, ticket_for(session, user, clock), clock)
    ended = redeem(session, ticket_for(session, user, clock), clock)

    sessions.end(session, token=ended, clock=clock)
    session.commit()

    assert resolve(session, ended, clock) is None
    assert resolve(session, kept, clock) is not None


def test_end_all_stops_every_session_but_the_one_kept(session: Session, user: UserAccount, clock: Clock) -> None:
    other_user = make_user(session, email="someone.else@school.org")
    mine = [redeem(session, ticket_for(session, user, clock), clock) for _ in range(3)]
    theirs = redeem(session, ticket_for(session, other_user, clock), clock)

    count = sessions.end_all(session, user_id=user.id, keep_token=mine[0], clock=clock)
    session.commit()

    assert count == 2
    assert resolve(session, mine[0], clock) is not None
    assert [resolve(session, token, clock) for token in mine[1:]] == [None, None]
    assert resolve(session, theirs, clock) is not None
    assert sessions.end_all(session, user_id=user.id, clock=clock) == 1


def test_a_disabled_user_has_no_session(session: Session, user: UserAccount, clock: Clock) -> None:
    token = redeem(session, ticket_for(session, user, clock), clock)
    user.is_active = False
    session.add(user)
    session.commit()

    assert resolve(session, token, clock) is None


def test_the_cookie_name_is_host_locked_over_https() -> None:
    assert sessions.cookie_name(SETTINGS) == "__Host-sen_session"
    assert sessions.cookie_name(replace(SETTINGS, public_url="http://localhost:3000")) == "sen_session"


def test_an_empty_token_is_nobody(session: Session, clock: Clock) -> None:
    assert resolve(session, "", clock) is None
