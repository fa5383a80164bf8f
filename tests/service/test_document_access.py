"""Who may download a referral's documents (both databases): the owner always, staff once it is sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sen_portal.config import Settings, settings_from_env
from sen_portal.db import session_scope
from sen_portal.models import StoredDocument, UserAccount
from sen_portal.services.documents import document_access
from sen_portal.services.lookups.lists import SHIPPED_LISTS, seed_lookup_list
from sen_portal.services.platform.seed import install_shipped_forms
from tests.service import test_referrals as journey
from tests.service.staff_helpers import audit_lines

pytestmark = pytest.mark.service


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_from_env(
        {"PUBLIC_URL": "https://portal.example.gov.uk", "SECRET_KEY": "k" * 48, "DOCUMENT_STORE_DIR": str(tmp_path)}
    )


@pytest.fixture
def portal(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        for list_key, csv_path in SHIPPED_LISTS.items():
            seed_lookup_list(session, list_key, csv_path)
        install_shipped_forms(session)
    return engine


def _allowed(engine: Engine, user_id: int, *, is_staff: bool) -> list[bool]:
    with Session(engine) as session:
        documents = session.exec(select(StoredDocument)).all()
        assert documents
        return [document_access.may_download(session, d, user_id=user_id, is_staff=is_staff) for d in documents]


def test_staff_see_a_referrals_documents_only_once_it_is_sent(portal: Engine, settings: Settings) -> None:
    clock = journey.Clock()
    owner = journey.make_user(portal, "owner@school.example.org")
    other = journey.make_user(portal, "other@school.example.org")
    caseworker = journey.make_user(portal, "casey@council.example.gov.uk")
    public_id = journey.ready_to_submit(portal, settings, clock, owner)

    assert set(_allowed(portal, owner, is_staff=False)) == {True}
    assert set(_allowed(portal, other, is_staff=False)) == {False}
    assert set(_allowed(portal, caseworker, is_staff=True)) == {False}  # still the professional's draft

    journey.submit(portal, owner, public_id, settings, clock)
    assert set(_allowed(portal, caseworker, is_staff=True)) == {True}
    assert set(_allowed(portal, other, is_staff=False)) == {False}


def test_an_unattached_upload_stays_its_owners(portal: Engine, settings: Settings) -> None:
    clock = journey.Clock()
    owner = journey.make_user(portal, "owner@school.example.org")
    public_id = journey.start(portal, owner, clock)
    journey.upload_pdf(portal, settings, owner=owner, public_id=public_id, slot="signed_consent_form", name="c.pdf")
    with session_scope(portal) as session:
        document = session.exec(select(StoredDocument)).one()
        document.container_kind, document.container_id = "draft", None
        session.add(document)
    assert _allowed(portal, owner + 100, is_staff=True) == [False]


def test_a_download_is_audited_without_the_file_name(portal: Engine, settings: Settings) -> None:
    clock = journey.Clock()
    owner = journey.make_user(portal, "owner@school.example.org")
    public_id = journey.start(portal, owner, clock)
    journey.upload_pdf(portal, settings, owner=owner, public_id=public_id, slot="signed_consent_form", name="c.pdf")
    with session_scope(portal) as session:
        document = session.exec(select(StoredDocument)).one()
        user = session.get(UserAccount, owner)
        assert user is not None
        document_access.record_download(session, document, user_id=owner, email=user.email, client_ip="192.0.2.9")
    with Session(portal) as session:
        [line] = audit_lines(session, "document_downloaded")
    assert (line.object_type, line.object_id, line.client_ip) == ("document", document.public_id, "192.0.2.9")
    assert line.detail == {"container": "referral", "own": True}
