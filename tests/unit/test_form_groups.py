"""Repeatable groups: item counts, member errors addressed by index, and the helpers a page uses."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from sen_portal.forms import (
    add_group_item,
    clean,
    load_definition,
    remove_group_item,
    render_plan,
    set_answer,
    summary_rows,
    validate,
)

pytestmark = pytest.mark.unit

TODAY = date(2026, 3, 15)


def carers_form(**group: Any) -> Any:
    spec = {
        "name": "carers",
        "type": "group",
        "label": "Parents and carers",
        "item_label": "Parent or carer",
        "min_items": 1,
        "max_items": 3,
        "fields": [
            {"name": "full_name", "type": "text", "label": "Full name"},
            {"name": "phone", "type": "uk_phone", "label": "Phone number", "required": False},
            {"name": "date_of_birth", "type": "date", "label": "Date of birth", "required": False},
        ],
        **group,
    }
    return load_definition(
        {
            "key": "test",
            "title": "Test",
            "version": 1,
            "reference_prefix": "TST",
            "sections": [
                {
                    "key": "intro",
                    "title": "Intro",
                    "fields": [{"name": "full_name", "type": "text", "label": "Your name"}],
                },
                {"key": "carers", "title": "Carers", "fields": [spec]},
            ],
        }
    )


CARERS = carers_form()


def check(answers: dict[str, Any]) -> dict[str, list[str]]:
    return validate(CARERS, answers, section_key="carers", today=TODAY)


def test_too_few_items() -> None:
    assert check({}) == {"carers": ["Parents and carers must include at least 1 entry"]}
    assert check({"carers": []}) == {"carers": ["Parents and carers must include at least 1 entry"]}


def test_too_many_items() -> None:
    answers = {"carers": [{"full_name": f"Carer {n}"} for n in range(4)]}
    assert check(answers) == {"carers": ["Parents and carers can include at most 3 entries"]}


def test_count_messages_can_be_worded_by_the_definition() -> None:
    definition = carers_form(messages={"min_items": "Add at least {min_items} parent or carer"})
    assert validate(definition, {}, section_key="carers", today=TODAY) == {"carers": ["Add at least 1 parent or carer"]}


def test_member_errors_are_addressed_by_item_index() -> None:
    answers = {"carers": [{"full_name": "Jo Smith"}, {"phone": "123", "date_of_birth": {"day": "1"}}]}
    assert check(answers) == {
        "carers[1].full_name": ["Enter full name"],
        "carers[1].phone": ["Enter a UK phone number, like 01782 234567 or 07700 900123"],
        "carers[1].date_of_birth": ["Date of birth must include a month and year"],
    }


def test_members_may_share_a_name_with_a_field_outside_the_group() -> None:
    # "full_name" is both the intro question and a member; each is its own answer.
    answers = {"full_name": "Sam", "carers": [{"full_name": "Jo"}]}
    assert clean(CARERS, answers) == {"full_name": "Sam", "carers": [{"full_name": "Jo"}]}


def test_clean_stores_a_list_of_normalised_items_without_unknown_keys() -> None:
    answers = {"carers": [{"full_name": " Jo  Smith ", "phone": "07700900123", "is_admin": True}, "junk", {}]}
    assert clean(CARERS, answers) == {"carers": [{"full_name": "Jo Smith", "phone": "07700 900123"}, {}, {}]}


def test_an_answer_that_is_not_a_list_counts_as_no_items() -> None:
    assert check({"carers": {"full_name": "Jo"}}) == {"carers": ["Parents and carers must include at least 1 entry"]}
    assert clean(CARERS, {"carers": "Jo"}) == {}


def test_a_group_of_zero_items_may_be_allowed() -> None:
    definition = carers_form(min_items=0)
    assert validate(definition, {}, section_key="carers", today=TODAY) == {}
    rows = summary_rows(definition, {})
    assert [(row["name"], row["value"]) for row in rows if row["section_key"] == "carers"] == [("carers", "None")]


def test_summary_rows_label_each_item() -> None:
    answers = {"carers": [{"full_name": "Jo"}, {"full_name": "Sam", "date_of_birth": "1980-02-01"}]}
    rows = [row for row in summary_rows(CARERS, answers) if row["section_key"] == "carers"]
    assert [(row["group_label"], row["label"], row["value"]) for row in rows] == [
        ("Parent or carer 1", "Full name", "Jo"),
        ("Parent or carer 1", "Phone number", "Not provided"),
        ("Parent or carer 1", "Date of birth", "Not provided"),
        ("Parent or carer 2", "Full name", "Sam"),
        ("Parent or carer 2", "Phone number", "Not provided"),
        ("Parent or carer 2", "Date of birth", "1 February 1980"),
    ]
    assert rows[3]["name"] == "carers[1].full_name"


def test_the_render_plan_nests_items_with_their_members() -> None:
    answers = {"carers": [{"full_name": "Jo"}, {}]}
    errors = check(answers)
    (entry,) = render_plan(CARERS, "carers", answers, errors=errors)
    assert entry["type"] == "group"
    assert (entry["add_label"], entry["can_add"], entry["can_remove"]) == ("Add another parent or carer", True, True)
    assert [item["heading"] for item in entry["items"]] == ["Parent or carer 1", "Parent or carer 2"]
    second = entry["items"][1]["fields"]
    assert [member["name"] for member in second] == [
        "carers[1].full_name",
        "carers[1].phone",
        "carers[1].date_of_birth",
    ]
    assert second[0]["error"] == "Enter full name"
    assert second[1]["display_label"] == "Phone number (optional)"
    assert entry["items"][0]["fields"][0]["value"] == "Jo"
    json.dumps(entry)  # everything a Reflex state var holds must serialise


def test_the_plan_says_when_items_can_be_added_or_removed() -> None:
    (entry,) = render_plan(CARERS, "carers", {"carers": [{}]})
    assert (entry["can_add"], entry["can_remove"]) == (True, False)
    (entry,) = render_plan(CARERS, "carers", {"carers": [{}, {}, {}]})
    assert (entry["can_add"], entry["can_remove"]) == (False, True)


def test_add_and_remove_items() -> None:
    answers = add_group_item(CARERS, {}, "carers")
    assert answers == {"carers": [{}]}
    answers = set_answer(CARERS, answers, "carers[0].full_name", "Jo")
    answers = add_group_item(CARERS, answers, "carers")
    answers = set_answer(CARERS, answers, "carers[1].full_name", "Sam")
    assert remove_group_item(CARERS, answers, "carers", 0) == {"carers": [{"full_name": "Sam"}]}
    assert remove_group_item(CARERS, answers, "carers", 5) == answers


def test_a_full_group_takes_no_more_items() -> None:
    answers = {"carers": [{}, {}, {}]}
    assert add_group_item(CARERS, answers, "carers") == answers


def test_set_answer_reaches_parts_of_a_member_and_leaves_the_input_alone() -> None:
    original = {"carers": [{"date_of_birth": "1980-02-01"}]}
    updated = set_answer(CARERS, original, "carers[0].date_of_birth.day", "3")
    assert updated == {"carers": [{"date_of_birth": {"day": "3", "month": "2", "year": "1980"}}]}
    assert original == {"carers": [{"date_of_birth": "1980-02-01"}]}
    assert clean(CARERS, updated)["carers"][0]["date_of_birth"] == "1980-02-03"


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("carers[0].is_admin", KeyError),
        ("carers[7].full_name", IndexError),
        ("nobody", KeyError),
        ("carers", ValueError),
        ("full_name.day", ValueError),
        ("carers[0].full_name]", ValueError),
        ("__class__", ValueError),
    ],
)
def test_set_answer_refuses_paths_the_form_does_not_have(path: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        set_answer(CARERS, {"carers": [{}]}, path, "x")


def test_set_answer_refuses_values_no_input_sends() -> None:
    with pytest.raises(TypeError):
        set_answer(CARERS, {}, "full_name", object())
    with pytest.raises(TypeError):
        set_answer(CARERS, {}, "full_name", {"nested": {"deep": "x"}})


def test_very_long_lists_are_cut_at_the_hard_limit() -> None:
    answers = {"carers": [{"full_name": "x"}] * 5000}
    assert len(clean(CARERS, answers)["carers"]) == 100
    assert check(answers) == {"carers": ["Parents and carers can include at most 3 entries"]}
