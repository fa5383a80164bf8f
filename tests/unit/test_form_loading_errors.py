"""Definitions that must not load, and messages that say where the problem is."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sen_portal.forms import FormDefinitionError, load_definition, lookup_problems

pytestmark = pytest.mark.unit


def base() -> dict[str, Any]:
    return {
        "key": "test",
        "title": "Test form",
        "version": 1,
        "reference_prefix": "TST",
        "sections": [
            {
                "key": "child",
                "title": "The child",
                "fields": [
                    {"name": "first_name", "type": "text", "label": "First name"},
                    {"name": "looked_after", "type": "yes_no", "label": "Looked after?"},
                ],
            },
            {
                "key": "family",
                "title": "Family",
                "fields": [
                    {
                        "name": "carers",
                        "type": "group",
                        "label": "Carers",
                        "item_label": "Carer",
                        "fields": [
                            {"name": "full_name", "type": "text", "label": "Name"},
                            {"name": "lives_with_child", "type": "yes_no", "label": "Lives with the child?"},
                        ],
                    }
                ],
            },
        ],
    }


def add_field(data: dict[str, Any], section: int, field: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data["sections"][section]["fields"].append(field)
    return data


def problems(data: Any) -> str:
    with pytest.raises(FormDefinitionError) as caught:
        load_definition(data)
    return str(caught.value)


def test_the_base_definition_loads() -> None:
    assert load_definition(base()).key == "test"


def test_an_unknown_field_type_names_the_place_the_name_and_the_known_types() -> None:
    data = add_field(base(), 0, {"name": "nhs_nmber", "type": "nhsnumber", "label": "NHS number"})
    message = problems(data)
    assert message.startswith(
        "sections[0].fields[2] (name 'nhs_nmber'): unknown field type 'nhsnumber' (did you mean 'nhs_number'?);"
        " known types: text, long_text, email,"
    )
    assert "document_slot, guidance, group" in message


def test_a_missing_type() -> None:
    data = add_field(base(), 0, {"name": "x", "label": "X"})
    assert problems(data).startswith("sections[0].fields[2] (name 'x'): 'type' is required; known types: text,")


def test_an_unknown_key_suggests_the_right_one() -> None:
    data = add_field(base(), 0, {"name": "x", "type": "text", "lable": "X", "label": "X"})
    assert problems(data) == "sections[0].fields[2] (name 'x'): unknown key 'lable' (did you mean 'label'?)"


def test_an_unknown_key_inside_a_group_member() -> None:
    data = base()
    data["sections"][1]["fields"][0]["fields"][0]["hint_text"] = "?"
    assert problems(data) == "sections[1].fields[0].fields[0] (name 'full_name'): unknown key 'hint_text'"


def test_a_missing_label() -> None:
    data = add_field(base(), 0, {"name": "x", "type": "email"})
    assert problems(data) == "sections[0].fields[2] (name 'x'): 'label' is required"


def test_a_name_that_is_not_snake_case() -> None:
    data = add_field(base(), 0, {"name": "Child Name", "type": "text", "label": "X"})
    assert "sections[0].fields[2] (name 'Child Name'): name: 'Child Name' must be snake_case" in problems(data)


def test_every_problem_is_listed() -> None:
    data = add_field(base(), 0, {"name": "a", "type": "nope", "label": "A"})
    data = add_field(data, 1, {"name": "b", "type": "text"})
    message = problems(data)
    assert "sections[0].fields[2] (name 'a'): unknown field type 'nope'" in message
    assert "sections[1].fields[1] (name 'b'): 'label' is required" in message


def test_a_duplicate_name_across_sections() -> None:
    data = add_field(base(), 1, {"name": "first_name", "type": "text", "label": "Again"})
    assert problems(data) == (
        "sections[1].fields[1] (name 'first_name'): duplicate field name 'first_name'"
        " (first used at sections[0].fields[0])"
    )


def test_a_duplicate_name_inside_a_group() -> None:
    data = base()
    data["sections"][1]["fields"][0]["fields"].append({"name": "full_name", "type": "text", "label": "Again"})
    assert problems(data) == (
        "sections[1].fields[0].fields[2] (name 'full_name'): duplicate field name 'full_name'"
        " (first used at sections[1].fields[0].fields[0])"
    )


def test_the_same_member_name_in_two_groups_is_fine() -> None:
    data = base()
    other = copy.deepcopy(data["sections"][1]["fields"][0])
    other["name"] = "professionals"
    data["sections"][1]["fields"].append(other)
    assert load_definition(data).sections[1].fields[1].name == "professionals"


def test_a_duplicate_section_key() -> None:
    data = base()
    data["sections"][1]["key"] = "child"
    assert "sections[1] (key 'child'): duplicate section key (first used at sections[0])" in problems(data)


def test_a_condition_on_a_field_that_does_not_exist() -> None:
    data = add_field(
        base(),
        0,
        {"name": "authority", "type": "text", "label": "A", "show_if": {"field": "looked_aftr", "equals": "yes"}},
    )
    assert problems(data) == (
        "sections[0].fields[2] (name 'authority'): show_if refers to field 'looked_aftr', which does not exist"
        " (did you mean 'looked_after'?)"
    )


def test_a_condition_on_a_later_field() -> None:
    data = base()
    data["sections"][0]["fields"][0]["show_if"] = {"field": "looked_after", "equals": "yes"}
    assert problems(data) == (
        "sections[0].fields[0] (name 'first_name'): show_if refers to 'looked_after', which comes after it;"
        " a condition can only use an earlier answer"
    )


def test_a_condition_on_itself() -> None:
    data = base()
    data["sections"][0]["fields"][1]["show_if"] = {"field": "looked_after", "equals": "yes"}
    assert "sections[0].fields[1] (name 'looked_after'): show_if refers to the field itself" in problems(data)


def test_a_condition_on_a_later_group_member() -> None:
    data = base()
    data["sections"][1]["fields"][0]["fields"][0]["show_if"] = {"field": "lives_with_child", "equals": "no"}
    assert "sections[1].fields[0].fields[0] (name 'full_name'): show_if refers to 'lives_with_child', which comes" in (
        problems(data)
    )


def test_a_condition_from_outside_a_group_on_one_of_its_members() -> None:
    data = add_field(
        base(), 1, {"name": "x", "type": "text", "label": "X", "show_if": {"field": "lives_with_child", "equals": "no"}}
    )
    assert problems(data) == (
        "sections[1].fields[1] (name 'x'): show_if refers to 'lives_with_child', a question inside the group 'carers'"
    )


def test_a_condition_on_a_field_type_that_cannot_be_compared() -> None:
    data = add_field(base(), 0, {"name": "home", "type": "address", "label": "Home"})
    data = add_field(data, 0, {"name": "x", "type": "text", "label": "X", "show_if": {"field": "home", "equals": "a"}})
    assert "sections[0].fields[3] (name 'x'): show_if cannot depend on 'home', a address field" in problems(data)


def test_a_condition_value_the_target_can_never_have() -> None:
    data = add_field(
        base(), 0, {"name": "x", "type": "text", "label": "X", "show_if": {"field": "looked_after", "equals": "maybe"}}
    )
    assert problems(data) == (
        "sections[0].fields[2] (name 'x'): show_if value 'maybe' can never be an answer to 'looked_after';"
        " its values are: yes, no"
    )


def test_a_condition_value_that_is_not_an_option() -> None:
    radios = {
        "name": "colour",
        "type": "radios",
        "label": "Colour",
        "options": [{"value": "red", "label": "Red"}, {"value": "blue", "label": "Blue"}],
    }
    data = add_field(base(), 0, radios)
    data = add_field(
        data, 0, {"name": "x", "type": "text", "label": "X", "show_if": {"field": "colour", "in": ["red", "pink"]}}
    )
    assert "show_if value 'pink' can never be an answer to 'colour'; its values are: red, blue" in problems(data)


def test_a_condition_needs_exactly_one_of_equals_or_in() -> None:
    data = add_field(base(), 0, {"name": "x", "type": "text", "label": "X", "show_if": {"field": "looked_after"}})
    assert problems(data) == "sections[0].fields[2] (name 'x'): show_if: give exactly one of 'equals' or 'in'"


def test_duplicate_option_values() -> None:
    data = add_field(
        base(),
        0,
        {
            "name": "gender",
            "type": "radios",
            "label": "Gender",
            "options": [{"value": "male", "label": "Male"}, {"value": "male", "label": "Boy"}],
        },
    )
    assert (
        problems(data) == "sections[0].fields[2] (name 'gender'): options: option value 'male' appears more than once"
    )


def test_an_option_without_a_label() -> None:
    data = add_field(base(), 0, {"name": "gender", "type": "radios", "label": "Gender", "options": [{"value": "m"}]})
    assert problems(data) == "sections[0].fields[2].options[0] (value 'm'): 'label' is required"


def test_a_group_inside_a_group() -> None:
    data = base()
    inner = {
        "name": "inner",
        "type": "group",
        "label": "In",
        "item_label": "In",
        "fields": [{"name": "a", "type": "text", "label": "A"}],
    }
    data["sections"][1]["fields"][0]["fields"].append(inner)
    assert problems(data) == "sections[1].fields[0].fields[2] (name 'inner'): a group cannot contain another group"


def test_must_equal_that_is_not_an_option() -> None:
    data = add_field(
        base(),
        0,
        {"name": "c", "type": "radios", "label": "C", "must_equal": "z", "options": [{"value": "a", "label": "A"}]},
    )
    assert problems(data) == "sections[0].fields[2] (name 'c'): must_equal 'z' is not one of the option values"


def test_must_equal_on_yes_no_must_be_yes_or_no() -> None:
    data = add_field(base(), 0, {"name": "c", "type": "yes_no", "label": "C", "must_equal": "perhaps"})
    assert problems(data).startswith("sections[0].fields[2] (name 'c'): must_equal:")


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ({"type": "number", "min": 5, "max": 1}, "min (5) is more than max (1)"),
        ({"type": "document_slot", "document_type": "other", "min_files": 3, "max_files": 2}, "min_files (3) is more"),
        ({"type": "date", "in_past": True, "in_future": True}, "a date cannot be both in_past and in_future"),
        ({"type": "date", "not_before": "2020-01-02", "not_after": "2020-01-01"}, "not_before is later than not_after"),
        ({"type": "date", "min_age_years": 5, "max_age_years": 4}, "min_age_years is more than max_age_years"),
        ({"type": "select"}, "give exactly one of 'options' or 'lookup'"),
        ({"type": "typeahead", "lookup": "setting", "options": [{"value": "a", "label": "A"}]}, "exactly one of"),
        ({"type": "text", "max_length": 0}, "max_length: Input should be greater than or equal to 1"),
        ({"type": "long_text", "max_length": 1_000_000}, "max_length: Input should be less than or equal to 20000"),
        ({"type": "checkboxes", "options": [{"value": "a", "label": "A"}], "min_selections": 2}, "do not fit"),
        ({"type": "text", "prefill": "Account Email"}, "must be a dotted key"),
    ],
)
def test_limits_that_cannot_all_hold(field: dict[str, Any], expected: str) -> None:
    data = add_field(base(), 0, {"name": "x", "label": "X", **field})
    message = problems(data)
    assert message.startswith("sections[0].fields[2] (name 'x'): ")
    assert expected in message


def test_group_limits_that_cannot_hold() -> None:
    data = base()
    data["sections"][1]["fields"][0].update(min_items=3, max_items=2)
    assert problems(data) == "sections[1].fields[0] (name 'carers'): min_items (3) is more than max_items (2)"


def test_an_unknown_message_key() -> None:
    data = add_field(base(), 0, {"name": "x", "type": "date", "label": "X", "messages": {"inpast": "Too late"}})
    assert problems(data) == (
        "sections[0].fields[2] (name 'x'): unknown message key 'inpast' (did you mean 'in_past'?);"
        " date fields have: in_future, in_past, incomplete, invalid, max_age, min_age, not_after, not_before,"
        " required, year_digits"
    )


def test_form_level_problems() -> None:
    data = base()
    data["reference_prefix"] = "ehc"
    data["version"] = 0
    data["sections"] = []
    message = problems(data)
    assert "form: reference_prefix: 'ehc' must be 2 to 6 capital letters" in message
    assert "form: version: Input should be greater than or equal to 1" in message
    assert "form: sections: List should have at least 1 item" in message


def test_a_section_without_fields() -> None:
    data = base()
    data["sections"][0]["fields"] = []
    assert (
        problems(data) == "sections[0] (key 'child'): fields: List should have at least 1 item after validation, not 0"
    )


# ---- YAML -----------------------------------------------------------------------------------------

YAML_HEAD = """
key: test
title: Test
version: 1
reference_prefix: TST
sections:
  - key: only
    title: Only
    fields:
"""


def test_yaml_that_is_not_a_mapping() -> None:
    assert problems("- just\n- a list\n").startswith("a form definition must be a mapping")


def test_yaml_that_does_not_parse() -> None:
    assert problems("key: [unclosed\n").startswith("not valid YAML:")


def test_yaml_aliases_are_refused() -> None:
    text = YAML_HEAD + "      - &q {name: a, type: text, label: A}\n      - *q\n"
    assert problems(text) == "line 11: YAML aliases (*name) are not allowed in a form definition"


def test_a_key_repeated_in_one_block_is_refused_rather_than_overwritten() -> None:
    text = YAML_HEAD + "      - name: a\n        type: text\n        label: A\n        label: B\n"
    assert problems(text) == "line 13: the key 'label' is repeated or not a plain word"


def test_yes_and_no_stay_words_in_yaml() -> None:
    text = YAML_HEAD + (
        "      - {name: agree, type: yes_no, label: Agree, must_equal: yes}\n"
        "      - {name: why, type: text, label: Why, show_if: {field: agree, equals: no}}\n"
        "      - name: pick\n        type: radios\n        label: Pick\n"
        "        options: [{value: no, label: No}, {value: on, label: On}]\n"
    )
    definition = load_definition(text)
    agree, why, pick = definition.sections[0].fields
    assert agree.must_equal == "yes"
    assert why.show_if.equals == "no"
    assert [option.value for option in pick.options] == ["no", "on"]


def test_an_oversized_definition_is_refused_before_parsing() -> None:
    assert "larger than" in problems("#" * 1_000_001)


def test_lookup_problems_name_missing_lists_and_document_types() -> None:
    data = add_field(base(), 0, {"name": "setting", "type": "typeahead", "label": "Setting", "lookup": "settings"})
    data = add_field(
        data, 0, {"name": "plans", "type": "document_slot", "label": "Plans", "document_type": "sen_suport_plan"}
    )
    definition = load_definition(data)
    lookups = {"setting": {"a"}, "document_type": {"sen_support_plan", "other"}}
    assert lookup_problems(definition, lookups) == [
        "sections[0].fields[2] (name 'setting'): lookup list 'settings' does not exist (did you mean 'setting'?)",
        "sections[0].fields[3] (name 'plans'): document_type 'sen_suport_plan' is not in the document_type list"
        " (did you mean 'sen_support_plan'?)",
    ]
