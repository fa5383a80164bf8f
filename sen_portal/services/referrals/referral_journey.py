"""Use cases behind the request pages: each opens its own unit of work and calls the services.

The Reflex state stays a thin orchestrator (read input, call one function
here off the event loop, show the result); everything it needs is plain data.
Ownership is checked by ``referrals.get_own`` on every call.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlmodel import Session, select

from sen_portal import routes
from sen_portal.config import Settings, get_settings
from sen_portal.db import session_scope
from sen_portal.forms import (
    FormDefinition,
    GroupField,
    add_group_item,
    load_definition,
    prefill,
    set_answer,
    summary_rows,
)
from sen_portal.inbound import postcodes
from sen_portal.models import FormVersion, Referral, UserAccount
from sen_portal.models.documents import ContainerKind, StoredDocument
from sen_portal.services.addresses import finder as addresses
from sen_portal.services.documents import streaming as documents
from sen_portal.services.documents import upload_quota
from sen_portal.services.platform import faults
from sen_portal.services.platform.clock import system_clock
from sen_portal.services.referrals import drafts as referrals

Lookups = dict[str, dict[str, str]]
log = logging.getLogger(__name__)


@dataclass
class SectionView:
    definition: FormDefinition
    lookups: Lookups
    form_title: str
    section_key: str
    section_title: str
    section_description: str
    step_number: int
    step_count: int
    status: str
    answers: dict[str, Any]
    documents: list[dict[str, str]]
    document_slots: list[dict[str, str]]


@dataclass
class SaveResult:
    definition: FormDefinition
    lookups: Lookups
    answers: dict[str, Any]
    errors: dict[str, list[str]]
    next_section: str | None


@dataclass
class CheckView:
    form_title: str
    rows: list[dict[str, str]]
    status: str
    reference: str
    documents: list[dict[str, str]] = field(default_factory=list)


@dataclass
class AddressesFound:
    options: list[dict[str, str]]
    by_uprn: dict[str, dict[str, str]]
    message: str
    error: str


@dataclass
class UploadOutcome:
    message: str
    refused: bool
    documents: list[dict[str, str]] | None


@lru_cache(maxsize=64)
def _definition(version_id: int, _cache_key: str) -> FormDefinition:
    # A version never changes once live, so its parsed definition is cached by id.
    with session_scope() as session:
        version = session.get(FormVersion, version_id)
        assert version is not None
        return load_definition(version.definition)


def _load(session: Session, user_id: int, public_id: str) -> tuple[Referral, FormVersion, FormDefinition]:
    referral, version = referrals.get_own(session, user_id=user_id, public_id=public_id)
    definition = _definition(version.id or 0, version.status)
    return referral, version, definition


def start(user_id: int, form_key: str) -> tuple[str, str]:
    with session_scope() as session:
        version = referrals.live_version(session, form_key=form_key)
        user = session.get(UserAccount, user_id)
        if version is None or user is None:
            raise referrals.ReferralNotFound(form_key)
        definition = _definition(version.id or 0, version.status)
        answers = prefill(definition, {}, _account_values(user))
        referral = referrals.start_draft(session, user_id=user_id, form_key=form_key, prefill=answers)
        return referral.public_id, definition.sections[0].key


def _account_values(user: UserAccount) -> dict[str, str]:
    return {
        "account.first_name": user.first_name,
        "account.last_name": user.last_name,
        "account.email": user.email,
        "account.phone": user.phone,
        "account.work_phone": user.work_phone or user.phone,
        "account.professional_role": user.professional_role,
        "account.professional_role_other": user.professional_role_other,
        "account.organisation": user.organisation,
        "account.job_title": user.job_title,
    }


# ---- what a field change needs, without the database when possible ------------------------------
# A field change re-checks the session (always, in the database), then needs the request's form and
# the lookup lists. Measured (benchmarks/event_round_trip.py) those two queries and the extra thread
# hop were most of a field change's time, so: who owns a request and which form version it is on
# never change once it exists, and are kept per process; lookup lists change rarely (staff edit
# them) and are kept for LOOKUPS_FRESH_FOR seconds. Saving and sending always read both afresh.
LOOKUPS_FRESH_FOR = 10.0
_OWNED_LIMIT = 10_000
_owned: dict[tuple[int, str], tuple[int, str]] = {}  # (user id, public id) -> (form version id, status)
_lookups: tuple[float, Lookups] | None = None
_cache_lock = threading.Lock()


def _owned_version(user_id: int, public_id: str) -> tuple[int, str]:
    key = (user_id, public_id)
    if (found := _owned.get(key)) is not None:
        return found
    with session_scope() as session:
        _referral, version = referrals.get_own(session, user_id=user_id, public_id=public_id)
        found = (version.id or 0, version.status)
    with _cache_lock:
        if len(_owned) >= _OWNED_LIMIT:
            _owned.clear()
        _owned[key] = found
    return found


def _recent_lookups() -> Lookups | None:
    cached = _lookups
    if cached is not None and time.monotonic() - cached[0] < LOOKUPS_FRESH_FOR:
        return cached[1]
    return None


def definition_for(user_id: int, public_id: str) -> tuple[FormDefinition, Lookups]:
    """The request's form and the lookup lists (``ReferralNotFound`` unless ``user_id`` owns it)."""
    global _lookups
    version_id, status = _owned_version(user_id, public_id)
    lookups = _recent_lookups()
    if lookups is None:
        with session_scope() as session:
            lookups = referrals.lookup_values(session)
        _lookups = (time.monotonic(), lookups)
    return _definition(version_id, status), lookups


def cached_definition_for(user_id: int, public_id: str) -> tuple[FormDefinition, Lookups] | None:
    """``definition_for`` when it needs no database (safe on the event loop), else None."""
    owned, lookups = _owned.get((user_id, public_id)), _recent_lookups()
    if owned is None or lookups is None:
        return None
    return _definition(*owned), lookups


def section_view(user_id: int, public_id: str, section_key: str) -> SectionView:
    with session_scope() as session:
        referral, version, definition = _load(session, user_id, public_id)
        keys = [section.key for section in definition.sections]
        if section_key not in keys:
            section_key = next((key for key in keys if key not in referral.completed_sections), keys[0])
        section = definition.section(section_key)
        answers = dict(referral.answers)
        for item in section.fields:
            # A group that needs items opens with its first one ready to fill in.
            while isinstance(item, GroupField) and len(answers.get(item.name) or []) < item.min_items:
                answers = add_group_item(definition, answers, item.name)
        return SectionView(
            definition=definition,
            lookups=referrals.lookup_values(session),
            form_title=version.title,
            section_key=section_key,
            section_title=section.title,
            section_description=section.description or "",
            step_number=keys.index(section_key) + 1,
            step_count=len(keys),
            status=referral.status,
            answers=answers,
            documents=_document_rows(session, referral.id or 0, user_id, definition),
            document_slots=_slots(definition, section_key),
        )


def save(
    user_id: int,
    public_id: str,
    section_key: str,
    answers: Mapping[str, Any],
    entries: Mapping[str, list[str]],
) -> SaveResult:
    """Apply what the form submitted on top of the answers held so far, then save the section."""
    with session_scope() as session:
        referral, _version, definition = _load(session, user_id, public_id)
        lookups = referrals.lookup_values(session)
        merged = _merge(definition, section_key, {**referral.answers, **answers}, entries, lookups)
        # Document slots change only through upload and remove, which write the database copy:
        # the page's copy of them may be stale and must never overwrite it.
        for slot in _slots_all(definition):
            if slot["value"] in referral.answers:
                merged[slot["value"]] = referral.answers[slot["value"]]
            else:
                merged.pop(slot["value"], None)
        section_answers = {
            f.name: merged.get(f.name) for f in definition.section(section_key).fields if f.name in merged
        }
        errors = referrals.save_section(
            session, user_id=user_id, public_id=public_id, section_key=section_key, answers=section_answers
        )
        keys = [section.key for section in definition.sections]
        position = keys.index(section_key)
        next_section = keys[position + 1] if position + 1 < len(keys) else None
        return SaveResult(definition, lookups, merged, errors, next_section)


def _merge(
    definition: FormDefinition,
    section_key: str,
    answers: dict[str, Any],
    entries: Mapping[str, list[str]],
    lookups: Lookups,
) -> dict[str, Any]:
    section = definition.section(section_key)
    # Checkboxes send nothing when none is ticked: start each set in this section from empty.
    for item in section.fields:
        if item.type == "checkboxes":
            answers[item.name] = []
        if isinstance(item, GroupField) and any(m.type == "checkboxes" for m in item.fields):
            answers[item.name] = [
                {**member_answers, **{m.name: [] for m in item.fields if m.type == "checkboxes"}}
                for member_answers in answers.get(item.name) or []
                if isinstance(member_answers, dict)
            ]
    for path, values in entries.items():
        value: Any = values if _is_multi(definition, section_key, path) else values[-1]
        value = _typeahead_value(definition, section_key, path, value, lookups)
        try:
            answers = set_answer(definition, answers, path, value)
        except (ValueError, KeyError, IndexError, TypeError):
            continue  # not an answer of this form (a stray or hand-made input)
    return answers


def _field_at(definition: FormDefinition, section_key: str, path: str) -> Any:
    top = path.split("[", 1)[0].split(".", 1)[0]
    item = next((f for f in definition.section(section_key).fields if f.name == top), None)
    if isinstance(item, GroupField) and "]." in path:
        member = path.split("].", 1)[1].split(".", 1)[0]
        return next((m for m in item.fields if m.name == member), None)
    return item


def _is_multi(definition: FormDefinition, section_key: str, path: str) -> bool:
    item = _field_at(definition, section_key, path)
    return item is not None and item.type == "checkboxes"


def _typeahead_value(definition: FormDefinition, section_key: str, path: str, value: Any, lookups: Lookups) -> Any:
    """The type-ahead shows labels; store the option's value when the text matches one."""
    item = _field_at(definition, section_key, path)
    if item is None or item.type != "typeahead" or not isinstance(value, str):
        return value
    options = (
        lookups.get(item.lookup, {}) if getattr(item, "lookup", None) else {o.value: o.label for o in item.options}
    )
    wanted = value.strip().casefold()
    for option_value, label in options.items():
        if label.casefold() == wanted or option_value.casefold() == wanted:
            return option_value
    return value


def _slots(definition: FormDefinition, section_key: str) -> list[dict[str, str]]:
    return [
        {"value": f.name, "label": f.label} for f in definition.section(section_key).fields if f.type == "document_slot"
    ]


def _document_rows(
    session: Session, referral_id: int, user_id: int, definition: FormDefinition
) -> list[dict[str, str]]:
    rows = documents.documents_in(
        session, container_kind=ContainerKind.REFERRAL, container_id=referral_id, owner_user_id=user_id
    )
    labels = {f.name: f.label for s in definition.sections for f in s.fields if f.type == "document_slot"}
    return [
        {
            "public_id": d.public_id,
            "name": d.original_name,
            "size": _size(d.size_bytes),
            "slot": d.slot,
            "slot_label": labels.get(d.slot, d.slot),
            "href": routes.document_path(d.public_id),
        }
        for d in rows
    ]


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(1, round(size / 1024))} KB"


async def receive_upload(user_id: int, public_id: str, slot: str, chunks: AsyncIterator[Any]) -> UploadOutcome:
    """Stream one file into the referral's slot; caps are enforced as the bytes arrive."""
    settings = get_settings()

    def prepare() -> tuple[int, int, int, int]:
        with session_scope() as session:
            referral, _version, definition = _load(session, user_id, public_id)
            if referral.status != "draft" or slot not in {s["value"] for s in _slots_all(definition)}:
                raise referrals.ReferralNotFound(public_id)
            count, size = documents.stored_totals(
                session, container_kind=ContainerKind.REFERRAL, container_id=referral.id, owner_user_id=user_id
            )
            room = upload_quota.account_room(session, user_id=user_id, settings=settings)
            return referral.id or 0, count, size, room

    try:
        referral_id, count, size, room = await asyncio.to_thread(prepare)
    except referrals.ReferralNotFound:
        return UploadOutcome("Choose which document you are uploading", True, None)
    try:
        stored = await documents.stream_upload(
            settings,
            chunks,
            owner_user_id=user_id,
            already_stored_bytes=size,
            already_stored_count=count,
            finish=lambda writer: (writer.filename, _finish_upload(writer, user_id, public_id, referral_id, slot)),
            account_room_bytes=room,
        )
    except documents.UploadRefused as refused:
        return UploadOutcome(refused.message, True, None)
    except referrals.ReferralNotFound:
        return UploadOutcome("This request has been sent, so files can no longer be added to it.", True, None)
    if stored is None:
        return UploadOutcome("Select a file to upload", True, None)
    name, rows = stored
    return UploadOutcome(f"{name} has been uploaded.", False, rows)


def _slots_all(definition: FormDefinition) -> list[dict[str, str]]:
    return [s for section in definition.sections for s in _slots(definition, section.key)]


def _already_in_slot(session: Session, referral_id: int, slot: str, sha256: str) -> bool:
    """A live file with the same bytes (SHA-256) is already in this slot of the referral."""
    statement = select(StoredDocument.id).where(
        StoredDocument.container_kind == ContainerKind.REFERRAL,
        StoredDocument.container_id == referral_id,
        StoredDocument.slot == slot,
        StoredDocument.sha256 == sha256,
        StoredDocument.deleted_at.is_(None),  # type: ignore[union-attr]
    )
    return session.exec(statement).first() is not None


def _finish_upload(writer: Any, user_id: int, public_id: str, referral_id: int, slot: str) -> list[dict[str, str]]:
    settings = get_settings()
    with session_scope() as session:
        referral, _version, definition = _load(session, user_id, public_id)
        if referral.status != "draft":  # sent while the file was streaming
            raise referrals.ReferralNotFound(public_id)
        # Re-count now: another upload may have finished while this one streamed.
        count, size = documents.stored_totals(
            session, container_kind=ContainerKind.REFERRAL, container_id=referral_id, owner_user_id=user_id
        )
        if (
            count >= settings.max_files_per_referral
            or size + writer.bytes_received > settings.max_referral_mb * documents.MB
        ):
            raise documents.UploadRefused(
                f"A request can have up to {settings.max_files_per_referral} files and {settings.max_referral_mb}MB in all"
            )
        item = next(f for s in definition.sections for f in s.fields if f.name == slot)
        if _already_in_slot(session, referral_id, slot, writer.sha256):
            # Pressing Upload twice stored the same file twice: say so instead.
            label = getattr(item, "label", slot)  # a slot is a file question; guidance has no label
            raise documents.UploadRefused(f"{writer.filename} is already uploaded for ‘{label}’")
        document = writer.finish(
            session,
            container_kind=ContainerKind.REFERRAL,
            container_id=referral_id,
            slot=slot,
            document_type=getattr(item, "document_type", ""),
        )
        answers = dict(referral.answers)
        answers[slot] = [*(answers.get(slot) or []), document.public_id]
        referral.answers = answers
        referral.updated_at = system_clock()  # working on the draft: DRAFT_RETENTION_DAYS starts again
        session.add(referral)
        session.flush()
        return _document_rows(session, referral_id, user_id, definition)


def remove_document(user_id: int, public_id: str, document_id: str) -> list[dict[str, str]]:
    settings = get_settings()
    with session_scope() as session:
        referral, _version, definition = _load(session, user_id, public_id)
        if referral.status != "draft":
            raise referrals.ReferralNotFound(public_id)
        try:
            documents.mark_deleted(
                session,
                settings,
                public_id=document_id,
                can_delete=lambda d: d.owner_user_id == user_id and d.container_id == referral.id,
            )
        except documents.DocumentNotFound:
            raise referrals.ReferralNotFound(document_id) from None
        referral.answers = {
            key: [v for v in value if v != document_id] if isinstance(value, list) else value
            for key, value in referral.answers.items()
        }
        referral.updated_at = system_clock()  # working on the draft: DRAFT_RETENTION_DAYS starts again
        session.add(referral)
        session.flush()
        return _document_rows(session, referral.id or 0, user_id, definition)


def check_view(user_id: int, public_id: str) -> CheckView:
    with session_scope() as session:
        referral, version, _definition_unused = _load(session, user_id, public_id)
        return read_back(session, referral, version)


def read_back(session: Session, referral: Referral, version: FormVersion) -> CheckView:
    """The answers as summary rows, drawn from the version the referral was given on, and its documents.

    The professional's read-back page and the staff referral page both show this; callers check access.
    """
    definition = _definition(version.id or 0, version.status)
    rows = _document_rows(session, referral.id or 0, referral.owner_user_id, definition)
    names = {row["public_id"]: row["name"] for row in rows}
    summary = summary_rows(definition, referral.answers, lookups=referrals.lookup_labels(session), document_names=names)
    return CheckView(version.title, summary, referral.status, referral.reference or "", rows)


TRY_AGAIN = "We could not send your request just now. Your answers are saved – try again in a few minutes."


class TryAgainLater(Exception):
    """The database could not be reached, or the connection dropped mid-way: show ``TRY_AGAIN``.

    Nothing may be reported as sent then. If the connection dropped during the commit itself,
    the request may in fact have been sent; trying again is still right, because ``submit``
    is idempotent and answers with the reference it already has.
    """


def database_unreachable(error: DBAPIError) -> bool:
    return isinstance(error, OperationalError | InterfaceError) or bool(error.connection_invalidated)


def submit(user_id: int, public_id: str, settings: Settings) -> str:
    try:
        with session_scope() as session:
            reference = referrals.submit(session, user_id=user_id, public_id=public_id, settings=settings)
    except DBAPIError as error:
        if database_unreachable(error):
            log.warning("request %s: database unavailable during submit (%s)", public_id[:12], type(error).__name__)
            raise TryAgainLater from error
        raise
    faults.crash_point(faults.AFTER_SUBMIT_COMMIT)
    return reference


def incomplete_sections(user_id: int, public_id: str, paths: list[str]) -> list[tuple[str, str]]:
    """The sections (key, title) holding any answer in ``paths``, in form order: what Send lists."""
    with session_scope() as session:
        _referral, _version, definition = _load(session, user_id, public_id)
    tops = {path.split("[", 1)[0].split(".", 1)[0] for path in paths}
    return [(s.key, s.title) for s in definition.sections if any(f.name in tops for f in s.fields)]


def find_addresses(answers: Mapping[str, Any], path: str) -> AddressesFound:
    """The postcode finder for an address field (``path`` like "child_home_address" or "parents[0].address")."""
    value: Any = answers
    for step in path.replace("]", "").replace("[", ".").split("."):
        value = (
            value[int(step)]
            if isinstance(value, list) and step.isdigit() and int(step) < len(value)
            else (value.get(step) if isinstance(value, Mapping) else None)
        )
    typed = str((value or {}).get("postcode", "")) if isinstance(value, Mapping) else ""
    postcode = postcodes.normalise_postcode(typed)
    if postcode is None:
        return AddressesFound([], {}, "", postcodes.postcode_error(typed) or "Enter a real postcode")
    try:
        with session_scope() as session:
            found = addresses.provider_for(get_settings()).find(session, postcode)
    except addresses.AddressLookupUnavailable:
        return AddressesFound([], {}, "The address finder is not working at the moment. Enter the address below.", "")
    if not found:
        return AddressesFound(
            [], {}, "", f"We could not find any addresses for {postcode} – check it or enter the address below"
        )
    return AddressesFound(
        options=[{"value": a.uprn, "label": a.label} for a in found],
        by_uprn={
            a.uprn: {
                "line1": a.line1,
                "line2": ", ".join(p for p in (a.line2, a.line3) if p),
                "town": a.town,
                "postcode": a.postcode,
            }
            for a in found
        },
        message=f"{len(found)} address{'es' if len(found) != 1 else ''} found for {postcode}",
        error="",
    )


def merge_submitted(
    definition: FormDefinition,
    section_key: str,
    answers: Mapping[str, Any],
    entries: Mapping[str, list[str]],
    lookups: Lookups,
) -> dict[str, Any]:
    """A section's submitted form on top of ``answers``, exactly as saving a request reads it (the preview uses it)."""
    return _merge(definition, section_key, dict(answers), entries, lookups)
