"""The staff inbox as a CSV file: every referral matching the filters, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import Any

from sqlmodel import Session

from sen_portal.services.casework.staff_inbox import InboxQuery, rows_of
from sen_portal.services.platform import audit
from sen_portal.services.platform.audit import Actor
from sen_portal.services.platform.clock import Clock, system_clock
from sen_portal.services.referrals.referral_workflow import staff_account

CSV_HEADER = (
    "Reference",
    "Child or young person",
    "Setting",
    "Referrer",
    "Received",
    "Status",
    "Deadline",
    "Days left",
    "Overdue",
    "Caseworker",
    "Form",
    "Possible duplicate",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """OWASP CSV injection: text a spreadsheet would run as a formula is prefixed with a quote.

    Numbers we computed ourselves (days left may be negative) stay numbers.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def export_csv(session: Session, query: InboxQuery, actor: Actor, *, clock: Clock = system_clock) -> str:
    """Every referral matching the filters (not just one page) as CSV, and an audit line with the count."""
    staff_account(session, actor)
    query = replace(query, page=1)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    count = 0
    for row in rows_of(session, query):
        writer.writerow(
            [
                safe_cell(cell)
                for cell in (
                    row.reference,
                    row.child_name,
                    row.setting,
                    row.referrer,
                    row.received_on.isoformat() if row.received_on else "",
                    row.status_label,
                    row.due_on.isoformat() if row.due_on else "",
                    row.days_left if row.days_left is not None else "",
                    "yes" if row.overdue else "no",
                    row.caseworker,
                    row.form_title,
                    "yes" if row.possible_duplicate else "no",
                )
            ]
        )
        count += 1
    audit.record(
        session,
        action=audit.AuditAction.INBOX_EXPORTED,
        actor_user_id=actor.user_id,
        actor_email=actor.email,
        object_type="inbox",
        client_ip=actor.client_ip,
        detail={"rows": count, "status": query.status, "overdue": query.overdue, "mine": query.assigned_to_me},
        clock=clock,
    )
    return buffer.getvalue()
