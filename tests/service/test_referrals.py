"""Referrals against real SQLite and PostgreSQL: drafts pinned to their form version, and a submit that is
idempotent, atomic and safe against a double click. Documents are real files in a temporary store."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from sen_portal.config import Settings, settings_from_env
from sen_portal.db import session_scope
from sen_portal.forms import FormDefinitionError, shipped_definition_data
from sen_portal.models import FormVersion, OutboxMessage, ReferenceCounter, Referral, StoredDocument, UserAccount
from sen_portal.models.documents import ContainerKind
from sen_portal.models.referrals import FormVersionStatus, ReferralStatus
from sen_portal.services.documents import document_store
from sen_portal.services.documents import streaming as documents
from sen_portal.services.lookups.lists import SHIPPED_LISTS, seed_lookup_list
from sen_portal.services.platform.seed import install_shipped_forms
from sen_portal.services.referrals import drafts as referrals
from sen_portal.services.referrals.drafts import ReferralInvalid, ReferralNotFound
from tests.unit.test_ehc_definition import COMPLETE
from tests.unit.test_file_types import minimal_pdf

pytestmark = pytest.mark.service

FORM = "ehc_needs_assessment"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Unusual names, so finding one in an email cannot be a coincidence.
CHILD_FIRST, CHILD_LAST, CHILD_PREFERRED = "Zephyrine", "Quillfeather", "Zephy"
# The slots filled with real stored documents, and how many files each gets.
DOCUMENT_SLOTS = {"sen_support_plans": 2, "progress_data": 1, "specialist_reports": 1, "signed_consent_form": 1}
ABOUT_YOU = {
    key: COMPLETE[key]
    for key in (
        "referrer_first_name",
        "referrer_last_name",
        "referrer_role",
        "referrer_organisation",
        "referrer_email",
        "referrer_phone",
    )
}


class Clock:
    """A clock the test moves by hand (services take ``clock=``)."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **parts: float) -> None:
        self.now += timedelta(**parts)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_from_env(
        {
            "PUBLIC_URL": "https://portal.example.gov.uk",
            "SECRET_KEY": "k" * 48,
            "DOCUMENT_STORE_DIR": str(tmp_path / "store"),
        }
    )


@pytest.fixture
def portal(engine: Engine) -> Engine:
    """The database as a fresh install leaves it: lookup lists seeded, the shipped EHC form live."""
    with session_scope(engine) as session:
        for list_key, csv_path in SHIPPED_LISTS.items():
            seed_lookup_list(session, list_key, csv_path)
        assert install_shipped_forms(session) == [FORM]
    return engine


# ---- helpers ----------------------------------------------------------------------------------


def make_user(engine: Engine, email: str) -> int:
    with session_scope(engine) as session:
        user = UserAccount(email=email, first_name="Sam", last_name="Jones")
        session.add(user)
        session.flush()
        assert user.id is not None
        return user.id


def start(engine: Engine, owner: int, clock: Clock) -> str:
    with session_scope(engine) as session:
        return referrals.start_draft(session, user_id=owner, form_key=FORM, clock=clock).public_id


def load(engine: Engine, public_id: str) -> Referral:
    with Session(engine) as session:
        referral = session.exec(select(Referral).where(Referral.public_id == public_id)).one()
        session.expunge(referral)
        return referral


def save(
    engine: Engine, owner: int, public_id: str, section_key: str, answers: dict[str, Any], clock: Clock
) -> dict[str, list[str]]:
    with session_scope(engine) as session:
        return referrals.save_section(
            session, user_id=owner, public_id=public_id, section_key=section_key, answers=answers, clock=clock
        )


def submit(engine: Engine, owner: int, public_id: str, settings: Settings, clock: Clock) -> str:
    with session_scope(engine) as session:
        return referrals.submit(session, user_id=owner, public_id=public_id, settings=settings, clock=clock)


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def outbox(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def counter_value(engine: Engine, year: int = 2026) -> int | None:
    with Session(engine) as session:
        counter = session.get(ReferenceCounter, ("EHC", year))
        return None if counter is None else counter.last_number


def upload_pdf(engine: Engine, settings: Settings, *, owner: int, public_id: str, slot: str, name: str) -> str:
    """Store a real small PDF in the referral's ``slot`` (as the upload page does) and return its public id."""
    with session_scope(engine) as session:
        referral, version = referrals.get_own(session, user_id=owner, public_id=public_id)
        slot_field = next(f for s in referrals.definition_of(version).sections for f in s.fields if f.name == slot)
        stored_count, stored_bytes = documents.stored_totals(
            session, container_kind=ContainerKind.REFERRAL, container_id=referral.id, owner_user_id=owner
        )
        with documents.begin_upload(
            settings,
            filename=name,
            owner_user_id=owner,
            already_stored_bytes=stored_bytes,
            already_stored_count=stored_count,
        ) as writer:
            writer.write(minimal_pdf())
            document = writer.finish(
                session,
                container_kind=ContainerKind.REFERRAL,
                container_id=referral.id,
                slot=slot,
                document_type=slot_field.document_type,
            )
        return document.public_id


def complete_answers(document_ids: dict[str, list[str]]) -> dict[str, Any]:
    answers = copy.deepcopy(COMPLETE)
    answers.update(child_first_name=CHILD_FIRST, child_last_name=CHILD_LAST, child_preferred_name=CHILD_PREFERRED)
    answers.update(document_ids)
    return answers


def fill_in(engine: Engine, settings: Settings, clock: Clock, *, owner: int, public_id: str) -> dict[str, list[str]]:
    """Upload the documents and save every section with a complete, valid answer set; returns the document ids."""
    document_ids = {
        slot: [
            upload_pdf(engine, settings, owner=owner, public_id=public_id, slot=slot, name=f"{slot}-{n}.pdf")
            for n in range(files)
        ]
        for slot, files in DOCUMENT_SLOTS.items()
    }
    answers = complete_answers(document_ids)
    with Session(engine) as session:
        _referral, version = referrals.get_own(session, user_id=owner, public_id=public_id)
        sections = referrals.definition_of(version).sections
    for section in sections:
        section_answers = {f.name: answers[f.name] for f in section.fields if f.name in answers}
        assert save(engine, owner, public_id, section.key, section_answers, clock) == {}, section.key
    assert load(engine, public_id).completed_sections == [section.key for section in sections]
    return document_ids


def ready_to_submit(engine: Engine, settings: Settings, clock: Clock, owner: int) -> str:
    public_id = start(engine, owner, clock)
    fill_in(engine, settings, clock, owner=owner, public_id=public_id)
    return public_id


def publish_v2_with_an_extra_required_field(engine: Engine, clock: Clock) -> FormVersion:
    """What the form designer does: a new live version (one more required field), the old one archived."""
    data = copy.deepcopy(shipped_definition_data(FORM))
    data["version"] = 2
    about_you = next(section for section in data["sections"] if section["key"] == "about-you")
    about_you["fields"].append({"name": "referrer_team", "type": "text", "label": "Your team", "max_length": 100})
    with session_scope(engine) as session:
        v1 = referrals.live_version(session, form_key=FORM)
        assert v1 is not None and v1.version == 1
        v1.status = FormVersionStatus.ARCHIVED
        session.add(v1)
        v2 = FormVersion(
            form_key=FORM,
            version=2,
            status=FormVersionStatus.LIVE,
            title=v1.title,
            reference_prefix=v1.reference_prefix,
            definition=data,
            created_at=clock(),
            published_at=clock(),
        )
        session.add(v2)
        session.flush()
        return v2


# ---- form versions ----------------------------------------------------------------------------


def test_install_shipped_forms_is_idempotent(portal: Engine) -> None:
    # ``portal`` installed it once already.
    with session_scope(portal) as session:
        assert install_shipped_forms(session) == []
        assert install_shipped_forms(session) == []
    with Session(portal) as session:
        versions = session.exec(select(FormVersion)).all()
    assert len(versions) == 1
    version = versions[0]
    assert (version.form_key, version.version, version.status) == (FORM, 1, FormVersionStatus.LIVE)
    assert version.reference_prefix == "EHC"
    assert version.definition == shipped_definition_data(FORM)


def _unknown_field_type(data: dict[str, Any]) -> None:
    data["sections"][0]["fields"][0]["type"] = "no_such_type"


def _duplicate_field_name(data: dict[str, Any]) -> None:
    data["sections"][1]["fields"][0]["name"] = data["sections"][0]["fields"][0]["name"]


def _no_reference_prefix(data: dict[str, Any]) -> None:
    del data["reference_prefix"]


@pytest.mark.parametrize("break_it", [_unknown_field_type, _duplicate_field_name, _no_reference_prefix])
def test_install_form_refuses_a_broken_definition_before_writing_anything(
    session: Session, break_it: Callable[[dict[str, Any]], None]
) -> None:
    data = copy.deepcopy(shipped_definition_data(FORM))
    break_it(data)
    with pytest.raises(FormDefinitionError):
        referrals.install_form(session, definition=data)
    assert not session.new and not session.dirty
    session.commit()
    assert session.exec(select(FormVersion)).all() == []
    # The intact definition still installs: the refusal was about the breakage, not the form.
    assert referrals.install_form(session, definition=shipped_definition_data(FORM)) is not None


def test_a_draft_keeps_its_version_when_a_new_one_is_published(
    portal: Engine, settings: Settings, clock: Clock
) -> None:
    owner = make_user(portal, "senco@school.example.org")
    old_draft = start(portal, owner, clock)
    v1_id = load(portal, old_draft).form_version_id

    v2 = publish_v2_with_an_extra_required_field(portal, clock)
    new_draft = start(portal, owner, clock)

    assert load(portal, old_draft).form_version_id == v1_id
    assert load(portal, new_draft).form_version_id == v2.id != v1_id
    # The same "About you" answers: complete for v1, missing v2's extra field for v2.
    assert save(portal, owner, old_draft, "about-you", ABOUT_YOU, clock) == {}
    assert list(save(portal, owner, new_draft, "about-you", ABOUT_YOU, clock)) == ["referrer_team"]
    assert load(portal, old_draft).completed_sections == ["about-you"]
    assert load(portal, new_draft).completed_sections == []
    # v2's field is not even stored on the v1 draft: it is not a field of its form.
    save(portal, owner, old_draft, "about-you", {**ABOUT_YOU, "referrer_team": "SEN"}, clock)
    assert "referrer_team" not in load(portal, old_draft).answers

    # And the whole v1 draft can still be sent, validated against v1.
    fill_in(portal, settings, clock, owner=owner, public_id=old_draft)
    assert submit(portal, owner, old_draft, settings, clock) == "EHC-2026-000001"


def test_publish_version_archives_the_live_one_and_numbers_the_next(portal: Engine, clock: Clock) -> None:
    owner = make_user(portal, "senco@school.example.org")
    old_draft = start(portal, owner, clock)
    with session_scope(portal) as session:
        published = referrals.publish_version(session, definition=shipped_definition_data(FORM), clock=clock)
    assert published.version == 2
    with Session(portal) as session:
        statuses = {v.version: v.status for v in session.exec(select(FormVersion))}
        assert referrals.live_version(session, form_key=FORM).id == published.id  # type: ignore[union-attr]
    assert statuses == {1: FormVersionStatus.ARCHIVED, 2: FormVersionStatus.LIVE}
    assert load(portal, start(portal, owner, clock)).form_version_id == published.id
    assert load(portal, old_draft).form_version_id != published.id


# ---- saving sections --------------------------------------------------------------------------


def test_save_section_keeps_invalid_answers_and_returns_wtforms_errors(portal: Engine, clock: Clock) -> None:
    owner = make_user(portal, "senco@school.example.org")
    public_id = start(portal, owner, clock)
    clock.advance(minutes=5)
    typed = {"referrer_first_name": "Sam", "referrer_email": "not an email", "child_first_name": "Smuggled"}

    errors = save(portal, owner, public_id, "about-you", typed, clock)

    assert isinstance(errors, dict)
    assert all(isinstance(messages, list) and all(isinstance(m, str) for m in messages) for messages in errors.values())
    assert {"referrer_last_name", "referrer_email", "referrer_role"} <= set(errors)
    assert "referrer_first_name" not in errors
    stored = load(portal, public_id)
    assert stored.answers["referrer_first_name"] == "Sam"
    assert stored.answers["referrer_email"] == "not an email"  # nothing typed is lost
    assert "child_first_name" not in stored.answers  # only this section's fields are taken
    assert stored.completed_sections == []
    assert stored.updated_at == START + timedelta(minutes=5)

    assert save(portal, owner, public_id, "about-you", ABOUT_YOU, clock) == {}
    assert load(portal, public_id).completed_sections == ["about-you"]
    # Breaking a completed section takes it off the completed list again.
    assert "referrer_email" in save(portal, owner, public_id, "about-you", {"referrer_email": "nope"}, clock)
    assert load(portal, public_id).completed_sections == []

    child = {"child_first_name": CHILD_FIRST, "child_last_name": CHILD_LAST}
    assert save(portal, owner, public_id, "child", child, clock)  # incomplete, but the name is kept
    assert load(portal, public_id).child_name == f"{CHILD_FIRST} {CHILD_LAST}"


def test_another_users_referral_is_not_found_exactly_like_a_missing_one(
    portal: Engine, settings: Settings, clock: Clock
) -> None:
    owner = make_user(portal, "senco@school.example.org")
    intruder = make_user(portal, "someone.else@example.org")
    public_id = start(portal, owner, clock)
    assert save(portal, owner, public_id, "about-you", ABOUT_YOU, clock) == {}
    before = load(portal, public_id)

    for user_id, target in [(intruder, public_id), (owner, "no-such-referral"), (intruder, "no-such-referral")]:
        with pytest.raises(ReferralNotFound):
            save(portal, user_id, target, "about-you", {"referrer_first_name": "Mallory"}, clock)
        with pytest.raises(ReferralNotFound):
            submit(portal, user_id, target, settings, clock)
        with Session(portal) as session, pytest.raises(ReferralNotFound):
            referrals.get_own(session, user_id=user_id, public_id=target)

    after = load(portal, public_id)
    assert (after.answers, after.completed_sections, after.status) == (before.answers, ["about-you"], "draft")
    assert count(portal, OutboxMessage) == 0


def test_a_submitted_referral_can_no_longer_be_changed(portal: Engine, settings: Settings, clock: Clock) -> None:
    owner = make_user(portal, "senco@school.example.org")
    public_id = ready_to_submit(portal, settings, clock, owner)
    submit(portal, owner, public_id, settings, clock)
    before = load(portal, public_id)

    errors = save(portal, owner, public_id, "about-you", {"referrer_first_name": "Changed"}, clock)

    assert errors == {"_form": ["This request has been sent and can no longer be changed"]}
    after = load(portal, public_id)
    assert after.answers == before.answers and after.answers["referrer_first_name"] == "Sam"
    assert after.updated_at == before.updated_at


# ---- submitting -------------------------------------------------------------------------------


def test_submit_gives_sequential_references_and_one_email_without_the_childs_name(
    portal: Engine, settings: Settings, clock: Clock
) -> None:
    owner = make_user(portal, "senco@school.example.org")
    first = ready_to_submit(portal, settings, clock, owner)
    second = ready_to_submit(portal, settings, clock, owner)
    clock.advance(hours=1)

    assert submit(portal, owner, first, settings, clock) == "EHC-2026-000001"
    referral = load(portal, first)
    assert (referral.status, referral.reference) == (ReferralStatus.SUBMITTED, "EHC-2026-000001")
    assert referral.submitted_at == referral.updated_at == START + timedelta(hours=1)
    assert load(portal, second).status == ReferralStatus.DRAFT  # submitting one touches no other

    [email] = outbox(portal)
    assert email.to_address == "senco@school.example.org"
    assert email.category == "referral_submitted"
    assert "EHC-2026-000001" in email.subject and "EHC-2026-000001" in email.text_body
    assert "https://portal.example.gov.uk/requests" in email.text_body
    for content in (email.subject, email.text_body, email.html_body):
        for name in (CHILD_FIRST, CHILD_LAST, CHILD_PREFERRED):
            assert name.casefold() not in content.casefold()

    assert submit(portal, owner, second, settings, clock) == "EHC-2026-000002"
    assert [m.subject for m in outbox(portal)] == [email.subject, email.subject.replace("000001", "000002")]

    # A new year starts a new sequence, from the clock's year.
    clock.now = datetime(2027, 1, 1, 0, 0, 1, tzinfo=UTC)
    third = ready_to_submit(portal, settings, clock, owner)
    assert submit(portal, owner, third, settings, clock) == "EHC-2027-000001"
    assert (counter_value(portal, 2026), counter_value(portal, 2027)) == (2, 1)


def test_submitting_twice_returns_the_same_reference_and_sends_one_email(
    portal: Engine, settings: Settings, clock: Clock
) -> None:
    owner = make_user(portal, "senco@school.example.org")
    public_id = ready_to_submit(portal, settings, clock, owner)

    reference = submit(portal, owner, public_id, settings, clock)
    clock.advance(minutes=1)
    again = submit(portal, owner, public_id, settings, clock)

    assert again == reference == "EHC-2026-000001"
    assert len(outbox(portal)) == 1
    assert counter_value(portal) == 1
    assert load(portal, public_id).submitted_at == START  # the second call changed nothing


def test_a_double_click_submits_once(
    portal: Engine, settings: Settings, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two submits of one draft, each in its own thread and session, both past the "still a draft?" check
    before either claims it (the barrier makes that interleaving certain rather than lucky)."""
    owner = make_user(portal, "senco@school.example.org")
    public_id = ready_to_submit(portal, settings, clock, owner)
    both_checked = threading.Barrier(2, timeout=30)
    real_next_reference = referrals.next_reference

    def next_reference_after_both_checked(session: Session, **kwargs: Any) -> str:
        both_checked.wait()
        return real_next_reference(session, **kwargs)

    monkeypatch.setattr(referrals, "next_reference", next_reference_after_both_checked)
    results: dict[int, str] = {}
    failures: list[BaseException] = []

    def click(number: int) -> None:
        try:
            with session_scope(portal) as session:
                results[number] = referrals.submit(
                    session, user_id=owner, public_id=public_id, settings=settings, clock=clock
                )
        except BaseException as error:  # reported below, with the thread's own exception
            failures.append(error)

    threads = [threading.Thread(target=click, args=(number,)) for number in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert results == {1: "EHC-2026-000001", 2: "EHC-2026-000001"}
    assert load(portal, public_id).reference == "EHC-2026-000001"
    assert len(outbox(portal)) == 1
    assert counter_value(portal) == 1  # the losing click's number was rolled back, not skipped


@pytest.mark.parametrize("first_of_the_year", [True, False])
def test_two_referrals_submitted_at_once_get_different_references(
    portal: Engine, settings: Settings, clock: Clock, monkeypatch: pytest.MonkeyPatch, first_of_the_year: bool
) -> None:
    """Two people sending different requests at the same moment, both reaching the counter together."""
    alice = make_user(portal, "alice@school.example.org")
    bob = make_user(portal, "bob@school.example.org")
    if not first_of_the_year:
        assert submit(portal, alice, ready_to_submit(portal, settings, clock, alice), settings, clock).endswith("01")
    drafts = {
        alice: ready_to_submit(portal, settings, clock, alice),
        bob: ready_to_submit(portal, settings, clock, bob),
    }
    together = threading.Barrier(2, timeout=30)
    real_next_reference = referrals.next_reference

    def next_reference_together(session: Session, **kwargs: Any) -> str:
        together.wait()
        return real_next_reference(session, **kwargs)

    monkeypatch.setattr(referrals, "next_reference", next_reference_together)
    results: dict[int, str] = {}
    failures: list[BaseException] = []

    def send(owner: int) -> None:
        try:
            with session_scope(portal) as session:
                results[owner] = referrals.submit(
                    session, user_id=owner, public_id=drafts[owner], settings=settings, clock=clock
                )
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=send, args=(owner,)) for owner in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    numbers = [1, 2] if first_of_the_year else [2, 3]
    assert sorted(results.values()) == [f"EHC-2026-{n:06d}" for n in numbers]
    assert {owner: load(portal, public_id).reference for owner, public_id in drafts.items()} == results
    assert counter_value(portal) == numbers[-1]
    assert sorted(m.to_address for m in outbox(portal) if m.subject.endswith(tuple(results.values()))) == [
        "alice@school.example.org",
        "bob@school.example.org",
    ]


def test_submit_is_atomic(portal: Engine, settings: Settings, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = make_user(portal, "senco@school.example.org")
    earlier = ready_to_submit(portal, settings, clock, owner)
    assert submit(portal, owner, earlier, settings, clock) == "EHC-2026-000001"
    public_id = start(portal, owner, clock)
    document_ids = fill_in(portal, settings, clock, owner=owner, public_id=public_id)
    real_enqueue = referrals.enqueue
    seen_in_transaction: dict[str, Any] = {}

    def enqueue_then_fail(session: Session, message: Any, **kwargs: Any) -> NoReturn:
        real_enqueue(session, message, **kwargs)
        session.flush()
        # Everything submit writes is in the transaction at this point...
        seen_in_transaction["outbox"] = session.exec(select(func.count()).select_from(OutboxMessage)).one()
        seen_in_transaction["status"] = session.exec(
            select(Referral.status).where(Referral.public_id == public_id)
        ).one()
        raise RuntimeError("the mail queue fell over")  # ...and then something fails

    monkeypatch.setattr(referrals, "enqueue", enqueue_then_fail)
    with pytest.raises(RuntimeError, match="fell over"):
        submit(portal, owner, public_id, settings, clock)

    assert seen_in_transaction == {"outbox": 2, "status": ReferralStatus.SUBMITTED}
    referral = load(portal, public_id)
    assert (referral.status, referral.reference, referral.submitted_at) == (ReferralStatus.DRAFT, None, None)
    assert len(outbox(portal)) == 1  # only the earlier referral's email
    assert counter_value(portal) == 1
    with Session(portal) as session:
        stored = documents.documents_in(
            session, container_kind=ContainerKind.REFERRAL, container_id=referral.id, owner_user_id=owner
        )
        assert sorted(d.public_id for d in stored) == sorted(i for ids in document_ids.values() for i in ids)
        assert all(document_store.path_for(settings, d.storage_name).is_file() for d in stored)
        assert session.exec(select(func.count()).select_from(StoredDocument)).one() == 10  # both referrals' files

    # Once the fault is gone the same draft goes through, and gets the number that was never used.
    monkeypatch.setattr(referrals, "enqueue", real_enqueue)
    assert submit(portal, owner, public_id, settings, clock) == "EHC-2026-000002"
    assert len(outbox(portal)) == 2


def test_an_incomplete_referral_is_refused_naming_the_missing_fields(
    portal: Engine, settings: Settings, clock: Clock
) -> None:
    owner = make_user(portal, "senco@school.example.org")
    public_id = start(portal, owner, clock)
    assert save(portal, owner, public_id, "about-you", ABOUT_YOU, clock) == {}
    only_plan = upload_pdf(portal, settings, owner=owner, public_id=public_id, slot="sen_support_plans", name="p.pdf")
    save(portal, owner, public_id, "documents", {"sen_support_plans": [only_plan]}, clock)

    with pytest.raises(ReferralInvalid) as refused:
        submit(portal, owner, public_id, settings, clock)

    errors = refused.value.errors
    assert {"child_first_name", "child_date_of_birth", "parents", "signed_consent_form", "declaration"} <= set(errors)
    assert errors["sen_support_plans"] == ["Upload both of the two most recent reviewed SEN support plans"]
    assert not {"referrer_first_name", "specialist_reports"} & set(errors)  # answered / optional
    referral = load(portal, public_id)
    assert (referral.status, referral.reference) == (ReferralStatus.DRAFT, None)
    assert count(portal, OutboxMessage) == 0
    assert counter_value(portal) is None


# ---- listing ----------------------------------------------------------------------------------


def test_list_own_lists_only_the_users_own_referrals(portal: Engine, settings: Settings, clock: Clock) -> None:
    alice = make_user(portal, "alice@school.example.org")
    bob = make_user(portal, "bob@school.example.org")
    nobody = make_user(portal, "nobody@school.example.org")
    alice_sent = ready_to_submit(portal, settings, clock, alice)
    clock.advance(minutes=1)
    bob_draft = start(portal, bob, clock)
    clock.advance(minutes=1)
    alice_draft = start(portal, alice, clock)
    clock.advance(minutes=1)
    submit(portal, alice, alice_sent, settings, clock)

    with Session(portal) as session:
        alices = referrals.list_own(session, user_id=alice)
        bobs = referrals.list_own(session, user_id=bob)
        assert referrals.list_own(session, user_id=nobody) == []

    assert [r.public_id for r in alices] == [alice_sent, alice_draft]  # most recently changed first
    assert [(r.status, r.reference) for r in alices] == [("submitted", "EHC-2026-000001"), ("draft", "")]
    assert alices[0].child_name == f"{CHILD_FIRST} {CHILD_LAST}"
    assert alices[0].title == "Request for an EHC needs assessment"
    assert [r.public_id for r in bobs] == [bob_draft]


def test_retired_lookup_entries_keep_their_labels_for_display(session: Session) -> None:
    """A setting retired after a request was sent still reads by its name, not its code."""
    from sen_portal.models import LookupEntry
    from sen_portal.services.referrals.drafts import lookup_labels, lookup_values

    session.add(LookupEntry(list_key="setting", value="old-school", label="Old School", sort_order=1, is_active=False))
    session.add(LookupEntry(list_key="setting", value="new-school", label="New School", sort_order=2, is_active=True))
    session.flush()

    assert lookup_labels(session)["setting"] == {"old-school": "Old School", "new-school": "New School"}
    assert lookup_values(session)["setting"] == {"new-school": "New School"}


def test_an_account_waiting_for_approval_cannot_send_until_approved(
    portal: Engine, settings: Settings, clock: Clock
) -> None:
    from sen_portal.models import ApprovalStatus
    from sen_portal.services.accounts import account_vetting

    owner = make_user(portal, "new.senco@school.example.org")
    staff = make_user(portal, "case@council.example.gov.uk")
    with session_scope(portal) as session:
        user = session.get(UserAccount, owner)
        caseworker = session.get(UserAccount, staff)
        assert user is not None and caseworker is not None
        user.approval_status = ApprovalStatus.PENDING
        caseworker.role = "caseworker"
    public_id = ready_to_submit(portal, settings, clock, owner)

    with pytest.raises(referrals.AccountNotApproved):
        submit(portal, owner, public_id, settings, clock)
    assert load(portal, public_id).status == "draft"  # nothing lost, nothing sent
    assert load(portal, public_id).reference is None

    with session_scope(portal) as session:
        account_vetting.approve(
            session,
            user_id=owner,
            actor=account_vetting.Actor(staff, "case@council.example.gov.uk"),
            settings=settings,
            clock=clock,
        )
    assert submit(portal, owner, public_id, settings, clock).startswith("EHC-2026-")


def test_a_save_racing_a_send_cannot_overwrite_the_sent_answers(
    portal: Engine, settings: Settings, clock: Clock
) -> None:
    owner = make_user(portal, "racer@school.example.org")
    public_id = ready_to_submit(portal, settings, clock, owner)
    with Session(portal) as slow_tab:
        # This tab read the draft before the other tab sent it...
        stale, _ = referrals.get_own(slow_tab, user_id=owner, public_id=public_id)
        assert stale.status == "draft"
        reference = submit(portal, owner, public_id, settings, clock)
        # ...and saves afterwards: the write must be refused, not applied to the sent request.
        errors = referrals.save_section(
            slow_tab,
            user_id=owner,
            public_id=public_id,
            section_key="about-you",
            answers={"referrer_first_name": "Overwritten"},
            clock=clock,
        )
        slow_tab.commit()
    assert errors == {"_form": ["This request has been sent and can no longer be changed"]}
    sent = load(portal, public_id)
    assert sent.reference == reference and sent.answers["referrer_first_name"] != "Overwritten"


def test_date_rules_use_the_services_clock_not_the_machines(portal: Engine, settings: Settings, clock: Clock) -> None:
    owner = make_user(portal, "timely@school.example.org")
    public_id = ready_to_submit(portal, settings, clock, owner)
    clock.now = datetime(2015, 1, 1, 9, 0, tzinfo=UTC)  # before the child's date of birth (5 March 2016)
    with pytest.raises(referrals.ReferralInvalid) as invalid:
        submit(portal, owner, public_id, settings, clock)
    assert any("past" in message for messages in invalid.value.errors.values() for message in messages)


# ---- issue 20: hostile values in a section save ---------------------------------------------------


def _json_is_valid(engine: Engine, public_id: str) -> bool:
    from sqlalchemy import text

    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            sql = "SELECT json_valid(answers) FROM referral WHERE public_id = :p"
        else:  # a cast of the text form back to jsonb fails on anything that is not JSON
            sql = "SELECT (answers::text)::jsonb IS NOT NULL FROM referral WHERE public_id = :p"
        return bool(connection.execute(text(sql), {"p": public_id}).scalar_one())


@pytest.mark.parametrize("bad", ["A\ud800B", "A\x00B", "A\ufffdB"])
def test_a_field_that_cannot_be_stored_is_marked_and_the_rest_of_the_section_saved(
    portal: Engine, clock: Clock, bad: str
) -> None:
    owner = make_user(portal, "senco@school.example.org")
    public_id = start(portal, owner, clock)
    errors = save(portal, owner, public_id, "child", {"child_first_name": bad, "child_last_name": CHILD_LAST}, clock)
    assert errors["child_first_name"] == ["First name contains characters we cannot store"]
    stored = load(portal, public_id)
    assert stored.answers["child_last_name"] == CHILD_LAST
    assert "child_first_name" not in stored.answers
    assert stored.child_name == CHILD_LAST
    assert _json_is_valid(portal, public_id)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf"), 1e309])
def test_a_number_that_is_not_finite_is_refused_and_never_stored(portal: Engine, clock: Clock, bad: float) -> None:
    owner = make_user(portal, "senco@school.example.org")
    public_id = start(portal, owner, clock)
    errors = save(portal, owner, public_id, "graduated-approach", {"apdr_cycles": bad}, clock)
    assert errors["apdr_cycles"] == ["Number of cycles must be a number, like 3"]
    assert "apdr_cycles" not in load(portal, public_id).answers
    assert _json_is_valid(portal, public_id)


def test_an_address_keeps_only_its_own_parts(portal: Engine, clock: Clock) -> None:
    owner = make_user(portal, "senco@school.example.org")
    public_id = start(portal, owner, clock)
    address = {"line1": "1 High Street", "town": "Leek", "postcode": "ST13 5AA", "__proto__": {"admin": True}}
    save(portal, owner, public_id, "child", {"child_home_address": address}, clock)
    assert set(load(portal, public_id).answers["child_home_address"]) == {"line1", "town", "postcode"}
