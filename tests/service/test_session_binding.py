"""Page state follows the session in the database: same session keeps it, ended or other sessions reset it.

Real sessions on real SQLite and PostgreSQL; the middleware runs as Reflex runs it, against a real
Reflex state tree (tests/unit/test_session_binding.py builds it).
"""

from __future__ import annotations

import asyncio
from contextlib import contextmanager

import pytest
from reflex_base.event import Event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from sen_portal.db import session_scope
from sen_portal.services.auth import passwords, sessions
from sen_portal.state import session_binding
from sen_portal.state.session_binding import SessionBindingMiddleware, SessionBindingState
from tests.service.account_helpers import SETTINGS, make_user
from tests.unit.test_session_binding import WrittenTomorrowState, tab

pytestmark = pytest.mark.service


@pytest.fixture(autouse=True)
def portal_database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The binding reads sessions where the portal would: here, the test's database."""
    monkeypatch.setattr(passwords, "BCRYPT_COST", 4)

    @contextmanager
    def scope():
        with session_scope(engine) as db:
            yield db

    monkeypatch.setattr(session_binding, "session_scope", scope)


def signed_in(session: Session, email: str) -> tuple[str, int]:
    """A real session: (cookie header, session id)."""
    user = make_user(session, email=email)
    ticket = sessions.issue_ticket(session, user_id=user.id)
    token = sessions.redeem_ticket(session, ticket=ticket, settings=SETTINGS)
    session.commit()
    assert token
    found = sessions.resolve_with_id(session, token=token, settings=SETTINGS)
    assert found
    return f"{sessions.cookie_name(session_binding.get_settings())}={token}", found[1]


def child_name_after_event(cookie: str, bound_session: int) -> str:
    async def scenario() -> str:
        root, _ = await tab("tab", cookie=cookie, bound_session=bound_session)
        await SessionBindingMiddleware().preprocess(None, root, Event(name="state.x.save", payload={}))  # type: ignore[arg-type]
        return (await root.get_state(WrittenTomorrowState)).child_name

    return asyncio.run(scenario())


def test_the_session_the_state_was_built_for_keeps_it(session: Session) -> None:
    cookie, session_id = signed_in(session, "alice@school.org")
    assert child_name_after_event(cookie, session_id) == "Alice Example"


def test_another_users_session_resets_it(session: Session) -> None:
    _, alice_session = signed_in(session, "alice@school.org")
    mallory_cookie, _ = signed_in(session, "mallory@school.org")
    assert child_name_after_event(mallory_cookie, alice_session) == ""


def test_a_cookie_for_no_session_resets_it(session: Session) -> None:
    _, alice_session = signed_in(session, "alice@school.org")
    assert child_name_after_event("sen_session=made-up", alice_session) == ""


def test_an_ended_session_resets_it(session: Session) -> None:
    """Sign-out, disabling, expiry and password reset all end the row: the next event resets."""
    cookie, session_id = signed_in(session, "alice@school.org")
    sessions.end(session, token=cookie.split("=", 1)[1])
    session.commit()
    assert child_name_after_event(cookie, session_id) == ""


def test_the_binding_is_updated_to_the_new_session(session: Session) -> None:
    cookie, session_id = signed_in(session, "alice@school.org")

    async def scenario() -> int:
        root, _ = await tab("tab", cookie=cookie, bound_session=0)
        await SessionBindingMiddleware().preprocess(None, root, Event(name="state.x.save", payload={}))  # type: ignore[arg-type]
        return (await root.get_state(SessionBindingState))._bound_session_id

    assert asyncio.run(scenario()) == session_id
