"""Read-only views of the forms for the designer pages: the forms list and each form's version history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from sen_portal.models import FormVersion
from sen_portal.models.referrals import FormVersionStatus as Status
from sen_portal.services.form_admin.form_designer import versions_of
from sen_portal.services.referrals.statutory_dates import COUNCIL_TIMEZONE


@dataclass
class FormRow:
    key: str
    title: str
    reference_prefix: str
    live: int | None = None
    draft: int | None = None
    archived: list[int] = field(default_factory=list)
    changed_by: str = ""
    changed_at: datetime | None = None


def list_forms(session: Session) -> list[FormRow]:
    """Every form with its live, draft and archived version numbers, by title."""
    rows: dict[str, FormRow] = {}
    for version in session.exec(select(FormVersion).order_by(col(FormVersion.version))).all():
        row = rows.setdefault(version.form_key, FormRow(version.form_key, version.title, version.reference_prefix))
        if version.status == Status.LIVE:
            row.live = version.version
        elif version.status == Status.DRAFT:
            row.draft = version.version
        else:
            row.archived.append(version.version)
        if version.status != Status.ARCHIVED or row.live is None:
            row.title, row.reference_prefix = version.title, version.reference_prefix
        stamp = version.changed_at or version.published_at or version.created_at
        if row.changed_at is None or stamp > row.changed_at:
            row.changed_by, row.changed_at = version.changed_by_email or version.created_by_email, stamp
    return sorted(rows.values(), key=lambda row: row.title.casefold())


def history(session: Session, form_key: str) -> list[dict[str, str]]:
    """Who made, last changed and published each version, newest first (the audit log has every edit)."""

    def when(stamp: datetime | None) -> str:
        return f"{stamp.astimezone(COUNCIL_TIMEZONE):%-d %b %Y %H:%M}" if stamp else ""

    return [
        {
            "version": str(v.version),
            "status": v.status.capitalize(),
            "created": f"{when(v.created_at)} {v.created_by_email or 'shipped with the portal'}".strip(),
            "changed": f"{when(v.changed_at)} {v.changed_by_email}".strip(),
            "published": f"{when(v.published_at)} {v.published_by_email}".strip(),
        }
        for v in reversed(versions_of(session, form_key))
    ]
