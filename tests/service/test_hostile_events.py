"""Issue 20's numbered defects, each as the hand-made event that showed it, through the real event processing.

Each test sends the event to a signed-in tab (event_driver) on SQLite and PostgreSQL and checks what
the user and the database end up with. Without the gate (state/payload_gate.py) and the recovery
(state/tab_recovery.py) each of these failed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sen_portal.db import session_scope
from sen_portal.models import Referral
from sen_portal.services.casework import staff_cases
from sen_portal.services.referrals import drafts as referrals
from sen_portal.state.referral import ReferralState
from sen_portal.state.registration import RegistrationState
from sen_portal.state.staff_inbox import StaffInboxState
from tests.service.event_driver import Driver, Tab, invalid_json_cells, portal_env, signed_in

pytestmark = pytest.mark.service
__all__ = ["portal_env"]  # a fixture, imported for pytest


def _event(state: type, handler: str) -> str:
    return f"{state.get_full_name()}.{handler}"


def _form(**fields: str) -> dict[str, Any]:
    return {"__reflex_form_data__": [[k, v] for k, v in fields.items()]}


def _run(steps: Any) -> Any:
    from sen_portal.sen_portal import app

    async def go() -> Any:
        async with Driver(app) as driver:
            return await steps(driver)

    return asyncio.run(go())


async def _substate(driver: Driver, tab: Tab, state: type) -> Any:
    return await (await driver.root_state(tab)).get_state(state)


def test_1_a_lone_surrogate_in_the_staff_search_does_not_break_the_tab(portal_env: Engine) -> None:
    cookie, _ = signed_in(portal_env, "admin@council.example.gov.uk", "admin")
    tab = Tab(cookie, path="/staff")

    async def steps(driver: Driver) -> None:
        await driver.send(tab, _event(StaffInboxState, "load"), {})
        await driver.send(tab, _event(StaffInboxState, "apply_filters"), {"form_data": _form(q="A\ud800B")})
        assert not driver.failures
        await driver.assert_state_serialisable(tab)  # a hydrate can be sent: no re-send loop
        inbox = await _substate(driver, tab, StaffInboxState)
        assert inbox.search == "A\ufffdB"  # shown back as typed, as far as it can be
        await driver.send(tab, _event(StaffInboxState, "load"), {})
        assert not driver.failures and inbox.loaded

    _run(steps)


def test_2_a_field_that_cannot_be_stored_is_marked_and_the_rest_of_the_section_saved(portal_env: Engine) -> None:
    cookie, user_id = signed_in(portal_env, "pro@school.example.org", "professional")
    with session_scope(portal_env) as session:
        draft = referrals.start_draft(session, user_id=user_id, form_key="ehc_needs_assessment").public_id
    tab = Tab(cookie, path=f"/requests/section?id={draft}&section=child")

    async def steps(driver: Driver) -> None:
        await driver.send(tab, _event(ReferralState, "load_section"), {})
        typed = _form(child_first_name="A\ud800B", child_last_name="Quillfeather")
        await driver.send(tab, _event(ReferralState, "save_and_continue"), {"form_data": typed})
        assert not driver.failures
        page = await _substate(driver, tab, ReferralState)
        assert page.errors["child_first_name"] == "First name contains characters we cannot store"
        await driver.assert_state_serialisable(tab)

    _run(steps)
    with Session(portal_env) as session:
        answers = session.exec(select(Referral.answers).where(Referral.public_id == draft)).one()
    assert answers["child_last_name"] == "Quillfeather"
    assert "child_first_name" not in answers


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 1e309])
def test_3_a_non_finite_number_in_set_value_is_refused(portal_env: Engine, bad: float) -> None:
    cookie, user_id = signed_in(portal_env, "pro@school.example.org", "professional")
    with session_scope(portal_env) as session:
        draft = referrals.start_draft(session, user_id=user_id, form_key="ehc_needs_assessment").public_id
    tab = Tab(cookie, path=f"/requests/section?id={draft}&section=graduated-approach")

    async def steps(driver: Driver) -> None:
        await driver.send(tab, _event(ReferralState, "load_section"), {})
        await driver.send(tab, _event(ReferralState, "set_value"), {"path": "apdr_cycles", "value": bad})
        await driver.send(tab, _event(ReferralState, "save_and_continue"), {"form_data": _form()})
        assert not driver.failures

    _run(steps)
    assert not invalid_json_cells(portal_env)


def test_6_a_long_email_is_reported_as_too_long_and_kept_whole(portal_env: Engine) -> None:
    tab = Tab("")
    address = "a" * 290 + "@example.org"

    async def steps(driver: Driver) -> None:
        await driver.send(tab, _event(RegistrationState, "set_field"), {"field": "email", "value": address})
        await driver.send(tab, _event(RegistrationState, "submit_account"), {})
        assert not driver.failures
        page = await _substate(driver, tab, RegistrationState)
        assert page.email == address
        assert page.errors["email"] == "Email address must be 254 characters or fewer"

    _run(steps)


@pytest.mark.parametrize(
    "handler, payload",
    [
        ("set_field", {"field": ["first_name"], "value": "x"}),
        ("set_field", {"field": "first_name", "value": {"a": 1}}),
        ("set_field", {"field": "first_name"}),
        ("set_field", {"field": "first_name", "value": "x", "extra": 1}),
        ("set_maintenance_emails", {"checked": "yes"}),
        ("submit_personal", {"_form": ["not", "a", "form"]}),
    ],
)
def test_7_wrong_typed_payloads_are_refused_quietly(
    portal_env: Engine, handler: str, payload: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    tab = Tab("")

    async def steps(driver: Driver) -> None:
        await driver.send(tab, _event(RegistrationState, handler), payload)
        assert not driver.failures
        page = await _substate(driver, tab, RegistrationState)
        assert page.first_name == "" and page.maintenance_emails is False

    _run(steps)
    refusals = [r for r in caplog.records if "refused event" in r.getMessage()]
    assert len(refusals) == 1 and refusals[0].exc_info is None  # one line, no traceback


def test_a_failing_handler_resets_its_state_and_the_next_event_works(
    portal_env: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookie, _ = signed_in(portal_env, "admin@council.example.gov.uk", "admin")
    tab = Tab(cookie, path="/staff")
    real_inbox = staff_cases.inbox

    def broken_for_one_search(actor: Any, query: Any) -> Any:
        if query.search == "boom":
            raise RuntimeError("a bug in the search")
        return real_inbox(actor, query)

    monkeypatch.setattr(staff_cases, "inbox", broken_for_one_search)

    async def steps(driver: Driver) -> None:
        await driver.send(tab, _event(StaffInboxState, "load"), {})
        await driver.send(tab, _event(StaffInboxState, "apply_filters"), {"form_data": _form(q="boom")})
        assert [type(f) for f in driver.failures] == [RuntimeError]
        inbox = await _substate(driver, tab, StaffInboxState)
        assert inbox.search == ""  # reset: the next page load does not hit the same failure
        driver.failures.clear()
        await driver.send(tab, _event(StaffInboxState, "load"), {})
        assert not driver.failures and inbox.loaded

    _run(steps)


def test_6_a_long_search_is_reported_beside_the_box_and_kept_whole(portal_env: Engine) -> None:
    cookie, _ = signed_in(portal_env, "admin@council.example.gov.uk", "admin")
    tab = Tab(cookie, path="/staff")

    async def steps(driver: Driver) -> None:
        await driver.send(tab, _event(StaffInboxState, "load"), {})
        await driver.send(tab, _event(StaffInboxState, "apply_filters"), {"form_data": _form(q="Jamie " * 20)})
        inbox = await _substate(driver, tab, StaffInboxState)
        assert inbox.search == ("Jamie " * 20).strip()
        assert inbox.search_error == "Search must be 100 characters or fewer"
        await driver.send(tab, _event(StaffInboxState, "apply_filters"), {"form_data": _form(q="Jamie")})
        assert inbox.search_error == ""
        assert not driver.failures

    _run(steps)
