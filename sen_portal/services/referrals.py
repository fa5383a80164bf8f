"""Referrals: drafts saved section by section, and an idempotent, atomic submit.

A draft stays on the form version it was started on, so publishing a new
version never breaks it. Answers are stored as JSON keyed by the fields'
stable names. Every function checks ownership itself: callers pass the
signed-in user's id and get ``ReferralNotFound`` for anything not theirs
(the same answer as for something that does not exist).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from sen_portal import routes
from sen_portal.config import Settings
from sen_portal.email.referral_emails import referral_submitted_email
from sen_portal.forms import FormDefinition, clean, load_definition, validate
from sen_portal.forms.evaluation import council_today
from sen_portal.models import FormVersion, LookupEntry, ReferenceCounter, Referral, UserAccount
from sen_portal.models.referrals import FormVersionStatus, ReferralStatus
from sen_portal.routes import absolute_url
from sen_portal.services import lookups, referral_intake
from sen_portal.services.account_vetting import may_submit
from sen_portal.services.branding import branding
from sen_portal.services.clock import Clock, system_clock
from sen_portal.services.outbox import enqueue

log = logging.getLogger(__name__)

Errors = dict[str, list[str]]


class ReferralNotFound(LookupError):
    """No such referral for this user (never says which)."""


class AccountNotApproved(PermissionError):
    """The owner's account still waits for staff approval (ACCOUNT_VETTING), or was refused."""


class ReferralInvalid(ValueError):
    def __init__(self, errors: Errors) -> None:
        super().__init__("referral answers are not valid")
        self.errors = errors


@dataclass(frozen=True)
class ReferralSummary:
    public_id: str
    reference: str
    title: str
    status: str
    child_name: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None


# ---- form versions ------------------------------------------------------------------------------


def definition_of(version: FormVersion) -> FormDefinition:
    return load_definition(version.definition)


def live_version(session: Session, *, form_key: str) -> FormVersion | None:
    return session.exec(
        select(FormVersion).where(FormVersion.form_key == form_key, FormVersion.status == FormVersionStatus.LIVE)
    ).first()


def live_forms(session: Session) -> list[FormVersion]:
    return list(
        session.exec(
            select(FormVersion).where(FormVersion.status == FormVersionStatus.LIVE).order_by(FormVersion.title)
        )
    )


def install_form(session: Session, *, definition: Mapping[str, Any], clock: Clock = system_clock) -> FormVersion | None:
    """Make a shipped definition live unless that form already has a version (idempotent seed)."""
    parsed = load_definition(dict(definition))  # refuses a broken definition before anything is written
    existing = session.exec(select(FormVersion).where(FormVersion.form_key == parsed.key)).first()
    if existing is not None:
        return None
    version = FormVersion(
        form_key=parsed.key,
        version=parsed.version,
        status=FormVersionStatus.LIVE,
        title=parsed.title,
        reference_prefix=parsed.reference_prefix,
        definition=dict(definition),
        created_at=clock(),
        published_at=clock(),
    )
    session.add(version)
    session.flush()
    return version


def publish_version(session: Session, *, definition: Mapping[str, Any], clock: Clock = system_clock) -> FormVersion:
    """Make ``definition`` the live version of its form (next version number); the old live one is archived.

    Drafts keep the version they were started on, and submitted referrals always
    render with their own, so publishing never breaks anything in flight.
    """
    parsed = load_definition(dict(definition))
    versions = list(session.exec(select(FormVersion).where(FormVersion.form_key == parsed.key)))
    number = max((v.version for v in versions), default=0) + 1
    now = clock()
    for version in versions:
        if version.status == FormVersionStatus.LIVE:
            version.status = FormVersionStatus.ARCHIVED
            session.add(version)
    data = {**dict(definition), "version": number}
    published = FormVersion(
        form_key=parsed.key,
        version=number,
        status=FormVersionStatus.LIVE,
        title=parsed.title,
        reference_prefix=parsed.reference_prefix,
        definition=data,
        created_at=now,
        published_at=now,
    )
    session.add(published)
    session.flush()
    log.info("form %s: version %s published", parsed.key, number)
    return published


def lookup_labels(session: Session) -> dict[str, dict[str, str]]:
    """Every lookup entry's label, retired ones included: old requests still read as they were sent."""
    labels: dict[str, dict[str, str]] = {key: {} for key in lookups.list_keys(session)}
    for entry in session.exec(select(LookupEntry)):
        labels.setdefault(entry.list_key, {})[entry.value] = entry.label
    return labels


def lookup_values(session: Session) -> dict[str, dict[str, str]]:
    """Every lookup list as value -> label: the allowed values for validation, the labels for display."""
    return {key: {o.value: o.label for o in lookups.active_options(session, key)} for key in lookups.list_keys(session)}


# ---- drafts -------------------------------------------------------------------------------------


def start_draft(
    session: Session,
    *,
    user_id: int,
    form_key: str,
    prefill: Mapping[str, Any] | None = None,
    clock: Clock = system_clock,
) -> Referral:
    version = live_version(session, form_key=form_key)
    if version is None:
        raise ReferralNotFound(form_key)
    now = clock()
    referral = Referral(
        public_id=secrets.token_urlsafe(16),
        form_version_id=version.id or 0,
        owner_user_id=user_id,
        answers=dict(prefill or {}),
        created_at=now,
        updated_at=now,
    )
    session.add(referral)
    session.flush()
    log.info("referral %s: draft started by user %s on %s v%s", referral.id, user_id, form_key, version.version)
    return referral


def get_own(session: Session, *, user_id: int, public_id: str) -> tuple[Referral, FormVersion]:
    referral = session.exec(select(Referral).where(Referral.public_id == (public_id or "")[:32])).first()
    if referral is None or referral.owner_user_id != user_id:
        raise ReferralNotFound(public_id)
    version = session.get(FormVersion, referral.form_version_id)
    assert version is not None  # RESTRICT keeps it
    return referral, version


def save_section(
    session: Session,
    *,
    user_id: int,
    public_id: str,
    section_key: str,
    answers: Mapping[str, Any],
    clock: Clock = system_clock,
) -> Errors:
    """Store a section's answers (even with errors: nothing typed is lost) and return the errors."""
    referral, version = get_own(session, user_id=user_id, public_id=public_id)
    if referral.status != ReferralStatus.DRAFT:
        return {"_form": ["This request has been sent and can no longer be changed"]}
    definition = definition_of(version)
    section = next((s for s in definition.sections if s.key == section_key), None)
    if section is None:
        raise ReferralNotFound(section_key)
    allowed = _field_names(section)
    merged = dict(referral.answers)
    merged.update({name: value for name, value in answers.items() if name in allowed})
    errors = validate(
        definition, merged, section_key=section_key, lookups=lookup_values(session), today=council_today(clock())
    )
    completed = [key for key in referral.completed_sections if key != section_key]
    if not errors:
        completed.append(section_key)
    # Conditional on the draft status: a Send racing this save (another tab, a double
    # click) must not have its cleaned, submitted answers overwritten afterwards.
    saved = session.exec(
        update(Referral)
        .where(col(Referral.id) == referral.id, col(Referral.status) == ReferralStatus.DRAFT)
        .values(answers=merged, completed_sections=completed, child_name=_child_name(merged), updated_at=clock())
    )
    if saved.rowcount != 1:
        return {"_form": ["This request has been sent and can no longer be changed"]}
    session.expire(referral)
    return errors


def submit(session: Session, *, user_id: int, public_id: str, settings: Settings, clock: Clock = system_clock) -> str:
    """Send the request: validate everything, assign the reference, queue the confirmation email.

    Idempotent: submitting an already-submitted referral returns its reference and
    does nothing else. Atomic: the caller's transaction holds the status change,
    the reference and the outbox email, so an error anywhere leaves none of them.
    """
    referral, version = get_own(session, user_id=user_id, public_id=public_id)
    if referral.status != ReferralStatus.DRAFT:
        return referral.reference or ""
    owner = session.get(UserAccount, user_id)
    if owner is None or not may_submit(owner):
        raise AccountNotApproved
    definition = definition_of(version)
    known = lookup_values(session)
    errors = validate(definition, referral.answers, lookups=known, today=council_today(clock()))
    if errors:
        raise ReferralInvalid(errors)
    now = clock()
    reference = next_reference(session, prefix=version.reference_prefix, year=now.year)
    answers = clean(definition, referral.answers, lookups=known)
    inbox = referral_intake.inbox_columns(
        definition,
        answers,
        child_name=_child_name(answers),
        lookup_labels=lookup_labels(session),
        received_at=now,
    )
    # The conditional update makes a double click (two submits racing) produce one referral.
    claimed = session.exec(
        update(Referral)
        .where(col(Referral.id) == referral.id, col(Referral.status) == ReferralStatus.DRAFT)
        .values(
            status=ReferralStatus.SUBMITTED,
            reference=reference,
            answers=answers,
            submitted_at=now,
            updated_at=now,
            **inbox,
        )
    )
    if claimed.rowcount != 1:
        session.rollback()
        session.refresh(referral)
        return referral.reference or ""
    session.refresh(referral)
    referral_intake.after_submit(session, referral, user_id=user_id, now=now)
    enqueue(
        session,
        referral_submitted_email(
            to=owner.email,
            reference=reference,
            form_title=version.title,
            link=absolute_url(settings, routes.MY_REFERRALS),
            branding=branding(settings),
        ),
        clock=clock,
    )
    session.flush()
    log.info("referral %s: submitted as %s", referral.id, reference)
    return reference


def list_own(session: Session, *, user_id: int) -> list[ReferralSummary]:
    rows = session.exec(
        select(Referral, FormVersion)
        .join(FormVersion, col(FormVersion.id) == col(Referral.form_version_id))
        .where(Referral.owner_user_id == user_id)
        .order_by(col(Referral.updated_at).desc())
    ).all()
    return [
        ReferralSummary(
            public_id=r.public_id,
            reference=r.reference or "",
            title=v.title,
            status=r.status,
            child_name=r.child_name,
            created_at=r.created_at,
            updated_at=r.updated_at,
            submitted_at=r.submitted_at,
        )
        for r, v in rows
    ]


def next_reference(session: Session, *, prefix: str, year: int) -> str:
    """``EHC-2026-000123``: one counter row per prefix and year, locked while it is bumped.

    Two submits at once must neither collide creating the year's row nor both read N and
    write N + 1: the row is created with "on conflict do nothing" (a concurrent creator waits
    for the first, then finds it) and bumped by one UPDATE, which holds the row (PostgreSQL)
    or the database (SQLite) until the caller's transaction ends.
    """
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(ReferenceCounter).values(prefix=prefix, year=year, last_number=0).on_conflict_do_nothing())
    this_counter = (col(ReferenceCounter.prefix) == prefix, col(ReferenceCounter.year) == year)
    session.execute(
        update(ReferenceCounter).where(*this_counter).values(last_number=col(ReferenceCounter.last_number) + 1)
    )
    number = session.exec(select(ReferenceCounter.last_number).where(*this_counter)).one()
    return f"{prefix}-{year}-{number:06d}"


def _field_names(section: Any) -> set[str]:
    return {field.name for field in section.fields if getattr(field, "name", None)}


def _child_name(answers: Mapping[str, Any]) -> str:
    parts = [str(answers.get("child_first_name", "")).strip(), str(answers.get("child_last_name", "")).strip()]
    return " ".join(part for part in parts if part)[:200]
