"""Demo seeding: loads everything once, then does nothing on later starts."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from sen_portal.models import Address, LookupEntry
from sen_portal.services.addresses.address_import import import_addresses_csv
from sen_portal.services.lookups.lists import DOCUMENT_TYPE, PROFESSIONAL_ROLE, SETTING
from sen_portal.services.platform.seed import seed_demo_data

pytestmark = pytest.mark.service


def counts(session: Session) -> tuple[int, int]:
    return (
        session.exec(select(func.count()).select_from(LookupEntry)).one(),
        session.exec(select(func.count()).select_from(Address)).one(),
    )


def test_seeding_twice_loads_once(session: Session) -> None:
    first = seed_demo_data(session)
    after_first = counts(session)

    second = seed_demo_data(session)

    assert first.lookups_added[PROFESSIONAL_ROLE] == 16
    assert first.lookups_added[DOCUMENT_TYPE] == 5
    assert first.lookups_added[SETTING] >= 24
    assert first.addresses_added >= 300
    assert after_first == (sum(first.lookups_added.values()), first.addresses_added)
    assert counts(session) == after_first
    assert second.lookups_added == dict.fromkeys(first.lookups_added, 0)
    assert second.addresses_added == 0
    assert str(second) == "seed: nothing to load"
    assert str(first).startswith("seed: professional_role +16, setting +")
    assert str(first).endswith(f"addresses +{first.addresses_added}")


def test_seed_survives_a_commit_and_a_new_session(session: Session) -> None:
    seed_demo_data(session)
    session.commit()
    before = counts(session)

    with Session(session.get_bind()) as later:
        report = seed_demo_data(later)
        later.commit()

    assert str(report) == "seed: nothing to load"
    assert counts(session) == before


def test_demo_addresses_can_be_left_out(session: Session) -> None:
    report = seed_demo_data(session, demo_addresses=False)

    assert report.addresses_added == 0
    assert counts(session)[1] == 0
    assert report.lookups_added[PROFESSIONAL_ROLE] == 16


def test_demo_addresses_never_join_a_real_gazetteer(session: Session, tmp_path) -> None:
    real = tmp_path / "llpg.csv"
    real.write_text("uprn,line1,line2,line3,town,postcode\n3455001,1 Real Road,,,Stoke-on-Trent,ST4 7AA\n")
    import_addresses_csv(session, real)

    report = seed_demo_data(session)

    assert report.addresses_added == 0
    assert session.exec(select(Address.uprn)).all() == ["3455001"]
