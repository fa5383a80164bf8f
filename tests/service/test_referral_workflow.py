"""The staff workflow against real SQLite and PostgreSQL: transitions, assignment, duplicates, audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sen_portal.config import Settings, settings_from_env
from sen_portal.db import session_scope
from sen_portal.models import Referral, ReferralStatusChange
from sen_portal.models.referrals import ReferralStatus as S
from sen_portal.services.lookups.lists import SHIPPED_LISTS, seed_lookup_list
from sen_portal.services.platform.seed import install_shipped_forms
from sen_portal.services.referrals import drafts as referrals
from sen_portal.services.referrals import referral_intake, referral_workflow
from sen_portal.services.referrals.referral_workflow import TRANSITIONS, WorkflowRefused
from tests.service import test_referrals as journey
from tests.service.staff_helpers import actor_for, audit_lines, person, sent

pytestmark = pytest.mark.service


@pytest.fixture
def people(session: Session):
    return (
        person(session, "senco@school.example.org", "professional", "Sam", "Senco"),
        person(session, "casey@council.example.gov.uk", "caseworker"),
        person(session, "ada@council.example.gov.uk", "admin", "Ada", "Admin"),
    )


def move(session: Session, referral: Referral, user, to: str, **kwargs) -> Referral:
    return referral_workflow.change_status(
        session, referral_public_id=referral.public_id, actor=actor_for(user), to_status=to, **kwargs
    )


def test_the_statutory_route_from_submitted_to_final_plan(session: Session, people) -> None:
    owner, casey, _ = people
    referral = sent(session, owner, reference="EHC-2026-000001")
    for status in (S.RECEIVED, S.UNDER_CONSIDERATION, S.AGREED_TO_ASSESS, S.ASSESSMENT, S.DRAFT_PLAN, S.FINAL_PLAN):
        referral = move(session, referral, casey, status, note=f"now {status}")
        assert referral.status == status
    session.commit()
    timeline = referral_workflow.timeline(session, referral.id or 0)
    assert (timeline[0][0].from_status, timeline[0][0].to_status) == ("submitted", "received")
    assert [c.to_status for c, _ in timeline][-1] == "final_plan"
    assert all(user is not None and user.id == casey.id for _, user in timeline)
    lines = audit_lines(session, "referral_status_changed")
    assert len(lines) == 6
    # codes only: the note stays in the timeline, never in the audit log
    assert lines[0].detail == {"from": "submitted", "to": "received"}
    assert lines[0].object_id == "EHC-2026-000001" and lines[0].actor_email == casey.email
    assert lines[0].client_ip == "192.0.2.1"


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.SUBMITTED, S.AGREED_TO_ASSESS),  # no skipping the consideration
        (S.SUBMITTED, S.DRAFT),
        (S.RECEIVED, S.FINAL_PLAN),
        (S.DECLINED, S.UNDER_CONSIDERATION),  # a decision is final here
        (S.FINAL_PLAN, S.ASSESSMENT),
        (S.MORE_INFORMATION_REQUESTED, S.AGREED_TO_ASSESS),
        (S.SUBMITTED, "no_such_status"),
    ],
)
def test_a_move_off_the_route_is_refused_and_changes_nothing(session: Session, people, start: str, to: str) -> None:
    owner, casey, _ = people
    referral = sent(session, owner, reference="EHC-2026-000002", status=start)
    with pytest.raises(WorkflowRefused) as refused:
        move(session, referral, casey, to)
    assert "to_status" in refused.value.errors
    session.refresh(referral)
    assert referral.status == start
    assert session.exec(select(ReferralStatusChange)).all() == []
    assert audit_lines(session, "referral_status_changed") == []


def test_every_status_has_a_row_in_the_table() -> None:
    assert set(TRANSITIONS) == {s.value for s in S} - {"draft"}
    assert all(to in TRANSITIONS for targets in TRANSITIONS.values() for to in targets)


def test_declining_needs_a_reason_which_is_kept(session: Session, people) -> None:
    owner, casey, _ = people
    referral = sent(session, owner, reference="EHC-2026-000003", status=S.UNDER_CONSIDERATION)
    with pytest.raises(WorkflowRefused) as refused:
        move(session, referral, casey, S.DECLINED, reason="   ")
    assert list(refused.value.errors) == ["reason"]
    referral = move(session, referral, casey, S.DECLINED, reason="Needs can be met at SEN support")
    assert referral.decision_reason == "Needs can be met at SEN support"
    [change] = session.exec(select(ReferralStatusChange)).all()
    assert change.note == "Needs can be met at SEN support"
    assert "Needs" not in str(audit_lines(session, "referral_status_changed")[0].detail)


def test_more_information_needs_a_note_and_comes_back_to_consideration(session: Session, people) -> None:
    owner, casey, _ = people
    referral = sent(session, owner, reference="EHC-2026-000004", status=S.RECEIVED)
    with pytest.raises(WorkflowRefused) as refused:
        move(session, referral, casey, S.MORE_INFORMATION_REQUESTED)
    assert list(refused.value.errors) == ["note"]
    referral = move(session, referral, casey, S.MORE_INFORMATION_REQUESTED, note="Please send the EP report")
    assert referral_workflow.allowed_next(referral.status) == (S.UNDER_CONSIDERATION,)
    assert move(session, referral, casey, S.UNDER_CONSIDERATION).status == S.UNDER_CONSIDERATION


def test_only_active_staff_can_move_assign_or_view(session: Session, people) -> None:
    owner, casey, _ = people
    referral = sent(session, owner, reference="EHC-2026-000005")
    with pytest.raises(WorkflowRefused):
        move(session, referral, owner, S.RECEIVED)
    with pytest.raises(WorkflowRefused):
        referral_workflow.assign(
            session, referral_public_id=referral.public_id, actor=actor_for(owner), caseworker_id=casey.id
        )
    with pytest.raises(WorkflowRefused):
        referral_workflow.record_view(session, referral_public_id=referral.public_id, actor=actor_for(owner))
    casey.is_active = False
    session.add(casey)
    with pytest.raises(WorkflowRefused):
        move(session, referral, casey, S.RECEIVED)


def test_a_draft_is_not_visible_to_the_workflow(session: Session, people) -> None:
    owner, casey, _ = people
    referral = sent(session, owner, reference="EHC-2026-000006")
    referral.status, referral.received_at = S.DRAFT, None
    session.add(referral)
    with pytest.raises(referral_workflow.SentReferralNotFound):
        move(session, referral, casey, S.RECEIVED)
    with pytest.raises(referral_workflow.SentReferralNotFound):
        referral_workflow.record_view(session, referral_public_id="nonsense", actor=actor_for(casey))


def test_assign_to_staff_only_and_audit_it(session: Session, people) -> None:
    owner, casey, ada = people
    referral = sent(session, owner, reference="EHC-2026-000007")
    for target in (owner.id, 999_999):
        with pytest.raises(WorkflowRefused) as refused:
            referral_workflow.assign(
                session, referral_public_id=referral.public_id, actor=actor_for(ada), caseworker_id=target
            )
        assert list(refused.value.errors) == ["caseworker"]
    for target in (casey.id, ada.id, None):
        referral = referral_workflow.assign(
            session, referral_public_id=referral.public_id, actor=actor_for(ada), caseworker_id=target
        )
        assert referral.assigned_to_user_id == target
    lines = audit_lines(session, "referral_assigned")
    assert [line.detail["assigned_to"] for line in lines] == [casey.id, ada.id, None]
    assert [u.email for u in referral_workflow.caseworkers(session)] == [ada.email, casey.email]


def test_viewing_is_audited(session: Session, people) -> None:
    owner, casey, _ = people
    referral = sent(session, owner, reference="EHC-2026-000008")
    referral_workflow.record_view(session, referral_public_id=referral.public_id, actor=actor_for(casey))
    [line] = audit_lines(session, "referral_viewed")
    assert (line.object_type, line.object_id, line.actor_user_id) == ("referral", "EHC-2026-000008", casey.id)


def test_name_key_makes_one_child_typed_two_ways_compare_equal() -> None:
    assert referral_intake.name_key("  Zoë   O'Brien-Smith ") == referral_intake.name_key("ZOE obriensmith")
    assert referral_intake.name_key("") == ""


# ---- through the real submit ---------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_from_env(
        {"PUBLIC_URL": "https://portal.example.gov.uk", "SECRET_KEY": "k" * 48, "DOCUMENT_STORE_DIR": str(tmp_path)}
    )


@pytest.fixture
def portal(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        for list_key, csv_path in SHIPPED_LISTS.items():
            seed_lookup_list(session, list_key, csv_path)
        install_shipped_forms(session)
    return engine


def _sent_for(portal: Engine, settings: Settings, clock, owner: int, first_name: str | None = None) -> Referral:
    public_id = journey.ready_to_submit(portal, settings, clock, owner)
    if first_name:
        answers = {**journey.load(portal, public_id).answers, "child_first_name": first_name}
        child = {k: answers[k] for k in ("child_first_name", "child_last_name", "child_date_of_birth")}
        assert journey.save(portal, owner, public_id, "child", child, clock) == {}
    journey.submit(portal, owner, public_id, settings, clock)
    return journey.load(portal, public_id)


def test_submit_fills_the_inbox_columns_and_starts_the_timeline(portal: Engine, settings: Settings) -> None:
    clock = journey.Clock()
    owner = journey.make_user(portal, "one@school.example.org")
    referral = _sent_for(portal, settings, clock, owner)
    assert referral.child_name == f"{journey.CHILD_FIRST} {journey.CHILD_LAST}"
    assert referral.child_name_key == f"{journey.CHILD_FIRST} {journey.CHILD_LAST}".lower()
    assert referral.child_dob is not None and referral.child_dob.isoformat() == "2016-03-05"
    # the shipped answer is a lookup value; the inbox shows its label
    with Session(portal) as session:
        labels = referrals.lookup_labels(session)["setting"]
        changes = session.exec(select(ReferralStatusChange)).all()
    assert referral.setting_name == labels.get(journey.COMPLETE["current_setting"], journey.COMPLETE["current_setting"])
    assert referral.received_at == referral.submitted_at == journey.START
    assert (referral.decision_due_on - referral.received_at.date()).days == 42
    assert (referral.final_plan_due_on - referral.received_at.date()).days == 140
    assert referral.possible_duplicate is False
    assert [(c.from_status, c.to_status, c.actor_user_id) for c in changes] == [("draft", "submitted", owner)]


def test_a_second_request_for_the_same_child_flags_both(portal: Engine, settings: Settings) -> None:
    clock = journey.Clock()
    first_owner = journey.make_user(portal, "one@school.example.org")
    other_owner = journey.make_user(portal, "two@clinic.example.org")
    first = _sent_for(portal, settings, clock, first_owner)
    different_child = _sent_for(portal, settings, clock, other_owner, first_name="Orlando")
    assert not journey.load(portal, first.public_id).possible_duplicate
    assert not different_child.possible_duplicate
    second = _sent_for(portal, settings, clock, other_owner)
    assert second.possible_duplicate and journey.load(portal, first.public_id).possible_duplicate
    assert not journey.load(portal, different_child.public_id).possible_duplicate
    with Session(portal) as session:
        assert [r.public_id for r in referral_intake.duplicates_of(session, second)] == [first.public_id]


def test_a_form_without_the_mapped_fields_still_submits(session: Session) -> None:
    version = referrals.definition_of(referral_workflow_version(session))
    columns = referral_intake.inbox_columns(version, {}, child_name="", lookup_labels={}, received_at=journey.START)
    assert columns["child_dob"] is None and columns["setting_name"] == "" and columns["child_name_key"] == ""
    assert columns["decision_due_on"].isoformat() == "2026-04-13"


def referral_workflow_version(session: Session):
    install_shipped_forms(session)
    return referrals.live_version(session, form_key="ehc_needs_assessment")


def test_two_caseworkers_moving_it_at_once_cannot_both_succeed(engine: Engine) -> None:
    with session_scope(engine) as session:
        owner, casey, ada = (
            person(session, "senco@school.example.org", "professional"),
            person(session, "casey@council.example.gov.uk", "caseworker"),
            person(session, "ada@council.example.gov.uk", "admin"),
        )
        public_id = sent(session, owner, reference="EHC-2026-000009").public_id
        casey_actor, ada_actor = actor_for(casey), actor_for(ada)
    with Session(engine) as first, Session(engine) as second:
        # Both read "submitted"; the second commits first; the first must then be refused, not overwrite it.
        stale = referral_workflow.sent_referral(first, public_id)
        assert stale.status == S.SUBMITTED
        referral_workflow.change_status(
            second, referral_public_id=public_id, actor=ada_actor, to_status=S.MORE_INFORMATION_REQUESTED, note="EP?"
        )
        second.commit()
        # The first session still holds the row as it read it ("submitted"): only the conditional UPDATE can tell.
        with pytest.raises(WorkflowRefused):
            referral_workflow.change_status(
                first, referral_public_id=public_id, actor=casey_actor, to_status=S.RECEIVED
            )
    with Session(engine) as check:
        assert referral_workflow.sent_referral(check, public_id).status == S.MORE_INFORMATION_REQUESTED
        assert len(check.exec(select(ReferralStatusChange)).all()) == 1
