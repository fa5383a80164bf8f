"""The account-wide upload total (MAX_ACCOUNT_UPLOAD_MB, MAX_UNAPPROVED_UPLOAD_MB), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from sen_portal.config import Settings
from sen_portal.models import Referral, UserAccount
from sen_portal.services.documents import upload_quota
from sen_portal.services.documents.streaming import UploadRefused, begin_upload
from sen_portal.services.platform.seed import install_shipped_forms
from sen_portal.services.referrals import drafts as referrals
from tests.service.test_documents import MB, make_settings, pdf_of_size

pytestmark = pytest.mark.service


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Files up to 1 MB, 2 MB a request; 3 MB an approved account, 1 MB one awaiting approval.
    return make_settings(tmp_path, MAX_ACCOUNT_UPLOAD_MB="3", MAX_UNAPPROVED_UPLOAD_MB="1")


def make_user(session: Session, email: str, approval_status: str = "approved") -> int:
    user = UserAccount(email=email, approval_status=approval_status)
    session.add(user)
    session.commit()
    assert user.id is not None
    return user.id


def store(session: Session, settings: Settings, *, owner: int, size: int, kind: str, container_id: int | None) -> None:
    room = upload_quota.account_room(session, user_id=owner, settings=settings)
    with begin_upload(
        settings,
        filename="plan.pdf",
        owner_user_id=owner,
        already_stored_bytes=0,
        already_stored_count=0,
        account_room_bytes=room,
    ) as writer:
        writer.write(pdf_of_size(size))
        writer.finish(session, container_kind=kind, container_id=container_id, slot="plans", document_type="plan")
    session.commit()


def draft_of(session: Session, owner: int) -> int:
    if referrals.live_version(session, form_key="ehc_needs_assessment") is None:
        install_shipped_forms(session)
    referral_id = referrals.start_draft(session, user_id=owner, form_key="ehc_needs_assessment").id
    session.commit()
    assert referral_id is not None
    return referral_id


def test_files_across_drafts_and_messages_count_towards_one_total(session: Session, settings: Settings) -> None:
    owner = make_user(session, "senco@school.example.org")
    near = MB - 10_000
    store(session, settings, owner=owner, size=near, kind="referral", container_id=draft_of(session, owner))
    store(session, settings, owner=owner, size=near, kind="referral", container_id=draft_of(session, owner))
    store(session, settings, owner=owner, size=near, kind="draft", container_id=None)  # a message attachment
    assert upload_quota.unsent_bytes(session, user_id=owner) == 3 * near

    with pytest.raises(UploadRefused, match="as many files as your account may keep"):
        store(session, settings, owner=owner, size=100_000, kind="draft", container_id=None)


def test_sent_requests_do_not_count(session: Session, settings: Settings) -> None:
    owner = make_user(session, "senco@school.example.org")
    sent = draft_of(session, owner)
    store(session, settings, owner=owner, size=MB - 10_000, kind="referral", container_id=sent)
    referral = session.get(Referral, sent)
    assert referral is not None
    referral.status = "submitted"
    session.add(referral)
    session.commit()
    assert upload_quota.unsent_bytes(session, user_id=owner) == 0


def test_an_account_awaiting_approval_has_the_smaller_total(session: Session, settings: Settings) -> None:
    owner = make_user(session, "new@school.example.org", approval_status="pending")
    store(session, settings, owner=owner, size=MB - 10_000, kind="draft", container_id=None)
    with pytest.raises(UploadRefused, match="as many files as your account may keep"):
        store(session, settings, owner=owner, size=20_000, kind="draft", container_id=None)
    # Another account is not affected by this one's files.
    other = make_user(session, "other@school.example.org", approval_status="pending")
    store(session, settings, owner=other, size=20_000, kind="draft", container_id=None)
