"""Form versions as staff design them: draft -> live -> archived, with every change audited.

A form has at most one draft, at most one live version, and any number of
archived ones. Staff edit only the draft; publishing makes it live and archives
the old live version. Referrals point at the version they were started on, so
a professional's half-filled draft keeps its questions after a publish, and a
sent request always reads back with its own version.

Every function takes the caller's session (the caller commits) and an ``Actor``;
each change writes FORM_CHANGED / FORM_PUBLISHED to the audit log in the same
transaction and stamps the version with who changed it and when.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, select

from sen_portal.forms import designer as design
from sen_portal.forms import load_definition, lookup_problems
from sen_portal.forms.diff import describe_changes
from sen_portal.models import FormVersion, Referral
from sen_portal.models.referrals import FormVersionStatus as Status
from sen_portal.services import audit, referrals
from sen_portal.services.audit import Actor
from sen_portal.services.clock import Clock, system_clock

Data = dict[str, Any]


class FormNotFound(LookupError):
    """No such form, or it has no draft where one is needed."""


class DesignRefused(ValueError):
    """A change that cannot be made; ``errors`` is keyed by the page field it concerns."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


def versions_of(session: Session, form_key: str) -> list[FormVersion]:
    statement = select(FormVersion).where(FormVersion.form_key == form_key).order_by(col(FormVersion.version))
    return list(session.exec(statement).all())


def draft_of(session: Session, form_key: str) -> FormVersion | None:
    statement = select(FormVersion).where(FormVersion.form_key == form_key, FormVersion.status == Status.DRAFT)
    return session.exec(statement).first()


def version_of(session: Session, form_key: str, number: int) -> FormVersion:
    statement = select(FormVersion).where(FormVersion.form_key == form_key, FormVersion.version == number)
    version = session.exec(statement).first()
    if version is None:
        raise FormNotFound(form_key)
    return version


def reserved_names(session: Session, form_key: str) -> set[str]:
    """Names any published version used: never handed out again, so old answers keep their meaning."""
    names: set[str] = set()
    for version in versions_of(session, form_key):
        if version.status != Status.DRAFT:
            names |= design.field_names(version.definition)
    return names


def _audit(
    session: Session, actor: Actor, action: audit.AuditAction, version: FormVersion, change: str, clock: Clock
) -> None:
    audit.record(
        session,
        action=action,
        actor_user_id=actor.user_id,
        actor_email=actor.email,
        object_type="form",
        object_id=version.form_key,
        client_ip=actor.client_ip,
        detail={"version": version.version, "change": change[:60], "status": version.status},
        clock=clock,
    )


def prefix_errors(session: Session, form_key: str, prefix: str) -> list[str]:
    if not re.fullmatch(r"[A-Z]{2,6}", prefix):
        return ["Enter a reference prefix of 2 to 6 capital letters, like EHC"]
    others = session.exec(
        select(FormVersion.form_key).where(FormVersion.reference_prefix == prefix, FormVersion.form_key != form_key)
    ).first()
    return [f"{prefix} is already the reference prefix of another form"] if others else []


def create_form(
    session: Session,
    *,
    title: str,
    reference_prefix: str,
    copy_from: str = "",
    actor: Actor,
    clock: Clock = system_clock,
) -> FormVersion:
    """A new form as a draft (version 1): blank, or a copy of another form's latest version."""
    title, prefix = " ".join(title.split()), reference_prefix.strip().upper()
    errors: dict[str, list[str]] = {}
    if not title or len(title) > 200:
        errors["title"] = ["Enter a title of 200 characters or fewer"]
    taken = set(session.exec(select(FormVersion.form_key).distinct()).all())
    key = design.unique_name(design.slug(title, fallback="form"), taken)
    if wrong_prefix := prefix_errors(session, key, prefix):
        errors["reference_prefix"] = wrong_prefix
    copied = versions_of(session, copy_from) if copy_from else []
    # A copy starts from what professionals see now (the live version), else the newest there is.
    source = [v for v in copied if v.status == Status.LIVE] or copied
    if copy_from and not source:
        errors["copy_from"] = ["Choose a form to copy"]
    if errors:
        raise DesignRefused(errors)
    if source:
        data = copy.deepcopy(source[-1].definition) | {"key": key, "title": title, "reference_prefix": prefix}
        data["version"] = 1
    else:
        data = design.blank_definition(key=key, title=title, reference_prefix=prefix)
    return new_draft(session, key, 1, data, actor, "created", clock)


def new_draft(
    session: Session, key: str, number: int, data: Data, actor: Actor, change: str, clock: Clock
) -> FormVersion:
    now = clock()
    version = FormVersion(
        form_key=key,
        version=number,
        status=Status.DRAFT,
        title=str(data.get("title", ""))[:200] or key,
        reference_prefix=str(data.get("reference_prefix", ""))[:10],
        definition={**data, "key": key, "version": number},
        created_at=now,
        created_by_email=actor.email,
        changed_by_email=actor.email,
        changed_at=now,
    )
    session.add(version)
    session.flush()
    _audit(session, actor, audit.AuditAction.FORM_CHANGED, version, change, clock)
    return version


def open_draft(session: Session, *, form_key: str, actor: Actor, clock: Clock = system_clock) -> FormVersion:
    """The form's draft, starting one from the newest version (live or archived) when there is none."""
    existing = draft_of(session, form_key)
    if existing is not None:
        return existing
    versions = versions_of(session, form_key)
    if not versions:
        raise FormNotFound(form_key)
    base = next((v for v in versions if v.status == Status.LIVE), versions[-1])
    number = versions[-1].version + 1
    return new_draft(session, form_key, number, copy.deepcopy(base.definition), actor, "draft_started", clock)


def edit_draft(
    session: Session,
    *,
    form_key: str,
    change: str,
    apply: Callable[[Data], Data],
    actor: Actor,
    clock: Clock = system_clock,
) -> tuple[FormVersion, list[str]]:
    """Apply one designer operation to the draft and save it; returns the draft and the engine's problems.

    A draft with problems is still saved (nothing typed is lost); it just cannot be published.
    """
    version = open_draft(session, form_key=form_key, actor=actor, clock=clock)
    # Locked (PostgreSQL) from read to write: two admins editing at once each apply their change to the
    # other's result instead of one silently overwriting the other. SQLite serialises writers anyway.
    session.refresh(version, with_for_update=True)
    data = apply(copy.deepcopy(version.definition))
    data.update(key=form_key, version=version.version)  # identity is the row's, whatever an edit says
    version.definition = data
    version.title = str(data.get("title", ""))[:200] or form_key
    version.reference_prefix = str(data.get("reference_prefix", ""))[:10]
    version.changed_by_email, version.changed_at = actor.email, clock()
    session.add(version)
    session.flush()
    _audit(session, actor, audit.AuditAction.FORM_CHANGED, version, change, clock)
    return version, design.problems(data)


def publish_problems(session: Session, version: FormVersion) -> list[str]:
    """Everything that stops ``version`` going live: the engine's checks, lookup lists, the prefix."""
    found = design.problems(version.definition)
    if not found:
        found = lookup_problems(load_definition(version.definition), referrals.lookup_values(session))
    return found + [f"form: {p}" for p in prefix_errors(session, version.form_key, version.reference_prefix)]


def changes_since_live(session: Session, *, form_key: str) -> list[str]:
    draft = draft_of(session, form_key)
    if draft is None:
        return []
    live = referrals.live_version(session, form_key=form_key)
    return describe_changes(live.definition if live else None, draft.definition)


def publish_draft(session: Session, *, form_key: str, actor: Actor, clock: Clock = system_clock) -> FormVersion:
    """Make the draft live and archive the old live version; DesignRefused listing problems if any remain."""
    draft = draft_of(session, form_key)
    if draft is None:
        raise FormNotFound(form_key)
    found = publish_problems(session, draft)
    if found:
        raise DesignRefused({"publish": found})
    now = clock()
    for version in versions_of(session, form_key):
        if version.status == Status.LIVE:
            version.status = Status.ARCHIVED
            session.add(version)
    session.flush()  # the old live row is archived before the draft takes its place
    draft.status, draft.published_at, draft.published_by_email = Status.LIVE, now, actor.email
    session.add(draft)
    session.flush()
    _audit(session, actor, audit.AuditAction.FORM_PUBLISHED, draft, "published", clock)
    return draft


def archive_form(session: Session, *, form_key: str, actor: Actor, clock: Clock = system_clock) -> None:
    """Take a form off "Start a new request": its live version is archived (drafts in progress still work)."""
    live = referrals.live_version(session, form_key=form_key)
    if live is None:
        raise FormNotFound(form_key)
    live.status = Status.ARCHIVED  # who archived it is in the audit log; "changed by" stays the content's author
    session.add(live)
    session.flush()
    _audit(session, actor, audit.AuditAction.FORM_CHANGED, live, "archived", clock)


def discard_draft(session: Session, *, form_key: str, actor: Actor, clock: Clock = system_clock) -> None:
    """Throw the draft away (a draft version never has referrals: professionals only start on live ones)."""
    draft = draft_of(session, form_key)
    if draft is None:
        raise FormNotFound(form_key)
    if session.exec(select(Referral.id).where(Referral.form_version_id == draft.id)).first() is not None:
        raise DesignRefused({"discard": ["This version has requests and cannot be discarded"]})
    _audit(session, actor, audit.AuditAction.FORM_CHANGED, draft, "draft_discarded", clock)
    session.delete(draft)
    session.flush()
