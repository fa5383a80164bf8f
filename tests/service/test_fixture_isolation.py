"""The ``session`` fixture's promise: a test's commits never reach the database other tests see."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from sen_portal.db import make_engine
from sen_portal.models import LookupEntry

pytestmark = pytest.mark.service


def test_a_committed_row_stays_inside_the_test(session: Session, backend: str, request: pytest.FixtureRequest) -> None:
    session.add(LookupEntry(list_key="professional_role", value="sen", label="SENCO", sort_order=1))
    session.commit()
    assert session.exec(select(func.count()).select_from(LookupEntry)).one() == 1

    outsider = make_engine(request.getfixturevalue(f"{backend}_url"))
    with Session(outsider) as elsewhere:
        assert elsewhere.exec(select(func.count()).select_from(LookupEntry)).one() == 0
    outsider.dispose()


def test_a_rolled_back_savepoint_keeps_what_was_committed_before(session: Session) -> None:
    session.add(LookupEntry(list_key="professional_role", value="sen", label="SENCO", sort_order=1))
    session.commit()
    session.add(LookupEntry(list_key="professional_role", value="hv", label="Health visitor", sort_order=2))
    session.rollback()

    assert session.exec(select(LookupEntry.value)).all() == ["sen"]
