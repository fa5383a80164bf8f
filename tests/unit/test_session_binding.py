"""The session binding covers every state class, including ones written after it (state/session_binding.py).

The middleware is run exactly as Reflex runs it (``preprocess(app, root_state, event)`` under the
state manager), against a real Reflex state tree in the in-memory state manager. The attacks
themselves, over a real websocket against a running portal, are in tests/e2e/test_session_binding.py.
"""

from __future__ import annotations

import asyncio
import inspect

import pytest
import reflex as rx
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State
from reflex_base.event import Event

import sen_portal.sen_portal
from sen_portal.state import session_binding
from sen_portal.state.session_binding import (
    CurrentUser,
    SessionBindingMiddleware,
    SessionBindingState,
    user_for_cookie,
)

pytestmark = pytest.mark.unit


class WrittenTomorrowState(rx.State):
    """A page state nobody told the binding about: it must be protected all the same."""

    child_name: str = ""
    answers: dict[str, str] = {}  # noqa: RUF012 (a Reflex var, copied per instance)
    _draft_id: int = 0


class WrittenTomorrowChildState(WrittenTomorrowState):
    """A substate of a substate (Reflex nests them): reached too."""

    note: str = ""


async def tab(token: str, *, cookie: str, bound_session: int) -> tuple[State, WrittenTomorrowChildState]:
    manager = StateManagerMemory()
    root = await manager.get_state(BaseStateToken(ident=token, cls=State))
    page = await root.get_state(WrittenTomorrowState)
    page.child_name, page.answers, page._draft_id = "Alice Example", {"diagnosis": "private"}, 42
    child = await root.get_state(WrittenTomorrowChildState)
    child.note = "private note"
    (await root.get_state(SessionBindingState))._bound_session_id = bound_session
    root.router_data = root._update_router_vars({"headers": {"cookie": cookie}}, {})
    return root, child


def _run(coro):
    return asyncio.run(coro)


def test_a_new_state_class_is_reset_when_the_request_has_no_session() -> None:
    async def scenario() -> None:
        root, child = await tab("tab-1", cookie="", bound_session=7)
        await SessionBindingMiddleware().preprocess(None, root, Event(name="state.hydrate_and_load", payload={}))  # type: ignore[arg-type]
        page = await root.get_state(WrittenTomorrowState)
        assert (page.child_name, page.answers, page._draft_id) == ("", {}, 0)
        assert child.note == ""
        assert (await root.get_state(SessionBindingState))._bound_session_id == session_binding.SIGNED_OUT

    _run(scenario())


def test_state_built_signed_out_stays_when_still_signed_out() -> None:
    """Nothing to protect: a signed-out page keeps what was typed (the registration form, say)."""

    async def scenario() -> None:
        root, child = await tab("tab-3", cookie="", bound_session=session_binding.SIGNED_OUT)
        await SessionBindingMiddleware().preprocess(None, root, Event(name="state.x.save", payload={}))  # type: ignore[arg-type]
        assert (await root.get_state(WrittenTomorrowState)).child_name == "Alice Example"
        assert child.note == "private note"

    _run(scenario())


def test_every_portal_state_class_is_in_the_reset_walk() -> None:
    walked = set(session_binding._state_classes(State))
    ours = {cls for cls in _all_subclasses(State) if cls.__module__.startswith(("sen_portal.", __name__))}
    assert WrittenTomorrowState in walked and WrittenTomorrowChildState in walked
    assert ours and ours <= walked, sorted(c.__name__ for c in ours - walked)


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        if inspect.isclass(sub) and not getattr(sub, "_mixin", False):
            found.add(sub)
            found |= _all_subclasses(sub)
    return found


def test_the_binding_middleware_runs_first() -> None:
    middlewares = sen_portal.sen_portal.app._middlewares
    assert isinstance(middlewares[0], SessionBindingMiddleware)


def test_the_session_is_looked_up_once_per_event() -> None:
    """The middleware's lookup is reused by ``_require_user`` in the same event (no second read)."""
    user = CurrentUser(5, "a@example.org", "professional", "A", "B", session_id=9)

    async def one_event() -> CurrentUser | None:
        session_binding._resolved_this_event.set(("tok", user))  # what the middleware's lookup left
        return await user_for_cookie("sen_session=tok")

    async def another_cookie() -> CurrentUser | None:
        session_binding._resolved_this_event.set(("tok", user))
        return await user_for_cookie("")  # a different cookie (none) is never served the cache

    assert _run(one_event()) is user
    assert _run(another_cookie()) is None
