"""What a field change reads without the database (referral_journey.cached_definition_for) stays safe.

Ownership is still checked the first time each user asks for a request, and a cache entry belongs
to one (user, request) pair: nobody else's request is ever answered from it. Lookup lists are kept
for LOOKUPS_FRESH_FOR seconds only.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from sen_portal.db import session_scope
from sen_portal.models import LookupEntry, UserAccount
from sen_portal.services.referrals import drafts as referrals
from sen_portal.services.referrals import referral_journey as journey
from tests.service.use_case_env import use_cases_on

pytestmark = pytest.mark.service


@pytest.fixture
def portal(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The use cases' own engine (settings) pointed at the test database, with the EHC form live."""
    yield from use_cases_on(engine, monkeypatch)


def make_user(engine: Engine, email: str) -> int:
    with session_scope(engine) as session:
        user = UserAccount(email=email, first_name="Sam", last_name="Jones")
        session.add(user)
        session.flush()
        assert user.id is not None
        return user.id


def test_the_cache_answers_only_the_owner_and_only_after_a_checked_read(portal: Engine) -> None:
    owner, other = make_user(portal, "owner@school.example.org"), make_user(portal, "other@school.example.org")
    public_id, _section = journey.start(owner, "ehc_needs_assessment")

    assert journey.cached_definition_for(owner, public_id) is None  # nothing read yet
    definition, lookups = journey.definition_for(owner, public_id)
    cached = journey.cached_definition_for(owner, public_id)
    assert cached is not None and cached[0] is definition and cached[1] == lookups

    assert journey.cached_definition_for(other, public_id) is None
    with pytest.raises(referrals.ReferralNotFound):
        journey.definition_for(other, public_id)
    assert journey.cached_definition_for(other, public_id) is None  # a refusal is never cached


def test_lookup_lists_are_read_again_once_they_are_stale(portal: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = make_user(portal, "owner@school.example.org")
    public_id, _section = journey.start(owner, "ehc_needs_assessment")
    _definition, before = journey.definition_for(owner, public_id)
    with session_scope(portal) as session:
        session.add(LookupEntry(list_key="setting", value="new-school", label="New School", sort_order=999))

    assert "new-school" not in journey.definition_for(owner, public_id)[1]["setting"]  # still fresh
    now = journey.time.monotonic()
    monkeypatch.setattr(journey.time, "monotonic", lambda: now + journey.LOOKUPS_FRESH_FOR + 1)
    assert journey.cached_definition_for(owner, public_id) is None  # stale: the event handler goes to the database
    assert journey.definition_for(owner, public_id)[1]["setting"]["new-school"] == "New School"
    assert "new-school" not in before["setting"]
