"""Many sent referrals at once, for demos and for the inbox benchmark (``seed_referrals``).

The rows are written the way ``referrals.submit`` leaves them (reference, denormalised inbox
columns, statutory dates, a timeline row) but in bulk, without validating answers one by one:
10,000 take seconds. The children are invented; nothing here is real data.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from sen_portal.models import ReferenceCounter, Referral, ReferralStatusChange, UserAccount, UserRole
from sen_portal.models.referrals import ReferralStatus
from sen_portal.services.platform.clock import Clock, system_clock
from sen_portal.services.platform.seed import install_shipped_forms
from sen_portal.services.referrals import drafts as referrals
from sen_portal.services.referrals.referral_intake import name_key
from sen_portal.services.referrals.statutory_dates import StatutoryDates

FIRST_NAMES = ("Amara", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hamza", "Isla", "Jack", "Kai", "Lily")
LAST_NAMES = ("Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fox", "Green", "Hughes", "Iqbal", "Jones", "Khan")
SETTINGS = ("Abbey Green Primary School", "Birches Head Nursery School", "Hanley Park Primary School", "Sandon High")
STATUSES = tuple(s for s in ReferralStatus if s != ReferralStatus.DRAFT)


def _demo_user(session: Session, email: str, role: str, first: str, last: str) -> UserAccount:
    user = session.exec(select(UserAccount).where(col(UserAccount.email) == email)).first()
    if user is None:
        user = UserAccount(email=email, role=role, first_name=first, last_name=last)
        session.add(user)
        session.flush()
    return user


def seed_referrals(
    session: Session, n: int, *, clock: Clock = system_clock, seed: int = 1, form_key: str = "ehc_needs_assessment"
) -> int:
    """Add ``n`` sent referrals spread over the last year (varied status, setting, caseworker); returns n."""
    install_shipped_forms(session)
    version = referrals.live_version(session, form_key=form_key)
    assert version is not None and version.id is not None
    owner = _demo_user(session, "demo.senco@school.example.org", UserRole.PROFESSIONAL, "Demo", "Senco")
    workers = [
        _demo_user(session, f"demo.caseworker{i}@council.example.gov.uk", UserRole.CASEWORKER, "Demo", f"Worker {i}")
        for i in (1, 2)
    ]
    now = clock()
    last_id = session.exec(select(Referral.id).order_by(col(Referral.id).desc())).first() or 0
    first_number = _reserve_numbers(session, version.reference_prefix, now.year, n)
    picker = random.Random(seed)
    rows = []
    for i in range(n):
        received_at = now - timedelta(days=picker.randint(0, 365), minutes=picker.randint(0, 600))
        dates = StatutoryDates.for_request(received_at)
        child = f"{picker.choice(FIRST_NAMES)} {picker.choice(LAST_NAMES)}"
        worker = picker.choice([None, *workers])
        rows.append(
            {
                "public_id": secrets.token_urlsafe(16),
                "reference": f"{version.reference_prefix}-{now.year}-{first_number + i:06d}",
                "form_version_id": version.id,
                "owner_user_id": owner.id,
                "status": picker.choice(STATUSES),
                "answers": {},
                "completed_sections": [],
                "child_name": child,
                "child_name_key": name_key(child),
                "child_dob": date(2010, 1, 1) + timedelta(days=picker.randint(0, 5000)),
                "setting_name": picker.choice(SETTINGS),
                "created_at": received_at,
                "updated_at": received_at,
                "submitted_at": received_at,
                "received_at": received_at,
                "decision_due_on": dates.decision_due_on,
                "final_plan_due_on": dates.final_plan_due_on,
                "assigned_to_user_id": worker.id if worker else None,
                "possible_duplicate": False,
                "decision_reason": "",
            }
        )
    for start in range(0, n, 1000):
        session.execute(insert(Referral), rows[start : start + 1000])
    ids = session.exec(select(Referral.id, Referral.received_at).where(col(Referral.id) > last_id)).all()
    changes = [
        {"referral_id": rid, "from_status": "draft", "to_status": "submitted", "note": "", "changed_at": at}
        for rid, at in ids
    ]
    for start in range(0, len(changes), 1000):
        session.execute(insert(ReferralStatusChange), changes[start : start + 1000])
    session.flush()
    return n


def _reserve_numbers(session: Session, prefix: str, year: int, n: int) -> int:
    """Take ``n`` reference numbers from the counter at once; returns the first."""
    first = int(referrals.next_reference(session, prefix=prefix, year=year).rsplit("-", 1)[1])
    if n > 1:
        session.execute(
            update(ReferenceCounter)
            .where(col(ReferenceCounter.prefix) == prefix, col(ReferenceCounter.year) == year)
            .values(last_number=col(ReferenceCounter.last_number) + (n - 1))
        )
    return first
