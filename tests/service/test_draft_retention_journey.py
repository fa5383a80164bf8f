"""Uploading or removing a file on the upload page is working on the draft: DRAFT_RETENTION_DAYS starts
again, just as after saving a section (referral_journey sets Referral.updated_at). Both databases."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from sen_portal.config import get_settings
from sen_portal.services.referrals import referral_journey as journey
from tests.service.test_draft_retention import exists, housekeeping, make_user, warnings
from tests.service.test_referrals import Clock, start, upload_pdf
from tests.service.use_case_env import use_cases_on
from tests.unit.test_file_types import minimal_pdf

pytestmark = pytest.mark.service


@dataclass
class Chunk:
    """What ``rx.upload_files_chunk`` hands the streaming handler."""

    filename: str
    offset: int
    content_type: str
    data: bytes


async def one_chunk(name: str, data: bytes) -> AsyncIterator[Chunk]:
    yield Chunk(name, 0, "application/pdf", data)


@pytest.fixture
def portal(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Engine]:
    """The use cases' own engine and settings pointed at the test database and a private store."""
    yield from use_cases_on(engine, monkeypatch, store=tmp_path / "store")


def test_uploading_or_removing_a_file_after_the_warning_keeps_the_draft(portal: Engine) -> None:
    settings = get_settings()
    # The upload page uses the real time, so the story is told around it: started 170 days ago,
    # warned 4 days ago, looked at again 12 days from now (182 untouched days, warned 16 days before).
    now = datetime.now(UTC)
    clock = Clock()
    clock.now = now - timedelta(days=170)
    owner = make_user(portal, "senco@school.example.org")
    uploads_again, removes_a_file, leaves_it = (start(portal, owner, clock) for _ in range(3))
    unwanted = upload_pdf(portal, settings, owner=owner, public_id=removes_a_file, slot="progress_data", name="a.pdf")
    clock.now = now - timedelta(days=4)
    housekeeping(portal, settings, clock)
    assert len(warnings(portal)) == 3

    uploaded = asyncio.run(
        journey.receive_upload(owner, uploads_again, "progress_data", one_chunk("b.pdf", minimal_pdf()))
    )
    assert not uploaded.refused, uploaded.message
    journey.remove_document(owner, removes_a_file, unwanted)

    clock.now = now + timedelta(days=12)
    housekeeping(portal, settings, clock)
    assert exists(portal, uploads_again) and exists(portal, removes_a_file)
    assert not exists(portal, leaves_it)  # the control: without the upload or removal, gone
