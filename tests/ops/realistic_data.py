"""A portal's worth of real records for the backup, restore and upgrade tests, made by the services:
a caseworker and a professional with passwords, a sent request with documents, a message thread with
an attachment, and a second published version of the EHC form."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field

from sqlmodel import Session

from sen_portal.config import Settings
from sen_portal.forms import shipped_definition_data
from sen_portal.models import ContainerKind, StoredDocument
from sen_portal.services import documents, messages, passwords
from sen_portal.services.referrals import publish_version
from sen_portal.services.seed import install_shipped_forms
from tests.service.message_helpers import referral, user
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


def make_realistic_data(session: Session, settings: Settings) -> Dataset:
    install_shipped_forms(session)
    session.commit()
    password_hash = passwords.hash_password(PASSWORD, pepper=passwords.password_pepper(settings))
    staff = user(session, CASEWORKER, role="caseworker", password_hash=password_hash, approval_status="approved")
    pro = user(session, PROFESSIONAL, password_hash=password_hash, approval_status="approved")
    case = referral(session, pro)
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
