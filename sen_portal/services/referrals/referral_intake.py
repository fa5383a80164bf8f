"""What happens to a referral the moment it is sent: copy what the staff inbox needs out of the
answers, start the statutory clock, and flag a possible duplicate.

Forms are data and other forms will exist, so the answers this module reads are named in one
small mapping (``INBOX_FIELDS``). A form without one of them simply leaves that column empty:
no date of birth means no duplicate check, no setting means a blank setting column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from sen_portal.forms import FormDefinition
from sen_portal.models import Referral, ReferralStatusChange
from sen_portal.models.referrals import ReferralStatus
from sen_portal.services.referrals.statutory_dates import StatutoryDates

# Referral column -> the answer (field name) it is copied from. The child's name already has
# its own rule (referrals._child_name: child_first_name + child_last_name).
INBOX_FIELDS: Mapping[str, str] = {
    "child_dob": "child_date_of_birth",  # a "date" field, stored as ISO "2016-03-05"
    "setting_name": "current_setting",  # a lookup value (shown by its label) or free text
}

_NOT_A_LETTER = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")


def name_key(name: str) -> str:
    """ "Zoë  O'Brien-Smith" -> "zoe obriensmith": the same child typed two ways compares equal."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", _NOT_A_LETTER.sub("", letters.casefold())).strip()[:200]


def inbox_columns(
    definition: FormDefinition,
    answers: Mapping[str, Any],
    *,
    child_name: str,
    lookup_labels: Mapping[str, Mapping[str, str]],
    received_at: datetime,
) -> dict[str, Any]:
    """The denormalised columns for a referral being sent (pass them to the submit UPDATE)."""
    dates = StatutoryDates.for_request(received_at)
    return {
        "child_name": child_name,
        "child_name_key": name_key(child_name),
        "child_dob": _as_date(answers.get(INBOX_FIELDS["child_dob"])),
        "setting_name": _setting_label(definition, answers, lookup_labels),
        "received_at": received_at,
        "decision_due_on": dates.decision_due_on,
        "final_plan_due_on": dates.final_plan_due_on,
    }


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _setting_label(
    definition: FormDefinition, answers: Mapping[str, Any], lookup_labels: Mapping[str, Mapping[str, str]]
) -> str:
    name = INBOX_FIELDS["setting_name"]
    value = answers.get(name)
    if not isinstance(value, str) or not value.strip():
        return ""
    field = next((f for s in definition.sections for f in s.fields if getattr(f, "name", None) == name), None)
    lookup = getattr(field, "lookup", None)
    options = {o.value: o.label for o in getattr(field, "options", None) or []}
    label = lookup_labels.get(lookup, {}).get(value) if lookup else options.get(value)
    return (label or value).strip()[:200]


def after_submit(session: Session, referral: Referral, *, user_id: int, now: datetime) -> None:
    """Once the submit UPDATE has claimed the draft: flag duplicates and start the timeline."""
    flag_duplicates(session, referral)
    session.add(
        ReferralStatusChange(
            referral_id=referral.id or 0,
            from_status=ReferralStatus.DRAFT,
            to_status=ReferralStatus.SUBMITTED,
            actor_user_id=user_id,
            changed_at=now,
        )
    )


def flag_duplicates(session: Session, referral: Referral) -> list[Referral]:
    """Mark this referral and every other sent one for the same child (name + date of birth).

    Both sides are flagged: whoever opens either sees the warning. Returns the others.
    """
    if not referral.child_name_key or referral.child_dob is None:
        return []
    others = list(
        session.exec(
            select(Referral).where(
                col(Referral.child_name_key) == referral.child_name_key,
                col(Referral.child_dob) == referral.child_dob,
                col(Referral.received_at).is_not(None),
                col(Referral.id) != referral.id,
            )
        )
    )
    if others:
        for match in [referral, *others]:
            match.possible_duplicate = True
            session.add(match)
        session.flush()
    return others


def duplicates_of(session: Session, referral: Referral) -> list[Referral]:
    """The other sent referrals for the same child (for the warning on the detail page)."""
    if not referral.possible_duplicate or not referral.child_name_key or referral.child_dob is None:
        return []
    return list(
        session.exec(
            select(Referral)
            .where(
                col(Referral.child_name_key) == referral.child_name_key,
                col(Referral.child_dob) == referral.child_dob,
                col(Referral.received_at).is_not(None),
                col(Referral.id) != referral.id,
            )
            .order_by(col(Referral.received_at))
        )
    )
