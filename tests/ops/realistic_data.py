"""A portal's worth of real records for the backup, restore and upgrade tests, made by the services:
a caseworker and a professional with passwords, a sent request with documents, a message thread with
an attachment, and a second published version of the EHC form."""

from __future__ import annotations

import copy
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session

from sen_portal.config import Settings
from sen_portal.forms import shipped_definition_data
from sen_portal.models import ContainerKind, Referral, StoredDocument
from sen_portal.services import documents, messages, passwords, referral_intake, referrals
from sen_portal.services.referrals import publish_version
from sen_portal.services.seed import install_shipped_forms
from tests.service.message_helpers import user
from tests.unit.test_file_types import minimal_pdf

PASSWORD = "amber falcon orchard piano"  # tests/e2e/journeys.PASSWORD, so the journeys' sign_in works
PROFESSIONAL = "sam.senco@school.example.org"
CASEWORKER = "casey.worker@council.example.gov.uk"


@dataclass
class Dataset:
    professional_id: int
    caseworker_id: int
    referral_public_id: str
    reference: str
    # public id -> SHA-256 of the bytes uploaded
    document_hashes: dict[str, str] = field(default_factory=dict)


def a_pdf(number: int) -> bytes:
    """Distinct, valid PDFs (the upload checks the content), so every hash is different."""
    return minimal_pdf() + f"%% document {number}\n".encode()


def _upload(session: Session, settings: Settings, owner_id: int, name: str, data: bytes, **container) -> StoredDocument:
    writer = documents.begin_upload(
        settings, filename=name, owner_user_id=owner_id, already_stored_bytes=0, already_stored_count=0
    )
    with writer as upload:
        upload.write(data)
        return upload.finish(session, **container)


def sent_request(session: Session, owner_id: int, *, child_name: str = "Jamie Rivers") -> Referral:
    """A request as submit leaves it, numbered from the portal's own counter (as tests/e2e/journeys.py)."""
    version = referrals.live_version(session, form_key="ehc_needs_assessment")
    assert version is not None
    now = datetime.now(UTC)
    inbox = referral_intake.inbox_columns(
        referrals.definition_of(version),
        {},
        child_name=child_name,
        lookup_labels=referrals.lookup_labels(session),
        received_at=now,
    )
    referral = Referral(
        public_id=secrets.token_urlsafe(16),
        reference=referrals.next_reference(session, prefix=version.reference_prefix, year=now.year),
        form_version_id=version.id or 0,
        owner_user_id=owner_id,
        status="submitted",
        submitted_at=now,
        **inbox,
    )
    session.add(referral)
    session.flush()
    referral_intake.after_submit(session, referral, user_id=owner_id, now=now)
    session.commit()
    return referral


def make_realistic_data(session: Session, settings: Settings) -> Dataset:
    install_shipped_forms(session)
    session.commit()
    password_hash = passwords.hash_password(PASSWORD, pepper=passwords.password_pepper(settings))
    staff = user(session, CASEWORKER, role="caseworker", password_hash=password_hash, approval_status="approved")
    pro = user(session, PROFESSIONAL, password_hash=password_hash, approval_status="approved")
    assert pro.id
    case = sent_request(session, pro.id)
    assert pro.id and staff.id and case.id and case.reference
    data = Dataset(pro.id, staff.id, case.public_id, case.reference)
    for number, slot in enumerate(("sen_support_plans", "sen_support_plans", "signed_consent_form")):
        pdf = a_pdf(number)
        document = _upload(
            session,
            settings,
            pro.id,
            f"{slot}-{number}.pdf",
            pdf,
            container_kind=ContainerKind.REFERRAL,
            container_id=case.id,
            slot=slot,
        )
        data.document_hashes[document.public_id] = hashlib.sha256(pdf).hexdigest()
    session.commit()
    attachment_bytes = a_pdf(99)
    attachment = _upload(
        session,
        settings,
        staff.id,
        "letter.pdf",
        attachment_bytes,
        container_kind=ContainerKind.DRAFT,
        container_id=None,
    )
    session.commit()
    data.document_hashes[attachment.public_id] = hashlib.sha256(attachment_bytes).hexdigest()
    messages.post_message(
        session,
        referral_public_id=case.public_id,
        author_user_id=staff.id,
        body="Please find our letter attached.",
        settings=settings,
        attachment_ids=[attachment.id or 0],
    )
    messages.post_message(
        session, referral_public_id=case.public_id, author_user_id=pro.id, body="Thank you.", settings=settings
    )
    second = copy.deepcopy(shipped_definition_data("ehc_needs_assessment"))
    second["title"] = second["title"] + " (2027)"
    publish_version(session, definition=second)
    session.commit()
    return data
