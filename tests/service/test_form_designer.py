"""The form designer against real SQLite and PostgreSQL: draft -> live -> archived, publishing rules,
stable names, import/export, lookup list upkeep, audit, and a designed form submitted end to end."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from sen_portal.db import session_scope
from sen_portal.forms import designer as design
from sen_portal.forms import load_definition
from sen_portal.models import AuditEvent, FormVersion, Referral
from sen_portal.models.referrals import FormVersionStatus as Status
from sen_portal.services.form_admin import form_designer as forms
from sen_portal.services.form_admin import form_exchange as exchange
from sen_portal.services.form_admin import form_overview as overview
from sen_portal.services.form_admin.form_designer import DesignRefused
from sen_portal.services.lookups import lists as lookups
from sen_portal.services.platform.audit import Actor
from sen_portal.services.referrals import drafts as referrals
from tests.service import test_referrals as referral_tests
from tests.service.test_referrals import FORM, Clock, make_user

# The referral tests' fixtures: a clock moved by hand, settings, and a freshly installed portal.
clock = referral_tests.clock
settings = referral_tests.settings
portal = referral_tests.portal

pytestmark = pytest.mark.service
ADMIN = Actor(user_id=1, email="admin@council.example.gov.uk", client_ip="203.0.113.9")


def statuses(engine: Engine, form_key: str) -> dict[int, str]:
    with Session(engine) as session:
        rows = session.exec(select(FormVersion).where(FormVersion.form_key == form_key)).all()
        return {row.version: row.status for row in rows}


def edit(engine: Engine, form_key: str, change: str, apply, clock: Clock) -> list[str]:
    with session_scope(engine) as session:
        _version, problems = forms.edit_draft(
            session, form_key=form_key, change=change, apply=apply, actor=ADMIN, clock=clock
        )
        return problems


def test_draft_live_archived_and_pinned_referrals(portal: Engine, clock: Clock) -> None:
    owner = make_user(portal, "senco@school.example.org")
    with session_scope(portal) as session:
        pinned = referrals.start_draft(session, user_id=owner, form_key=FORM, clock=clock).public_id
    problems = edit(
        portal,
        FORM,
        "add_field",
        lambda d: design.add_field(d, (0,), field_type="yes_no", label="Is this request urgent?"),
        clock,
    )
    assert problems == []
    assert statuses(portal, FORM) == {1: Status.LIVE, 2: Status.DRAFT}
    with session_scope(portal) as session:
        assert "Question added to 'About you'" in forms.changes_since_live(session, form_key=FORM)[0]
        forms.publish_draft(session, form_key=FORM, actor=ADMIN, clock=clock)
    assert statuses(portal, FORM) == {1: Status.ARCHIVED, 2: Status.LIVE}
    with Session(portal) as session:
        old = session.exec(select(Referral).where(Referral.public_id == pinned)).one()
        assert session.get(FormVersion, old.form_version_id).version == 1  # the started draft stays on v1
        live = referrals.live_version(session, form_key=FORM)
        assert live.published_by_email == ADMIN.email and live.changed_by_email == ADMIN.email
        assert "is_this_request_urgent" in design.field_names(live.definition)
        actions = session.exec(select(AuditEvent.action, AuditEvent.detail).order_by(col(AuditEvent.id))).all()
    assert [a for a, _d in actions] == ["form_changed", "form_changed", "form_published"]
    assert all(set(detail) == {"version", "change", "status"} for _a, detail in actions)


def test_a_draft_with_problems_is_saved_but_cannot_be_published(portal: Engine, clock: Clock) -> None:
    problems = edit(portal, FORM, "update", lambda d: design.update_field(d, (0, 0), {"max_length": "lots"}), clock)
    assert problems and problems[0].startswith("sections[0].fields[0]")
    with session_scope(portal) as session, pytest.raises(DesignRefused) as refused:
        forms.publish_draft(session, form_key=FORM, actor=ADMIN, clock=clock)
    assert "max_length" in refused.value.errors["publish"][0]
    assert statuses(portal, FORM) == {1: Status.LIVE, 2: Status.DRAFT}
    # A lookup list the portal does not have is only known to the database: publishing checks it too.
    edit(portal, FORM, "fix", lambda d: design.update_field(d, (0, 0), {"max_length": "100"}), clock)
    edit(portal, FORM, "lookup", lambda d: design.update_field(d, (0, 2), {"lookup": "no_such_list"}), clock)
    with session_scope(portal) as session, pytest.raises(DesignRefused) as refused:
        forms.publish_draft(session, form_key=FORM, actor=ADMIN, clock=clock)
    assert "no_such_list" in refused.value.errors["publish"][0]


def test_names_stay_stable_and_are_never_reused_across_versions(portal: Engine, clock: Clock) -> None:
    edit(portal, FORM, "add", lambda d: design.add_field(d, (0,), field_type="text", label="Team"), clock)
    with session_scope(portal) as session:
        forms.publish_draft(session, form_key=FORM, actor=ADMIN, clock=clock)
    last = len(about_you_names(portal)) - 1
    edit(portal, FORM, "relabel", lambda d: design.update_field(d, (0, last), {"label": "Your team"}), clock)
    assert about_you_names(portal)[-1] == "team"  # the label changed, the stored name did not
    edit(portal, FORM, "remove", lambda d: design.remove(d, (0, last)), clock)
    with session_scope(portal) as session:
        assert "team" in forms.reserved_names(session, FORM)
    # Adding "Team" again must not reuse the name: v2's answers under "team" meant the old question.
    with session_scope(portal) as session:
        reserved = forms.reserved_names(session, FORM)
    edit(
        portal,
        FORM,
        "add",
        lambda d: design.add_field(d, (0,), field_type="text", label="Team", reserved=reserved),
        clock,
    )
    assert about_you_names(portal)[-1] == "team_2"


def about_you_names(engine: Engine) -> list[str]:
    with Session(engine) as session:
        version = forms.draft_of(session, FORM) or referrals.live_version(session, form_key=FORM)
        data = version.definition
        return [f["name"] for f in data["sections"][0]["fields"]]


def test_a_new_form_from_blank_is_published_and_submitted_with_its_own_prefix(
    portal: Engine, clock: Clock, settings
) -> None:
    with session_scope(portal) as session:
        created = forms.create_form(session, title="School transport", reference_prefix="trn", actor=ADMIN, clock=clock)
        key = created.form_key
    assert key == "school_transport"

    def two_sections(data: dict) -> dict:
        data = design.update_section(data, (0,), title="The journey", description="")
        data = design.update_field(data, (0, 0), {"label": "Which school?"})
        data = design.add_section(data, title="Needs")
        return design.add_field(data, (1,), field_type="yes_no", label="Needs a wheelchair space?")

    assert edit(portal, key, "build", two_sections, clock) == []
    with session_scope(portal) as session:
        forms.publish_draft(session, form_key=key, actor=ADMIN, clock=clock)
        assert [v.form_key for v in referrals.live_forms(session)] == [FORM, key]
    owner = make_user(portal, "parent@example.org")
    with session_scope(portal) as session:
        public_id = referrals.start_draft(session, user_id=owner, form_key=key, clock=clock).public_id
    with session_scope(portal) as session:
        answers = {"first_question": "Hillside Academy"}
        assert (
            referrals.save_section(
                session, user_id=owner, public_id=public_id, section_key="first-section", answers=answers, clock=clock
            )
            == {}
        )
        referrals.save_section(
            session,
            user_id=owner,
            public_id=public_id,
            section_key="needs",
            answers={"needs_a_wheelchair_space": "yes"},
            clock=clock,
        )
    with session_scope(portal) as session:
        reference = referrals.submit(session, user_id=owner, public_id=public_id, settings=settings, clock=clock)
    assert reference == "TRN-2026-000001"


def test_prefixes_must_differ_between_forms(portal: Engine, clock: Clock) -> None:
    with session_scope(portal) as session, pytest.raises(DesignRefused) as refused:
        forms.create_form(session, title="Another", reference_prefix="EHC", actor=ADMIN, clock=clock)
    assert "reference_prefix" in refused.value.errors


def test_copy_archive_and_discard(portal: Engine, clock: Clock) -> None:
    with session_scope(portal) as session:
        copied = forms.create_form(
            session, title="EHC review", reference_prefix="EHCR", copy_from=FORM, actor=ADMIN, clock=clock
        )
        assert copied.definition["sections"][0]["key"] == "about-you" and copied.version == 1
        forms.discard_draft(session, form_key=copied.form_key, actor=ADMIN, clock=clock)
        forms.archive_form(session, form_key=FORM, actor=ADMIN, clock=clock)
        assert referrals.live_forms(session) == []
        rows = overview.list_forms(session)
    assert [(r.key, r.live, r.draft, r.archived) for r in rows] == [(FORM, None, None, [1])]


def test_export_import_round_trip(portal: Engine, clock: Clock, engine: Engine) -> None:
    edit(portal, FORM, "add", lambda d: design.add_field(d, (0,), field_type="yes_no", label="Urgent?"), clock)
    with session_scope(portal) as session:
        forms.publish_draft(session, form_key=FORM, actor=ADMIN, clock=clock)
        exported = exchange.export_yaml(session, form_key=FORM, number=2)
        live = referrals.live_version(session, form_key=FORM).definition
    assert load_definition(exported) == load_definition(live)
    # Into a portal that already has the form: it becomes the next draft, equal to what was exported.
    with session_scope(portal) as session:
        imported = exchange.import_yaml(session, text=exported, actor=ADMIN, clock=clock)
        assert (imported.version, imported.status) == (3, Status.DRAFT)
        assert forms.changes_since_live(session, form_key=FORM) == []
    broken = exported.replace("type: yes_no", "type: yesno", 1)
    with session_scope(portal) as session, pytest.raises(DesignRefused) as refused:
        exchange.import_yaml(session, text=broken, actor=ADMIN, clock=clock)
    assert "unknown field type 'yesno'" in refused.value.errors["definition"][0]


def test_lookup_lists_add_rename_retire(portal: Engine, clock: Clock) -> None:
    with session_scope(portal) as session:
        entry = lookups.add_entry(session, list_key="school_phase", label="Key stage 2", now=clock())
        assert entry.value == "key_stage_2"
        lookups.rename_entry(session, list_key="school_phase", value="key_stage_2", label="KS2", now=clock())
        lookups.set_retired(session, list_key="school_phase", value="key_stage_2", retired=True, now=clock())
        assert "school_phase" in lookups.list_keys(session)
        assert referrals.lookup_values(session)["school_phase"] == {}
        assert referrals.lookup_labels(session)["school_phase"] == {"key_stage_2": "KS2"}
        with pytest.raises(lookups.LookupChangeRefused):
            lookups.add_entry(session, list_key="school_phase", label="ks2", now=clock())


@pytest.mark.parametrize(
    "label, problem",
    [
        ("Key\x00stage", "The name contains characters we cannot store"),
        ("\u200b\u200b", "Enter the entry's name"),
        ("x" * 201, "The name must be 200 characters or fewer"),
    ],
)
def test_lookup_entry_names_go_through_the_inbound_gate(portal: Engine, clock: Clock, label: str, problem: str) -> None:
    with session_scope(portal) as session, pytest.raises(lookups.LookupChangeRefused, match=problem):
        lookups.add_entry(session, list_key="school_phase", label=label, now=clock())


def test_history_says_who_and_when_in_council_time(portal: Engine, clock: Clock) -> None:
    clock.now = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # British Summer Time: 13:00 in the council
    edit(portal, FORM, "add", lambda d: design.add_field(d, (0,), field_type="email", label="Work email"), clock)
    with Session(portal) as session:
        [draft, shipped] = overview.history(session, FORM)
    assert draft == {
        "version": "2",
        "status": "Draft",
        "created": f"1 Jul 2026 13:00 {ADMIN.email}",
        "changed": f"1 Jul 2026 13:00 {ADMIN.email}",
        "published": "",
    }
    assert shipped["status"] == "Live" and shipped["created"].endswith("shipped with the portal")
