"""The use cases behind the designer pages, on both databases: edits by name as the pages send them,
the outline's rows, one item's settings, and lookup changes with their audit lines."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from sen_portal import db
from sen_portal.models import AuditEvent
from sen_portal.services.form_admin import designer_journey as journey
from sen_portal.services.lookups import lookup_admin
from sen_portal.services.platform.audit import Actor
from tests.service import test_referrals as referral_tests
from tests.service.test_referrals import FORM

portal = referral_tests.portal
pytestmark = pytest.mark.service
ADMIN = Actor(user_id=7, email="admin@council.example.gov.uk")


@pytest.fixture(autouse=True)
def use_test_database(portal: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "get_engine", lambda: portal)


def test_outline_rows_all_have_the_same_keys_and_problems_sit_beside_their_question() -> None:
    view = journey.editor_view(ADMIN, FORM)
    assert view.version == 2 and view.problem_count == 0
    assert len({tuple(sorted(row)) for row in view.rows}) == 1
    kinds = [row["kind"] for row in view.rows]
    assert kinds.count("section") == kinds.count("add_question") == 10
    assert "add_member" in kinds  # the parents group takes questions of its own
    found = journey.apply_edit(ADMIN, FORM, "update_field", {"path": "0.0", "label": "", "max_length": "x"})
    assert found
    rows = {row["path"]: row for row in journey.editor_view(ADMIN, FORM).rows if row["kind"] == "question"}
    assert "max_length" in rows["0.0"]["problem"] and rows["0.1"]["problem"] == ""


def test_edits_by_name_as_the_pages_send_them() -> None:
    assert journey.apply_edit(ADMIN, FORM, "add_section", {"title": "Transport"}) == []
    last = str(len([r for r in journey.editor_view(ADMIN, FORM).rows if r["kind"] == "section"]) - 1)
    journey.apply_edit(ADMIN, FORM, "add_field", {"path": last, "field_type": "number", "label": "Miles to school"})
    journey.apply_edit(ADMIN, FORM, "up", {"path": f"{last}.1"})
    item = journey.item_view(ADMIN, FORM, f"{last}.0")
    assert (item.name, item.kind) == ("miles_to_school", "question")
    assert {"min", "max", "integer_only", "show_if_field"} <= {row["key"] for row in item.settings}
    assert all({"key", "label", "kind", "value", "checked", "choices"} <= set(row) for row in item.settings)
    found = journey.apply_edit(
        ADMIN, FORM, "update_field", {"path": f"{last}.0", "label": "Distance to school", "min": "5", "max": "1"}
    )
    assert any("min (5) is more than max (1)" in problem for problem in found)
    assert journey.item_view(ADMIN, FORM, f"{last}.0").problems
    journey.apply_edit(ADMIN, FORM, "update_field", {"path": f"{last}.0", "label": "Distance", "max": "50"})
    section = journey.item_view(ADMIN, FORM, last)
    assert section.kind == "section" and all("choices" in row for row in section.settings)
    with pytest.raises(journey.DesignRefused):
        journey.apply_edit(ADMIN, FORM, "add_field", {"path": last, "field_type": "hologram", "label": "x"})
    with pytest.raises(journey.DesignRefused):
        journey.apply_edit(ADMIN, FORM, "remove", {"path": "99"})
    assert journey.publish_view(FORM)[2] == []
    assert journey.publish(ADMIN, FORM) == 2
    with Session(db.get_engine()) as session:
        changes = [e.detail["change"] for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()]
    assert changes[:4] == ["draft_started", "add_section", f"add_field at {last}", f"up at {last}.1"]
    assert changes[-1] == "published"


def test_lookup_changes_are_audited_without_labels(portal: Engine) -> None:
    assert lookup_admin.change(ADMIN, operation="add", list_key="setting", label="Riverside Nursery").startswith(
        "Riverside Nursery added"
    )
    lookup_admin.change(ADMIN, operation="retire", list_key="setting", value="riverside_nursery")
    rows = [row for row in lookup_admin.lists_view() if row["value"] == "riverside_nursery"]
    assert rows == [
        {"kind": "entry", "list_key": "setting", "value": "riverside_nursery", "label": "Riverside Nursery"}
        | {"retired": "yes"}
    ]
    with pytest.raises(lookup_admin.LookupChangeRefused):
        lookup_admin.change(ADMIN, operation="rename", list_key="setting", value="nope", label="x")
    with Session(portal) as session:
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    assert [(e.action, e.object_id, e.detail["change"]) for e in events] == [
        ("lookup_changed", "setting:riverside_nursery", "add"),
        ("lookup_changed", "setting:riverside_nursery", "retire"),
    ]
    assert all("Riverside" not in str(e.detail) for e in events)


def test_a_lookup_list_that_does_not_exist_shows_beside_the_question() -> None:
    found = journey.apply_edit(ADMIN, FORM, "update_field", {"path": "0.2", "lookup": "roles_typo", "label": "Role"})
    assert any("lookup list 'roles_typo' does not exist" in problem for problem in found)
    rows = {row["path"]: row for row in journey.editor_view(ADMIN, FORM).rows}
    assert "roles_typo" in rows["0.2"]["problem"]


def test_an_edit_aimed_at_a_place_that_has_changed_is_refused() -> None:
    rows = [row for row in journey.editor_view(ADMIN, FORM).rows if row["kind"] == "question"]
    first, second = rows[0], rows[1]
    # Another admin moves the first question down; this page still shows the old order.
    journey.apply_edit(ADMIN, FORM, "down", {"path": first["path"], "expect": first["name"]})
    with pytest.raises(journey.DesignRefused) as refused:
        journey.apply_edit(ADMIN, FORM, "remove", {"path": first["path"], "expect": first["name"]})
    assert refused.value.errors == {"operation": [journey.STALE]}
    now = {row["path"]: row["name"] for row in journey.editor_view(ADMIN, FORM).rows if row["kind"] == "question"}
    assert (now[first["path"]], now[second["path"]]) == (second["name"], first["name"])
