"""Property-based event fuzzer (issue 20): every handler of every state, hostile payloads, real processing.

Handlers are found by introspection (event_driver.own_handlers), so a new handler is fuzzed
without anyone listing it. Each event goes through Reflex's event processor with our middleware
and exception handler, for a signed-in professional's tab and a signed-in admin's tab, on SQLite
and PostgreSQL. After every event: no exception escaped a handler, the tab's state still
pickles and encodes as UTF-8 JSON (what a hydrate sends), every stored JSON value is valid
JSON, and at the end a normal event still works in the same tab.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from sen_portal.db import session_scope
from sen_portal.services.referrals import drafts as referrals
from tests.service.event_driver import Driver, Tab, invalid_json_cells, own_handlers, portal_env, signed_in

pytestmark = pytest.mark.service
__all__ = ["portal_env"]  # a fixture, imported for pytest

HOSTILE_TEXT = [
    "A\ud800B",
    "\udfff",
    "a\x00b",
    "\x1b[31m",
    "Sam\u202eenaJ",
    "\u2067x\u2069",
    "\u200b\u200b",
    "__proto__",
    "../../etc/passwd",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "0",
    "-1",
    "999999999999999999999999",
    "2023-02-29T10:00",
    "x" * 5_000,
]
HOSTILE_PATHS = [
    "/nope",
    "/requests/section?id=A\ud800B&section=\x00",
    "/staff/referral?id=%00",
    "/requests/section?id=" + "x" * 300,
    "/\u202e/..",
]
HOSTILE_NUMBERS = [math.nan, math.inf, -math.inf, 1e309, -0.0, 2**63, -(2**63), 10**30]

scalars = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=40),
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from(HOSTILE_NUMBERS),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["__proto__", "line1", "town", "q", "path", "value", "x"]), inner, max_size=4),
        # A form's submitted entries, as the browser wraps them.
        st.lists(st.tuples(st.sampled_from(["q", "status", "title", "child_first_name"]), inner), max_size=4).map(
            lambda entries: {"__reflex_form_data__": [list(e) for e in entries]}
        ),
    ),
    max_leaves=8,
)


hostile_text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40))
form_entries = st.lists(
    st.tuples(
        st.sampled_from(["q", "status", "title", "body", "child_first_name", "label", "value", "key", "email"]),
        hostile_text,
    ),
    max_size=5,
).map(lambda entries: {"__reflex_form_data__": [list(e) for e in entries]})


def _typed(hint: Any) -> st.SearchStrategy[Any]:
    """Hostile values *of the annotated type*, so they pass the gate and reach the handler body."""
    import typing

    from reflex_base.utils.form import FormData

    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if hint is str:
        return hostile_text
    if hint is int:
        return st.one_of(st.integers(), st.sampled_from([0, -1, 2**63, 10**30]))
    if hint is float:
        return st.floats(allow_nan=False, allow_infinity=False)
    if hint is bool:
        return st.booleans()
    if isinstance(hint, type) and issubclass(hint, FormData):
        return form_entries
    if hint is dict or typing.get_origin(hint) is dict or any(a is dict for a in args):
        return form_entries
    if typing.get_origin(hint) is list:
        return st.lists(hostile_text, max_size=4)
    if args:
        return st.one_of([_typed(a) for a in args])
    return values


def _hostile_payload(name: str, draw: Any) -> dict[str, Any]:
    """Hostile values of the right type (mostly), of any type, or missing/extra/unknown arguments."""
    from reflex_base.registry import RegistrationContext

    handler = RegistrationContext.get().event_handlers[name].handler
    fn = handler.fn
    hints = handler._get_type_hints()
    params = list(fn.__code__.co_varnames[1 : fn.__code__.co_argcount])
    shape = draw(st.sampled_from(["typed", "typed", "typed", "any type", "missing", "extra", "unknown path"]))
    if shape == "any type":
        return {param: draw(values) for param in params}
    payload = {param: draw(_typed(hints.get(param, Any))) for param in params}
    if shape == "missing" and payload:
        payload.pop(draw(st.sampled_from(sorted(payload))))
    elif shape == "extra":
        payload[draw(st.sampled_from(["extra", "__proto__", "self"]))] = draw(values)
    elif shape == "unknown path":
        paths = st.sampled_from(["items[99].x", "nope", "", "a" * 300, "x[-1]", "parents[0].__proto__"])
        payload = {param: draw(paths) if hints.get(param) is str else payload[param] for param in params}
    return payload


async def _check_after(driver: Driver, tab: Tab, engine: Engine, what: str) -> None:
    assert not driver.failures, f"{what} raised: {driver.failures[:3]!r}"
    await driver.assert_state_serialisable(tab)
    assert not invalid_json_cells(engine), f"{what} stored invalid JSON: {invalid_json_cells(engine)}"


def test_every_handler_survives_hostile_payloads(portal_env: Engine) -> None:
    from sen_portal.sen_portal import app

    handlers = own_handlers()
    assert len(handlers) > 50  # introspection found the portal's handlers, not an empty list
    pro_cookie, pro_id = signed_in(portal_env, "pro@school.example.org", "professional")
    admin_cookie, _ = signed_in(portal_env, "admin@council.example.gov.uk", "admin")
    with session_scope(portal_env) as session:
        draft = referrals.start_draft(session, user_id=pro_id, form_key="ehc_needs_assessment").public_id
    # The professional's tab is on one of their request's sections, so referral handlers do real work.
    tabs = [Tab(pro_cookie, path=f"/requests/section?id={draft}&section=child"), Tab(admin_cookie, path="/staff")]

    async def run_all(calls: list[tuple[int, str, dict[str, Any], str | None]]) -> None:
        async with Driver(app) as driver:
            for index, name, payload, path in calls:
                tab = tabs[index]
                await driver.send(tab, name, payload, path=path)
                await _check_after(driver, tab, portal_env, f"{name.rsplit('.', 1)[-1]}({payload!r:.200})")
            # A normal event still works in both tabs afterwards.
            for tab, normal in zip(tabs, ("referral_state.load_section", "staff_inbox_state.load"), strict=True):
                await driver.send(tab, _name(handlers, normal), {})
                await _check_after(driver, tab, portal_env, f"a normal {normal}")

    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        calls = []
        for _ in range(4):
            name = data.draw(st.sampled_from(handlers))
            # Mostly the tab's own page; sometimes an unknown or hostile one (router data is input too).
            path = data.draw(st.one_of(st.none(), st.none(), st.sampled_from(HOSTILE_PATHS)))
            calls.append((data.draw(st.integers(0, 1)), name, _hostile_payload(name, data.draw), path))
        asyncio.run(run_all(calls))

    # Every handler at least once, with wrong-typed arguments, then random sequences.
    fixed = [(i % 2, name, _hostile_payload_fixed(name, typed=True), None) for i, name in enumerate(handlers)]
    fixed += [(i % 2, name, _hostile_payload_fixed(name, typed=False), None) for i, name in enumerate(handlers)]
    asyncio.run(run_all(fixed))
    fuzz()


def _hostile_payload_fixed(name: str, *, typed: bool) -> dict[str, Any]:
    """Each argument either of its annotated type but hostile, or of a wrong type."""
    from reflex_base.registry import RegistrationContext
    from reflex_base.utils.form import FormData

    handler = RegistrationContext.get().event_handlers[name].handler
    hints = handler._get_type_hints()
    params = handler.fn.__code__.co_varnames[1 : handler.fn.__code__.co_argcount]
    if not typed:
        return {param: ["A\ud800B", {"__proto__": 1}] for param in params}

    def value(hint: Any) -> Any:
        text = "A\ud800B\x00\u202e" + "x" * 300
        if hint is int:
            return 2**63
        if hint is bool:
            return True
        if hint is float:
            return 1e308
        if hint is str or hint is Any:
            return text
        if (isinstance(hint, type) and issubclass(hint, FormData)) or "dict" in str(hint):
            return {"__reflex_form_data__": [[key, text] for key in ("q", "title", "body", "email", "label", "value")]}
        if "list" in str(hint):
            return [text]
        return text

    return {param: value(hints.get(param, Any)) for param in params}


def _name(handlers: list[str], suffix: str) -> str:
    return next(name for name in handlers if name.endswith(suffix))
