"""Use cases behind the staff pages: each opens its own unit of work and returns plain display data.

The Reflex state checks the role, builds an ``Actor`` from the session and calls one function here
off the event loop. The services below re-check that the actor is active staff.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.forms.fields.dates import format_date
from sen_portal.models import FormVersion, UserAccount
from sen_portal.models.referrals import ReferralStatus
from sen_portal.services import (
    inbox_export,
    messages,
    referral_intake,
    referral_journey,
    referral_workflow,
    staff_inbox,
)
from sen_portal.services.audit import Actor
from sen_portal.services.referral_workflow import AWAITING_DECISION, AWAITING_PLAN
from sen_portal.services.statutory_dates import COUNCIL_TIMEZONE, council_today, days_left, is_overdue, local_date


def _date(value: date | None) -> str:
    return format_date(value) if value else ""


def _short_date(value: date | None) -> str:
    """ "28 Nov 2026": table cells stay narrow (GOV.UK allows short months in tables)."""
    return f"{value.day} {value.strftime('%b')} {value.year}" if value else ""


def _days(left: int | None, overdue: bool, which: str = "") -> str:
    """ "31 days left to decide", "Final plan overdue by 4 days", "" when no deadline is running."""
    if left is None:
        return ""
    if overdue:
        return f"{which.capitalize() or 'Deadline'} overdue by {-left} day{'s' if left != -1 else ''}".strip()
    if left == 0:
        return f"{which.capitalize() or 'Deadline'} due today"
    days = f"{left} day{'s' if left != 1 else ''} left"
    return f"{days} to the {which}" if which else days


def _which(status: str) -> str:
    return "decision" if status in AWAITING_DECISION else "final plan" if status in AWAITING_PLAN else ""


# ---- inbox ----------------------------------------------------------------------------------------


@dataclass
class InboxView:
    rows: list[dict[str, str]]
    total: int
    page: int
    page_count: int
    settings: list[str]
    total_label: str = ""  # "1,000+ referrals" once the count stops at its cap


def inbox(actor: Actor, query: staff_inbox.InboxQuery) -> InboxView:
    with session_scope() as session:
        referral_workflow.staff_account(session, actor)
        found = staff_inbox.search(session, query)
        rows = [
            {
                "public_id": r.public_id,
                "reference": r.reference,
                "child": r.child_name,
                "setting": r.setting,
                "referrer": r.referrer,
                "received": _short_date(r.received_on),
                "status": r.status_label,
                "days_left": _days(r.days_left, r.overdue, _which(r.status)),
                "overdue": "yes" if r.overdue else "",
                "caseworker": r.caseworker or "Not assigned",
                "form": r.form_title,
                "duplicate": "yes" if r.possible_duplicate else "",
                "unread": f"{r.unread_messages} unread" if r.unread_messages else "None",
            }
            for r in found.rows
        ]
        settings = staff_inbox.settings_in_use(session)
        return InboxView(rows, found.total, found.page, found.page_count, settings, found.total_label)


def export(actor: Actor, query: staff_inbox.InboxQuery) -> str:
    with session_scope() as session:
        return inbox_export.export_csv(session, query, actor)


# ---- one referral -----------------------------------------------------------------------------------


@dataclass
class ReferralView:
    reference: str
    form_title: str
    status: str
    status_label: str
    child_name: str
    setting: str
    referrer: str
    referrer_email: str
    received: str
    decision_due: str
    final_plan_due: str
    deadline_note: str
    overdue: bool
    decision_reason: str
    assigned_to: str
    assigned_label: str
    summary: list[dict[str, str]]
    documents: list[dict[str, str]]
    timeline: list[dict[str, str]]
    caseworkers: list[dict[str, str]]
    next_statuses: list[dict[str, str]]
    duplicates: list[dict[str, str]] = field(default_factory=list)


def referral(actor: Actor, public_id: str, *, opened: bool = True) -> ReferralView:
    """Everything the staff referral page shows; opening it is audited (REFERRAL_VIEWED), redrawing
    it after a change (``opened=False``) is not: the change has its own audit line."""
    with session_scope() as session:
        if opened:
            found = referral_workflow.record_view(session, referral_public_id=public_id, actor=actor)
        else:
            referral_workflow.staff_account(session, actor)
            found = referral_workflow.sent_referral(session, public_id)
        version = session.get(FormVersion, found.form_version_id)
        owner = session.get(UserAccount, found.owner_user_id)
        assert version is not None and owner is not None
        read_back = referral_journey.read_back(session, found, version)
        today = council_today()
        due = (
            found.decision_due_on
            if found.status in AWAITING_DECISION
            else found.final_plan_due_on
            if found.status in AWAITING_PLAN
            else None
        )
        overdue = bool(due and is_overdue(due, today))
        workers = referral_workflow.caseworkers(session)
        assigned = next((w for w in workers if w.id == found.assigned_to_user_id), None)
        return ReferralView(
            reference=found.reference or "",
            form_title=version.title,
            status=found.status,
            status_label=referral_workflow.status_label(found.status),
            child_name=found.child_name,
            setting=found.setting_name,
            referrer=owner.full_name or owner.email,
            referrer_email=owner.email,
            received=_date(local_date(found.received_at)) if found.received_at else "",
            decision_due=_date(found.decision_due_on),
            final_plan_due=_date(found.final_plan_due_on),
            deadline_note=_days(days_left(due, today), overdue, _which(found.status)) if due else "",
            overdue=overdue,
            decision_reason=found.decision_reason,
            assigned_to=str(found.assigned_to_user_id or ""),
            assigned_label=(assigned.full_name or assigned.email) if assigned else "Not assigned",
            summary=read_back.rows,
            documents=read_back.documents,
            timeline=[
                {
                    "when": _date(local_date(change.changed_at))
                    + change.changed_at.astimezone(COUNCIL_TIMEZONE).strftime(" at %H:%M"),
                    "from": referral_workflow.status_label(change.from_status),
                    "to": referral_workflow.status_label(change.to_status),
                    "who": (user.full_name or user.email) if user else "",
                    "note": change.note,
                }
                for change, user in referral_workflow.timeline(session, found.id or 0)
            ],
            caseworkers=[{"value": str(w.id), "label": w.full_name or w.email} for w in workers],
            next_statuses=[
                {"value": s, "label": referral_workflow.status_label(s)}
                for s in referral_workflow.allowed_next(found.status)
            ],
            duplicates=[
                {"public_id": d.public_id, "reference": d.reference or ""}
                for d in referral_intake.duplicates_of(session, found)
            ],
        )


def change_status(actor: Actor, public_id: str, *, to_status: str, note: str, reason: str) -> None:
    """Move the referral on; asking for more information also tells the referrer through the portal."""
    with session_scope() as session:
        moved = referral_workflow.change_status(
            session, referral_public_id=public_id, actor=actor, to_status=to_status, note=note, reason=reason
        )
        if moved.status == ReferralStatus.MORE_INFORMATION_REQUESTED:
            # The note reaches the referrer as a portal message (and its "message waiting" email),
            # in the same transaction, so the status and the message commit together.
            messages.post_message(
                session,
                referral_public_id=moved.public_id,
                author_user_id=actor.user_id,
                body=note,
                settings=get_settings(),
                client_ip=actor.client_ip,
            )


def assign(actor: Actor, public_id: str, caseworker_id: int | None) -> None:
    with session_scope() as session:
        referral_workflow.assign(session, referral_public_id=public_id, actor=actor, caseworker_id=caseworker_id)


def parse_caseworker(value: str) -> int | None:
    """The assign form's select: "" is "nobody"; anything not a number becomes an id nobody has (refused)."""
    value = (value or "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() and len(value) < 10 else -1


def params_of(values: Mapping[str, str]) -> dict[str, str]:
    return {str(k)[:20]: str(v)[:200] for k, v in list(values.items())[:20]}
