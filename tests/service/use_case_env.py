"""The request pages' use cases (services.referrals.referral_journey) run on their own engine and
settings, read from the environment; these tests point them at the test's database instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from sen_portal.config import get_settings
from sen_portal.db import get_engine, session_scope
from sen_portal.services.lookups.lists import SHIPPED_LISTS, seed_lookup_list
from sen_portal.services.platform.seed import install_shipped_forms
from sen_portal.services.referrals import referral_journey as journey


def use_cases_on(engine: Engine, monkeypatch: pytest.MonkeyPatch, *, store: Path | None = None) -> Iterator[Engine]:
    """Use cases on ``engine`` (and a private document store), lookup lists and the EHC form live."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    if store is not None:
        monkeypatch.setenv("DOCUMENT_STORE_DIR", str(store))
    get_settings.cache_clear()
    get_engine.cache_clear()
    journey._owned.clear()
    monkeypatch.setattr(journey, "_lookups", None)
    with session_scope(engine) as session:
        for list_key, csv_path in SHIPPED_LISTS.items():
            seed_lookup_list(session, list_key, csv_path)
        install_shipped_forms(session)
    yield engine
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()
    journey._owned.clear()
