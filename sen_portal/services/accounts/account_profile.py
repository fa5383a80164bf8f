"""What the account settings pages show about the signed-in user (read only, plain values)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from sen_portal.models import UserAccount, UserRole
from sen_portal.services.accounts.registration_steps import OTHER_ROLE
from sen_portal.services.auth import totp
from sen_portal.services.lookups import lists as lookups

# The fields ``account.update_details`` takes, in the order the pages show them.
PERSONAL_FIELDS = ("title", "first_name", "last_name", "phone")
WORK_FIELDS = (
    "professional_role",
    "professional_role_other",
    "organisation",
    "job_title",
    "work_phone",
    "address_line1",
    "address_line2",
    "address_town",
    "address_postcode",
    "address_uprn",
)


@dataclass(frozen=True)
class AccountProfile:
    email: str
    pending_email: str
    is_professional: bool
    personal: dict[str, str]
    work: dict[str, str]
    role_name: str  # the role list's label for the saved value ("SENCO", "Other")
    role_label: str  # the role as the summary shows it ("SENCO", "Other: Play therapist")
    maintenance_emails: bool
    totp_enabled_at: datetime | None
    unused_recovery_codes: int
    context_words: list[str] = field(default_factory=list)  # for the password rules

    @property
    def address(self) -> str:
        parts = (self.work[name] for name in ("address_line1", "address_line2", "address_town", "address_postcode"))
        return ", ".join(part for part in parts if part)


def load_profile(session: Session, *, user_id: int) -> AccountProfile:
    """The user's details as the pages show them; LookupError for a missing or disabled account."""
    user = session.get(UserAccount, user_id)
    if user is None or not user.is_active:
        raise LookupError("no active account with that id")
    role = user.professional_role
    listed = lookups.label_for(session, lookups.PROFESSIONAL_ROLE, role) if role else None
    role_name = listed or role
    role_label = role_name
    if role == OTHER_ROLE and user.professional_role_other:
        role_label = f"{role_name}: {user.professional_role_other}"
    return AccountProfile(
        email=user.email,
        pending_email=user.pending_email or "",
        is_professional=user.role == UserRole.PROFESSIONAL,
        personal={name: getattr(user, name) or "" for name in PERSONAL_FIELDS},
        work={name: getattr(user, name) or "" for name in WORK_FIELDS},
        role_name=role_name,
        role_label=role_label,
        maintenance_emails=user.maintenance_emails,
        totp_enabled_at=user.totp_enabled_at,
        unused_recovery_codes=totp.unused_recovery_codes(session, user_id=user_id) if user.totp_enabled_at else 0,
        context_words=[user.email, user.first_name, user.last_name],
    )
