"""show_if: hidden fields are not asked, not required, not checked and not stored."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sen_portal.forms import clean, load_definition, render_plan, summary_rows, validate

pytestmark = pytest.mark.unit

TODAY = date(2026, 3, 15)


def form(*sections: list[dict[str, Any]]) -> Any:
    return load_definition(
        {
            "key": "test",
            "title": "Test form",
            "version": 1,
            "reference_prefix": "TST",
            "sections": [
                {"key": f"s{index}", "title": f"Step {index}", "fields": fields}
                for index, fields in enumerate(sections)
            ],
        }
    )


INTERPRETER = form(
    [
        {"name": "interpreter_needed", "type": "yes_no", "label": "Interpreter needed?"},
        {
            "name": "language",
            "type": "text",
            "label": "Language",
            "show_if": {"field": "interpreter_needed", "equals": "yes"},
        },
    ]
)


def test_a_required_field_that_is_hidden_is_not_required() -> None:
    assert validate(INTERPRETER, {"interpreter_needed": "no"}, today=TODAY) == {}
    assert validate(INTERPRETER, {}, today=TODAY) == {"interpreter_needed": ["Select yes or no"]}


def test_a_shown_field_is_required_again() -> None:
    assert validate(INTERPRETER, {"interpreter_needed": "yes"}, today=TODAY) == {"language": ["Enter language"]}


def test_hidden_answers_are_dropped_by_clean() -> None:
    answers = {"interpreter_needed": "no", "language": "Polish"}
    assert clean(INTERPRETER, answers) == {"interpreter_needed": "no"}
    assert clean(INTERPRETER, {**answers, "interpreter_needed": "yes"}) == {
        "interpreter_needed": "yes",
        "language": "Polish",
    }


def test_a_hidden_field_with_a_broken_answer_is_not_checked() -> None:
    definition = form(
        [
            {"name": "has_nhs", "type": "yes_no", "label": "Known?"},
            {
                "name": "nhs",
                "type": "nhs_number",
                "label": "NHS number",
                "show_if": {"field": "has_nhs", "equals": "yes"},
            },
        ]
    )
    assert validate(definition, {"has_nhs": "no", "nhs": "123"}, today=TODAY) == {}
    assert "nhs" in validate(definition, {"has_nhs": "yes", "nhs": "123"}, today=TODAY)


def test_condition_values_are_compared_the_way_the_target_stores_answers() -> None:
    definition = form(
        [
            {"name": "agree", "type": "yes_no", "label": "Agree?"},
            {"name": "why", "type": "text", "label": "Why", "show_if": {"field": "agree", "equals": "YES"}},
        ]
    )
    assert "why" in validate(definition, {"agree": " Yes "}, today=TODAY)
    assert "why" in validate(definition, {"agree": True}, today=TODAY)


def test_an_unreadable_target_answer_hides_its_dependants() -> None:
    assert validate(INTERPRETER, {"interpreter_needed": "perhaps"}, today=TODAY) == {
        "interpreter_needed": ["Select yes or no"]
    }


def test_in_lists_several_values() -> None:
    definition = form(
        [
            {
                "name": "colour",
                "type": "radios",
                "label": "Colour",
                "options": [{"value": v, "label": v.title()} for v in ("red", "green", "blue")],
            },
            {"name": "shade", "type": "text", "label": "Shade", "show_if": {"field": "colour", "in": ["red", "blue"]}},
        ]
    )
    assert "shade" in validate(definition, {"colour": "blue"}, today=TODAY)
    assert "shade" not in validate(definition, {"colour": "green"}, today=TODAY)


def test_a_condition_on_checkboxes_holds_when_any_value_is_ticked() -> None:
    definition = form(
        [
            {
                "name": "needs",
                "type": "checkboxes",
                "label": "Needs",
                "required": False,
                "options": [{"value": "hearing", "label": "Hearing"}, {"value": "vision", "label": "Vision"}],
            },
            {"name": "aids", "type": "text", "label": "Aids", "show_if": {"field": "needs", "equals": "hearing"}},
        ]
    )
    assert "aids" in validate(definition, {"needs": ["vision", "hearing"]}, today=TODAY)
    assert "aids" not in validate(definition, {"needs": ["vision"]}, today=TODAY)
    assert "aids" not in validate(definition, {}, today=TODAY)


def test_a_condition_on_a_number() -> None:
    definition = form(
        [
            {"name": "count", "type": "number", "label": "How many"},
            {"name": "detail", "type": "text", "label": "Detail", "show_if": {"field": "count", "equals": 0}},
        ]
    )
    assert "detail" in validate(definition, {"count": "0"}, today=TODAY)
    assert "detail" not in validate(definition, {"count": "2"}, today=TODAY)


def test_a_field_whose_target_is_hidden_is_hidden_too() -> None:
    definition = form(
        [
            {"name": "a", "type": "yes_no", "label": "A?"},
            {"name": "b", "type": "yes_no", "label": "B?", "show_if": {"field": "a", "equals": "yes"}},
            {"name": "c", "type": "text", "label": "Colour", "show_if": {"field": "b", "equals": "yes"}},
        ]
    )
    # b's stale "yes" must not reveal c once a hides b.
    assert validate(definition, {"a": "no", "b": "yes"}, today=TODAY) == {}
    assert clean(definition, {"a": "no", "b": "yes", "c": "kept?"}) == {"a": "no"}
    assert validate(definition, {"a": "yes", "b": "yes"}, today=TODAY) == {"c": ["Enter colour"]}


def test_conditions_reach_back_into_earlier_sections() -> None:
    definition = form(
        [{"name": "looked_after", "type": "yes_no", "label": "Looked after?"}],
        [
            {
                "name": "authority",
                "type": "text",
                "label": "Authority",
                "show_if": {"field": "looked_after", "equals": "yes"},
            }
        ],
    )
    assert validate(definition, {"looked_after": "yes"}, section_key="s1", today=TODAY) == {
        "authority": ["Enter authority"]
    }
    assert validate(definition, {"looked_after": "no"}, section_key="s1", today=TODAY) == {}


def test_hidden_fields_are_left_out_of_the_page_and_the_summary() -> None:
    names = [entry["name"] for entry in render_plan(INTERPRETER, "s0", {"interpreter_needed": "no"})]
    assert names == ["interpreter_needed"]
    names = [entry["name"] for entry in render_plan(INTERPRETER, "s0", {"interpreter_needed": "yes"})]
    assert names == ["interpreter_needed", "language"]
    rows = summary_rows(INTERPRETER, {"interpreter_needed": "no", "language": "Polish"})
    assert [row["name"] for row in rows] == ["interpreter_needed"]


def test_group_members_can_depend_on_an_earlier_member_of_the_same_item() -> None:
    definition = form(
        [
            {
                "name": "carers",
                "type": "group",
                "label": "Carers",
                "item_label": "Carer",
                "fields": [
                    {"name": "lives_with_child", "type": "yes_no", "label": "Lives with the child?"},
                    {
                        "name": "address",
                        "type": "address",
                        "label": "Address",
                        "show_if": {"field": "lives_with_child", "equals": "no"},
                    },
                ],
            }
        ]
    )
    answers = {"carers": [{"lives_with_child": "yes", "address": {"line1": "x"}}, {"lives_with_child": "no"}]}
    assert validate(definition, answers, today=TODAY) == {"carers[1].address": ["Enter address"]}
    assert clean(definition, answers) == {"carers": [{"lives_with_child": "yes"}, {"lives_with_child": "no"}]}


def test_group_members_can_depend_on_a_field_outside_the_group() -> None:
    definition = form(
        [
            {"name": "contact_by_email", "type": "yes_no", "label": "Email?"},
            {
                "name": "carers",
                "type": "group",
                "label": "Carers",
                "item_label": "Carer",
                "fields": [
                    {"name": "full_name", "type": "text", "label": "Name"},
                    {
                        "name": "email",
                        "type": "email",
                        "label": "Email",
                        "show_if": {"field": "contact_by_email", "equals": "yes"},
                    },
                ],
            },
        ]
    )
    answers = {"carers": [{"full_name": "Jo", "email": "jo@example.org"}]}
    assert clean(definition, {**answers, "contact_by_email": "no"}) == {
        "contact_by_email": "no",
        "carers": [{"full_name": "Jo"}],
    }
    assert clean(definition, {**answers, "contact_by_email": "yes"})["carers"] == answers["carers"]


def test_a_hidden_group_is_neither_counted_nor_stored() -> None:
    definition = form(
        [
            {"name": "any_professionals", "type": "yes_no", "label": "Any?"},
            {
                "name": "professionals",
                "type": "group",
                "label": "Professionals",
                "item_label": "Professional",
                "min_items": 1,
                "show_if": {"field": "any_professionals", "equals": "yes"},
                "fields": [{"name": "full_name", "type": "text", "label": "Name"}],
            },
        ]
    )
    answers = {"any_professionals": "no", "professionals": [{"full_name": ""}]}
    assert validate(definition, answers, today=TODAY) == {}
    assert clean(definition, answers) == {"any_professionals": "no"}
    assert validate(definition, {"any_professionals": "yes"}, today=TODAY) == {
        "professionals": ["Professionals must include at least 1 entry"]
    }


def test_council_today_follows_england_not_utc() -> None:
    from datetime import UTC, date, datetime

    from sen_portal.forms.evaluation import council_today

    # 23:30 UTC on 30 June is already 1 July in British Summer Time; in winter the two agree.
    assert council_today(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert council_today(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2026, 12, 31)


def test_only_answers_a_condition_names_can_change_what_shows() -> None:
    # The request page re-plans a section (≈15 KB to the browser) only for these.
    from sen_portal.forms.conditions import condition_targets, may_change_visibility
    from sen_portal.forms.loading import load_shipped_definition

    ehc = load_shipped_definition("ehc_needs_assessment")
    assert {"looked_after", "interpreter_needed", "referrer_role", "lives_with_child"} <= condition_targets(ehc)
    assert may_change_visibility(ehc, "looked_after")
    assert may_change_visibility(ehc, "parents[1].lives_with_child")  # a group member's own condition
    assert not may_change_visibility(ehc, "child_gender")
    assert not may_change_visibility(ehc, "parents[0].relationship")
