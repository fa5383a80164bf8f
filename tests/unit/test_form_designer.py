"""The designer's pure operations: every edit gives a definition the engine loads, and names never move."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sen_portal.forms import designer as design
from sen_portal.forms import load_definition, shipped_definition_data
from sen_portal.forms.designer_fields import changes_from_form, editor_settings, parse_options
from sen_portal.forms.diff import describe_changes
from sen_portal.forms.registry import REGISTRY
from sen_portal.forms.schema import FIELD_TYPES

pytestmark = pytest.mark.unit


def blank() -> dict:
    return design.blank_definition(key="school_move", title="School move", reference_prefix="SCM")


def test_slugs_are_snake_case_and_unique() -> None:
    assert design.slug("Does the child have an EHC plan?") == "does_the_child_have_an_ehc_plan"
    assert design.slug("1st language") == "question_1st_language"
    assert design.slug("  ??  ") == "question"
    assert design.slug("Ünïcode café") == "unicode_cafe"
    assert design.unique_name("name", {"name", "name_2"}) == "name_3"


@pytest.mark.parametrize("field_type", FIELD_TYPES)
def test_a_new_question_of_every_registry_type_loads(field_type: str) -> None:
    data = design.add_field(blank(), (0,), field_type=field_type, label=f"New {field_type}")
    assert design.problems(data) == []
    assert load_definition(data).sections[0].fields[-1].type == field_type


def test_renaming_a_label_never_renames_the_stored_answer() -> None:
    data = design.add_field(blank(), (0,), field_type="yes_no", label="Is English an additional language?")
    data = design.update_field(data, (0, 1), {"label": "Is English their second language?", "name": "hacked"})
    item = data["sections"][0]["fields"][1]
    assert item["name"] == "is_english_an_additional_language"
    assert item["label"] == "Is English their second language?"


def test_names_used_by_earlier_versions_are_never_handed_out_again() -> None:
    data = design.add_field(blank(), (0,), field_type="text", label="First question", reserved={"first_question_2"})
    assert data["sections"][0]["fields"][-1]["name"] == "first_question_3"


def test_condition_and_required_yes_no() -> None:
    data = design.add_field(blank(), (0,), field_type="yes_no", label="Has an interpreter been booked?")
    data = design.add_field(data, (0,), field_type="text", label="Which language?")
    assert [t["value"] for t in design.condition_targets(data, (0, 2))] == [
        "first_question",
        "has_an_interpreter_been_booked",
    ]
    form = {"label": "Which language?", "show_if_field": "has_an_interpreter_been_booked", "show_if_values": "yes"}
    data = design.update_field(data, (0, 2), changes_from_form("text", form))
    item = data["sections"][0]["fields"][2]
    assert item["show_if"] == {"field": "has_an_interpreter_been_booked", "equals": "yes"}
    assert item["required"] is False  # the box was not ticked in the submitted form
    assert design.problems(data) == []


def test_problems_are_placed_beside_the_question() -> None:
    data = design.add_field(blank(), (0,), field_type="number", label="Sessions")
    data = design.update_field(data, (0, 1), {"min": "ten", "max": "5"})
    placed = design.problems_by_place(design.problems(data))
    assert list(placed) == ["0.1"] and "min" in placed["0.1"][0]
    data = design.update_field(data, (0, 1), {"min": "1"})
    assert design.problems(data) == []
    # A condition on a question that is then removed is reported where the condition is.
    data = design.add_field(data, (0,), field_type="text", label="Why")
    data = design.update_field(data, (0, 2), {"show_if_field": "sessions", "show_if_values": "3"})
    assert design.problems(data) == []
    data = design.remove(data, (0, 1))
    assert list(design.problems_by_place(design.problems(data))) == ["0.1"]


def test_options_keep_their_values_when_reworded() -> None:
    existing = [{"value": "primary", "label": "Primary"}]
    assert parse_options("Primary\nSecondary school\nsp | Special", existing) == [
        {"value": "primary", "label": "Primary"},
        {"value": "secondary_school", "label": "Secondary school"},
        {"value": "sp", "label": "Special"},
    ]


def test_error_messages_are_edited_as_lines_and_checked_by_the_engine() -> None:
    data = design.add_field(blank(), (0,), field_type="yes_no", label="Agreed?")
    data = design.update_field(data, (0, 1), {"messages": "required: Tell us if they agreed\nrequird: typo"})
    assert data["sections"][0]["fields"][1]["messages"]["required"] == "Tell us if they agreed"
    assert "unknown message key 'requird'" in design.problems(data)[0]
    data = design.update_field(data, (0, 1), {"messages": "required: Tell us if they agreed"})
    assert design.problems(data) == []
    data = design.update_field(data, (0, 1), {"messages": ""})
    assert "messages" not in data["sections"][0]["fields"][1]


def test_option_hints_stay_with_their_value() -> None:
    existing = [{"value": "yes", "label": "Yes", "hint": "They agreed in writing"}]
    assert parse_options("yes | Yes, they agreed", existing) == [
        {"value": "yes", "label": "Yes, they agreed", "hint": "They agreed in writing"}
    ]


def test_a_select_can_take_its_options_from_a_lookup_list() -> None:
    data = design.add_field(blank(), (0,), field_type="select", label="Setting")
    data = design.update_field(data, (0, 1), {"lookup": "setting"})
    assert "options" not in data["sections"][0]["fields"][1]
    assert design.problems(data) == []
    rows = editor_settings(data["sections"][0]["fields"][1], targets=[], lookup_lists=["setting"], document_types=[])
    assert {"key": "lookup", "value": "setting"}.items() <= next(r for r in rows if r["key"] == "lookup").items()


def test_groups_take_members_but_not_groups() -> None:
    data = design.add_field(blank(), (0,), field_type="group", label="Siblings")
    data = design.add_field(data, (0, 1), field_type="date", label="Date of birth")
    assert [m["name"] for m in data["sections"][0]["fields"][1]["fields"]] == ["name", "date_of_birth"]
    with pytest.raises(design.DesignError):
        design.add_field(data, (0, 1), field_type="group", label="Nested")
    assert design.problems(data) == []


def test_moving_and_removing_sections() -> None:
    data = design.add_section(blank(), title="Second")
    data = design.add_field(data, (1,), field_type="email", label="Email")
    data = design.move(data, (1,), -1)
    assert [s["key"] for s in data["sections"]] == ["second", "first-section"]
    assert design.move(data, (0,), -1) == data
    data = design.remove(data, (0,))
    assert [s["key"] for s in data["sections"]] == ["first-section"]
    with pytest.raises(design.DesignError):
        design.remove(data, (3,))


def test_a_question_moves_to_another_section_with_its_name() -> None:
    data = design.add_section(blank(), title="Second")
    data = design.add_field(data, (1,), field_type="email", label="Email")
    data = design.move_to_section(data, (1, 0), 0)
    assert [f["name"] for f in data["sections"][0]["fields"]] == ["first_question", "email"]
    assert data["sections"][1]["fields"] == []
    assert list(design.problems_by_place(design.problems(data))) == ["1"]  # a section needs a question
    with pytest.raises(design.DesignError):
        design.move_to_section(data, (0,), 1)


def test_diff_names_what_changed() -> None:
    before = shipped_definition_data("ehc_needs_assessment")
    after = design.add_field(before, (0,), field_type="yes_no", label="Is this urgent?")
    after = design.update_field(after, (0, 0), {"label": "Your first name"})
    lines = describe_changes(before, after)
    assert "Question added to 'About you': 'Is this urgent?' (yes_no, stored as is_this_urgent)" in lines
    assert "Question 'Your first name' changed: label" in lines
    assert describe_changes(after, after) == []


# ---- property: any sequence of designer edits gives a definition the engine loads ------------------

_ANSWER_TYPES = [t for t in FIELD_TYPES if t != "group"]
_label = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "Zs"]), min_size=1, max_size=30).filter(
    lambda text: text.strip() != ""
)
_edit = st.one_of(
    st.tuples(st.just("section"), _label),
    st.tuples(st.just("field"), st.sampled_from(FIELD_TYPES), _label, st.integers(0, 20)),
    # Hypothesis favours the first types of a sampled list: groups and yes/no questions (condition targets)
    # get edits of their own so that they, their members and conditions on them occur often.
    st.tuples(st.just("field"), st.sampled_from(["group", "yes_no", "radios"]), _label, st.integers(0, 20)),
    st.tuples(st.just("member"), st.sampled_from(_ANSWER_TYPES), _label, st.integers(0, 20)),
    st.tuples(st.just("move"), st.integers(0, 20), st.integers(0, 20), st.sampled_from([-1, 1])),
    st.tuples(st.just("remove"), st.integers(0, 20), st.integers(0, 20)),
    st.tuples(st.just("relabel"), st.integers(0, 20), st.integers(0, 20), _label, st.booleans()),
    st.tuples(st.just("condition"), st.integers(0, 20), st.integers(0, 20), st.integers(0, 40)),
)


def _apply(data: dict, edit: tuple) -> dict:
    kind, *args = edit
    sections = data["sections"]
    if kind == "section":
        data = design.add_section(data, title=args[0])
        return design.add_field(data, (len(data["sections"]) - 1,), field_type="text", label=args[0])
    s = args[-1] % len(sections) if kind in ("field", "member") else args[0] % len(sections)
    fields = sections[s]["fields"]
    if kind == "field":
        return design.add_field(data, (s,), field_type=args[0], label=args[1])
    if kind == "member":
        groups = [i for i, f in enumerate(fields) if f["type"] == "group"]
        if not groups:
            return data
        return design.add_field(data, (s, groups[0]), field_type=args[0], label=args[1])
    f = args[1] % len(fields)
    if kind == "move":
        return design.move(data, (s, f), args[2])
    if kind == "remove":
        return design.remove(data, (s, f)) if len(fields) > 1 else data
    if kind == "relabel":
        key = "heading" if fields[f]["type"] == "guidance" else "label"
        return design.update_field(data, (s, f), {key: args[2], "required": args[3]})
    targets = design.condition_targets(data, (s, f))
    target = [t for t in targets if _values_of(data, t["value"])]
    if not target:
        return data
    chosen = target[args[2] % len(target)]["value"]
    return design.update_field(data, (s, f), {"show_if_field": chosen, "show_if_values": _values_of(data, chosen)[0]})


def _values_of(data: dict, name: str) -> list[str]:
    for section in data["sections"]:
        for item in section["fields"]:
            if item["name"] == name:
                if item["type"] == "yes_no":
                    return ["yes"]
                return [o["value"] for o in item.get("options") or []]
    return []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_edit, max_size=25))
def test_any_sequence_of_edits_loads_and_keeps_names(edits: list[tuple]) -> None:
    data = blank()
    for edit in edits:
        before = design.field_names(data)
        data = _apply(data, edit)
        after = design.field_names(data)
        if edit[0] == "remove":
            assert len(before - after) <= 1 + 50  # one question (or a group and its members) goes
        else:
            assert before <= after  # adding, moving or rewording never renames anything
        if edit[0] in ("remove", "move"):
            # Removing a question, or moving it below one that depends on it, breaks that condition:
            # the engine reports it beside the dependant, and clearing it makes the form load again.
            data = _drop_broken_conditions(data)
        else:
            assert design.problems(data) == [], (edit, design.problems(data))
    assert set(REGISTRY) >= {f["type"] for s in data["sections"] for f in s["fields"]}
    load_definition(data)


def _drop_broken_conditions(data: dict) -> dict:
    """After a removal, clear conditions the engine reports (what staff do when it shows the problem)."""
    for place in design.problems_by_place(design.problems(data)):
        path = design.path_from_text(place)
        data = design.update_field(data, path, {"show_if_field": ""})
    assert design.problems(data) == []
    return data


def test_a_current_value_missing_from_the_choices_is_kept_not_silently_changed() -> None:
    data = design.add_field(blank(), (0,), field_type="document_slot", label="Plans", document_type="old_type")
    rows = editor_settings(
        data["sections"][0]["fields"][1],
        targets=[],
        lookup_lists=[],
        document_types=[{"value": "other", "label": "Other"}],
    )
    choices = next(row for row in rows if row["key"] == "document_type")["choices"]
    assert [c["value"] for c in choices] == ["other", "old_type"]


def test_diff_reports_moves_removals_and_section_changes() -> None:
    before = design.add_section(blank(), title="Second")
    before = design.add_field(before, (1,), field_type="email", label="Email")
    after = design.move(before, (1,), -1)
    after = design.update_section(after, (0,), title="Contact", description="How to reach you")
    after = design.move_to_section(after, (1, 0), 0)
    after = design.remove(after, (0, 0))
    lines = describe_changes(before, after)
    assert "Section 'Contact': title or description changed" in lines
    assert "Sections reordered" in lines
    assert "Question 'First question' moved to 'Contact'" in lines
    assert "Question removed: 'Email' (answers stay on earlier requests)" in lines
    assert describe_changes(None, after) == ["A new form: 2 sections, 1 question"]
