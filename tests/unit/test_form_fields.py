"""Every field type: how answers are read, checked, stored and shown, with GOV.UK wording."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sen_portal.forms import (
    MissingLookupListError,
    clean,
    load_definition,
    render_plan,
    summary_rows,
    validate,
)
from sen_portal.forms.fields.identifiers import (
    UPN_ALPHABET,
    is_valid_nhs_number,
    nhs_check_digit,
    upn_check_letter,
    upn_problem,
)
from sen_portal.inbound.emails import EMAIL_FORMAT
from sen_portal.inbound.phones import PHONE_FORMAT
from sen_portal.inbound.postcodes import ENTER_A_REAL_POSTCODE

pytestmark = pytest.mark.unit

TODAY = date(2026, 3, 15)


def question(type_: str, **extra: Any) -> dict[str, Any]:
    return {"name": "q", "type": type_, "label": "Favourite thing", **extra}


def form(*fields: dict[str, Any]) -> Any:
    return load_definition(
        {
            "key": "test",
            "title": "Test form",
            "version": 1,
            "reference_prefix": "TST",
            "sections": [{"key": "only", "title": "Only", "fields": list(fields)}],
        }
    )


def errors(spec: dict[str, Any], value: Any, **kwargs: Any) -> list[str]:
    return validate(form(spec), {"q": value}, today=kwargs.pop("today", TODAY), **kwargs).get("q", [])


def stored(spec: dict[str, Any], value: Any) -> Any:
    return clean(form(spec), {"q": value}).get("q")


def shown(spec: dict[str, Any], value: Any, **kwargs: Any) -> str:
    (row,) = summary_rows(form(spec), {"q": value}, **kwargs)
    return row["value"]


def shown_in_input(spec: dict[str, Any], value: Any) -> Any:
    (entry,) = render_plan(form(spec), "only", {"q": value})
    return entry["value"]


# ---- required and optional, for every type with an answer ---------------------------------------

BLANKS = {
    "text": "  ",
    "long_text": "\n\n",
    "email": "",
    "uk_phone": None,
    "number": " ",
    "date": {"day": "", "month": " ", "year": ""},
    "yes_no": "",
    "radios": "",
    "checkboxes": [],
    "select": "",
    "typeahead": "",
    "address": {"line1": " ", "line2": "", "town": "", "postcode": "", "uprn": "123"},
    "upn": "",
    "nhs_number": "   ",
    "document_slot": [],
}
EXTRA = {
    "radios": {"options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
    "checkboxes": {"options": [{"value": "a", "label": "A"}]},
    "select": {"options": [{"value": "a", "label": "A"}]},
    "typeahead": {"options": [{"value": "a", "label": "A"}]},
    "document_slot": {"document_type": "other"},
}
REQUIRED_MESSAGES = {
    "yes_no": "Select yes or no",
    "radios": "Select favourite thing",
    "checkboxes": "Select favourite thing",
    "select": "Select favourite thing",
    "document_slot": "Upload favourite thing",
}


@pytest.mark.parametrize("type_", sorted(BLANKS))
def test_a_blank_required_answer_gets_the_required_message(type_: str) -> None:
    spec = question(type_, **EXTRA.get(type_, {}))
    assert errors(spec, BLANKS[type_]) == [REQUIRED_MESSAGES.get(type_, "Enter favourite thing")]
    assert errors(spec, None) == [REQUIRED_MESSAGES.get(type_, "Enter favourite thing")]


@pytest.mark.parametrize("type_", sorted(BLANKS))
def test_a_blank_optional_answer_is_fine_and_not_stored(type_: str) -> None:
    spec = question(type_, required=False, **EXTRA.get(type_, {}))
    assert errors(spec, BLANKS[type_]) == []
    assert stored(spec, BLANKS[type_]) is None
    assert shown(spec, BLANKS[type_]) == "Not provided"


def test_the_required_message_can_be_worded_by_the_definition() -> None:
    spec = question("text", messages={"required": "Enter the child's {label_lower}"})
    assert errors(spec, "") == ["Enter the child's favourite thing"]


def test_labels_starting_with_an_acronym_keep_their_capitals_in_messages() -> None:
    assert errors({"name": "q", "type": "text", "label": "NHS trust"}, "") == ["Enter NHS trust"]


# ---- text and long_text ---------------------------------------------------------------------------


def test_text_is_trimmed_and_its_inner_whitespace_collapsed() -> None:
    assert stored(question("text"), "  Mary \t Ann\nSmith ") == "Mary Ann Smith"


@pytest.mark.parametrize("type_", ["text", "long_text", "email", "number", "date", "typeahead", "address", "upn"])
@pytest.mark.parametrize("bad", ["Al\x00ex", "Al\x1bex", "A\ud800B", "A\ufffdB"])
def test_every_field_type_refuses_characters_we_cannot_store(type_: str, bad: str) -> None:
    """Issue 20: refused beside the field (never silently dropped, never stored)."""
    spec = question(type_, **({"lookup": "setting", "allow_free_text": True} if type_ == "typeahead" else {}))
    value: Any = {"line1": bad, "town": "Leek", "postcode": "ST13 5AA"} if type_ == "address" else bad
    lookups = {"setting": {"a": "A school"}} if type_ == "typeahead" else None
    assert errors(spec, value, lookups=lookups) == ["Favourite thing contains characters we cannot store"]
    assert stored(spec, value) is None


@pytest.mark.parametrize("type_", ["text", "long_text"])
def test_text_loses_bidi_controls_and_zero_width_characters(type_: str) -> None:
    assert stored(question(type_), "Sam\u202eenaJ\u202c") == "SamenaJ"
    assert errors(question(type_), "\u200b\u200b\u2060") == ["Enter favourite thing"]


def test_text_longer_than_max_length_is_kept_for_the_user_but_reported() -> None:
    spec = question("text", max_length=5)
    assert errors(spec, "abcdef") == ["Favourite thing must be 5 characters or fewer"]
    assert stored(spec, "abcdef") == "abcdef"
    assert errors(spec, "abcde") == []


def test_text_far_beyond_any_limit_is_not_stored_at_all() -> None:
    assert stored(question("text"), "x" * 20_001) is None


def test_text_that_is_not_text_is_refused() -> None:
    assert errors(question("text"), {"evil": "dict"}) == ["Enter favourite thing"]
    assert stored(question("text"), ["a"]) is None
    assert stored(question("text"), 42) == "42"


def test_long_text_keeps_paragraphs_with_unix_line_endings() -> None:
    assert stored(question("long_text"), "  First line\r\n\r\nSecond\rThird  ") == "First line\n\nSecond\nThird"
    assert shown(question("long_text"), "a\nb") == "a\nb"


def test_long_text_max_length() -> None:
    spec = question("long_text", max_length=10, messages={"max_length": "Keep it under {max_length}"})
    assert errors(spec, "x" * 11) == ["Keep it under 10"]


# ---- email and phone ------------------------------------------------------------------------------


def test_email_is_stored_lower_case() -> None:
    assert stored(question("email"), " Jo.Smith@School.ORG ") == "jo.smith@school.org"


@pytest.mark.parametrize("bad", ["jo", "jo@", "@school.org", "jo smith@school.org", "a" * 250 + "@x.org"])
def test_email_in_the_wrong_format(bad: str) -> None:
    assert errors(question("email"), bad) == [EMAIL_FORMAT]


def test_uk_phone_is_stored_in_national_format() -> None:
    assert stored(question("uk_phone"), "+44 (0)1782 234567") == "01782 234567"
    assert shown(question("uk_phone"), "07700900123") == "07700 900123"


def test_uk_phone_in_the_wrong_format() -> None:
    assert errors(question("uk_phone"), "12345") == [PHONE_FORMAT]


# ---- number ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "value"), [("3", 3), (" 1,200 ", 1200), ("2.5", 2.5), ("-4", -4), (7, 7), ("3.0", 3)])
def test_numbers_are_stored_as_numbers(raw: Any, value: Any) -> None:
    assert stored(question("number"), raw) == value
    assert type(stored(question("number"), raw)) is type(value)


@pytest.mark.parametrize("bad", ["three", "1.2.3", "NaN", "Infinity", True, "--1"])
def test_what_is_not_a_number(bad: Any) -> None:
    assert errors(question("number"), bad) == ["Favourite thing must be a number"]


def test_huge_numbers_are_refused_before_any_work() -> None:
    assert errors(question("number"), "1e999999999") == ["Favourite thing must be a smaller number"]


def test_integer_only_numbers() -> None:
    assert errors(question("number", integer_only=True), "2.5") == ["Favourite thing must be a whole number"]
    assert errors(question("number", integer_only=True), "2") == []


def test_number_limits_have_their_own_messages() -> None:
    assert errors(question("number", min=1), "0") == ["Favourite thing must be 1 or more"]
    assert errors(question("number", max=10), "11") == ["Favourite thing must be 10 or less"]
    assert errors(question("number", min=1, max=10), "11") == ["Favourite thing must be between 1 and 10"]
    assert errors(question("number", min=1, max=10), "10") == []


def test_numbers_are_shown_without_float_noise() -> None:
    assert shown(question("number"), "2.50") == "2.5"
    assert shown(question("number"), "1200") == "1200"
    assert shown_in_input(question("number"), 12) == "12"
    assert shown_in_input(question("number"), "12x") == "12x"  # what was typed comes back to be fixed


# ---- date -----------------------------------------------------------------------------------------


def parts(day: str, month: str, year: str) -> dict[str, str]:
    return {"day": day, "month": month, "year": year}


def test_a_date_from_its_parts_is_stored_in_iso_format_and_shown_in_words() -> None:
    assert stored(question("date"), parts("5", "3", "2016")) == "2016-03-05"
    assert stored(question("date"), parts("05", "march", "2016")) == "2016-03-05"
    assert stored(question("date"), parts("5", "Sept", "2016")) == "2016-09-05"
    assert shown(question("date"), parts("5", "3", "2016")) == "5 March 2016"


def test_a_stored_date_reads_back_into_the_inputs() -> None:
    assert stored(question("date"), "2016-03-05") == "2016-03-05"
    assert shown_in_input(question("date"), "2016-03-05") == parts("5", "3", "2016")
    assert shown_in_input(question("date"), parts("5", "x", "")) == parts("5", "x", "")


@pytest.mark.parametrize(
    ("given_parts", "message"),
    [
        (parts("5", "", "2016"), "Favourite thing must include a month"),
        (parts("", "", "2016"), "Favourite thing must include a day and month"),
        (parts("5", "3", ""), "Favourite thing must include a year"),
        (parts("5", "3", "16"), "Year must include 4 numbers"),
        (parts("31", "2", "2016"), "Favourite thing must be a real date"),
        (parts("0", "1", "2016"), "Favourite thing must be a real date"),
        (parts("5", "Marchember", "2016"), "Favourite thing must be a real date"),
        (parts("five", "3", "2016"), "Favourite thing must be a real date"),
    ],
)
def test_dates_that_cannot_be_read(given_parts: dict[str, str], message: str) -> None:
    assert errors(question("date"), given_parts) == [message]


def test_a_stored_date_that_is_not_a_real_date_is_refused() -> None:
    assert errors(question("date"), "2016-02-30") == ["Favourite thing must be a real date"]
    assert errors(question("date"), "5/3/2016") == ["Favourite thing must be a real date"]


def test_in_past_and_in_future_are_relative_to_today() -> None:
    past = question("date", label="Date of birth", in_past=True)
    assert errors(past, parts("15", "3", "2026")) == ["Date of birth must be in the past"]
    assert errors(past, parts("14", "3", "2026")) == []
    future = question("date", in_future=True)
    assert errors(future, parts("15", "3", "2026")) == ["Favourite thing must be in the future"]
    assert errors(future, parts("16", "3", "2026")) == []


def test_a_date_breaking_a_rule_is_still_stored() -> None:
    assert stored(question("date", in_past=True), parts("1", "1", "2099")) == "2099-01-01"


def test_not_before_and_not_after_include_the_day_itself() -> None:
    spec = question("date", not_before="2020-01-01", not_after="2020-12-31")
    assert errors(spec, parts("1", "1", "2020")) == []
    assert errors(spec, parts("31", "12", "2019")) == ["Favourite thing must be the same as or after 1 January 2020"]
    assert errors(spec, parts("1", "1", "2021")) == ["Favourite thing must be the same as or before 31 December 2020"]


def test_age_limits_count_completed_years() -> None:
    spec = question("date", min_age_years=2, max_age_years=25)
    assert errors(spec, parts("16", "3", "2024")) == ["Favourite thing must be at least 2 years ago"]
    assert errors(spec, parts("15", "3", "2024")) == []
    assert errors(spec, parts("16", "3", "2000")) == []  # still 25
    assert errors(spec, parts("15", "3", "2000")) == ["Favourite thing must be for someone aged 25 or under"]


def test_a_29_february_birthday_counts_from_1_march_in_other_years() -> None:
    spec = question("date", min_age_years=2)
    assert errors(spec, parts("29", "2", "2024"), today=date(2026, 2, 28)) != []
    assert errors(spec, parts("29", "2", "2024"), today=date(2026, 3, 1)) == []


# ---- yes_no, radios, checkboxes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"), [("yes", "yes"), (" Yes ", "yes"), ("NO", "no"), (True, "yes"), (False, "no")]
)
def test_yes_no_answers_are_stored_as_words(raw: Any, value: str) -> None:
    assert stored(question("yes_no"), raw) == value


def test_yes_no_refuses_anything_else_and_shows_yes_or_no() -> None:
    assert errors(question("yes_no"), "maybe") == ["Select yes or no"]
    assert shown(question("yes_no"), "yes") == "Yes"
    assert shown(question("yes_no"), "no") == "No"


def test_must_equal_makes_one_answer_the_only_way_on() -> None:
    spec = question("yes_no", must_equal="yes", messages={"must_equal": "You need their agreement first"})
    assert errors(spec, "no") == ["You need their agreement first"]
    assert errors(spec, "yes") == []
    assert errors(question("yes_no", must_equal="yes"), "no") == ["You must answer ‘Yes’ to continue"]


RADIOS = question("radios", options=[{"value": "red", "label": "Red"}, {"value": "blue", "label": "Dark blue"}])


def test_radios_store_the_value_and_show_the_label() -> None:
    assert stored(RADIOS, " blue ") == "blue"
    assert shown(RADIOS, "blue") == "Dark blue"
    assert errors(RADIOS, "green") == ["Select favourite thing"]
    assert errors(RADIOS, "Dark blue") == ["Select favourite thing"]  # labels are not values


def test_radios_must_equal() -> None:
    spec = {**RADIOS, "must_equal": "red"}
    assert errors(spec, "blue") == ["You must answer ‘Red’ to continue"]


CHECKBOXES = question(
    "checkboxes",
    options=[
        {"value": "c", "label": "Cherries"},
        {"value": "a", "label": "Apples"},
        {"value": "b", "label": "Bananas"},
    ],
)


def test_checkboxes_keep_the_options_order_once_each() -> None:
    assert stored(CHECKBOXES, ["a", "c", "a"]) == ["c", "a"]  # the options' order, not the order ticked
    assert stored(CHECKBOXES, "b") == ["b"]
    assert shown(CHECKBOXES, ["a", "c"]) == "Cherries\nApples"


def test_checkboxes_refuse_values_that_are_not_options() -> None:
    assert errors(CHECKBOXES, ["a", "z"]) == ["Select favourite thing"]
    assert stored(CHECKBOXES, ["a", "z"]) is None


def test_checkbox_selection_limits() -> None:
    spec = {**CHECKBOXES, "min_selections": 2, "max_selections": 2}
    assert errors(spec, ["a"]) == ["Select at least 2 options"]
    assert errors(spec, ["a", "b", "c"]) == ["Select no more than 2 options"]
    assert errors(spec, ["a", "b"]) == []


def test_options_in_the_render_plan_say_which_are_selected() -> None:
    (entry,) = render_plan(form(CHECKBOXES), "only", {"q": ["b"]})
    assert [(o["value"], o["selected"]) for o in entry["options"]] == [("c", False), ("a", False), ("b", True)]


# ---- select and typeahead, inline and from lookup lists -------------------------------------------

SETTINGS = {"abbey": "Abbey Green Primary School", "birches": "Birches Head Nursery School"}


def test_select_from_inline_options() -> None:
    spec = question("select", options=[{"value": "y4", "label": "Year 4"}])
    assert stored(spec, "y4") == "y4"
    assert errors(spec, "y5") == ["Select favourite thing from the list"]
    assert shown(spec, "y4") == "Year 4"


def test_select_from_a_lookup_list_needs_the_list_to_check_against() -> None:
    spec = question("select", lookup="setting")
    with pytest.raises(MissingLookupListError, match="setting"):
        errors(spec, "abbey")
    assert errors(spec, "abbey", lookups={"setting": set(SETTINGS)}) == []
    assert errors(spec, "closed", lookups={"setting": set(SETTINGS)}) == ["Select favourite thing from the list"]


def test_lookup_values_are_shown_with_their_labels_when_given_them() -> None:
    spec = question("select", lookup="setting")
    assert shown(spec, "abbey", lookups={"setting": SETTINGS}) == "Abbey Green Primary School"
    assert shown(spec, "abbey") == "abbey"  # no labels given: the value, rather than nothing


def test_typeahead_takes_an_option_typed_out_in_full() -> None:
    spec = question("typeahead", options=[{"value": "abbey", "label": "Abbey Green Primary School"}])
    assert stored(spec, "abbey green primary school") == "abbey"
    assert errors(spec, "Somewhere else") == ["Select favourite thing from the list"]


def test_typeahead_with_free_text_keeps_what_was_typed_and_needs_no_list() -> None:
    spec = question("typeahead", lookup="setting", allow_free_text=True, max_length=20)
    assert stored(spec, "  Out of Area  School ") == "Out of Area School"
    assert errors(spec, "Out of Area School") == []  # no lookups passed, none needed
    assert shown(spec, "Out of Area School", lookups={"setting": SETTINGS}) == "Out of Area School"
    assert shown(spec, "birches", lookups={"setting": SETTINGS}) == "Birches Head Nursery School"
    assert errors(spec, "x" * 21) == ["Favourite thing must be 20 characters or fewer"]


def test_typeahead_without_free_text_checks_the_lookup_list() -> None:
    spec = question("typeahead", lookup="setting")
    assert errors(spec, "nowhere", lookups={"setting": SETTINGS}) == ["Select favourite thing from the list"]


def test_a_lookup_label_typed_in_full_counts_as_its_value_when_labels_are_given() -> None:
    strict = question("typeahead", lookup="setting")
    assert errors(strict, " abbey green primary SCHOOL ", lookups={"setting": SETTINGS}) == []
    assert errors(strict, "Abbey Green Primary School", lookups={"setting": set(SETTINGS)}) != []  # values only
    free = question("typeahead", lookup="setting", allow_free_text=True)
    definition = form(free)
    assert clean(definition, {"q": "Abbey Green Primary School"}, lookups={"setting": SETTINGS}) == {"q": "abbey"}
    assert clean(definition, {"q": "Abbey Green Primary School"}) == {"q": "Abbey Green Primary School"}


def test_a_lookup_list_with_labels_fills_the_options_of_the_plan() -> None:
    (entry,) = render_plan(
        form(question("select", lookup="setting")), "only", {"q": "abbey"}, lookups={"setting": SETTINGS}
    )
    assert entry["options"][0] == {
        "value": "abbey",
        "label": "Abbey Green Primary School",
        "hint": "",
        "selected": True,
    }
    assert entry["value_label"] == "Abbey Green Primary School"
    assert entry["lookup"] == "setting"


# ---- address ------------------------------------------------------------------------------------


def test_an_address_is_tidied_and_shown_on_one_line() -> None:
    raw = {
        "line1": " 12  High Street ",
        "line2": "Hanley",
        "town": "Stoke-on-Trent",
        "postcode": "st11aa",
        "uprn": "1001",
    }
    assert stored(question("address"), raw) == {
        "line1": "12 High Street",
        "line2": "Hanley",
        "town": "Stoke-on-Trent",
        "postcode": "ST1 1AA",
        "uprn": "1001",
    }
    assert shown(question("address"), raw) == "12 High Street, Hanley, Stoke-on-Trent, ST1 1AA"
    assert errors(question("address"), raw) == []


def test_an_incomplete_address_says_what_is_missing() -> None:
    assert errors(question("address"), {"line2": "Hanley"}) == [
        "Enter address line 1, typically the building and street",
        "Enter town or city",
        "Enter a postcode",
    ]
    assert errors(question("address"), {"line1": "1 A St", "town": "Leek", "postcode": "XX1"}) == [
        ENTER_A_REAL_POSTCODE
    ]


def test_an_optional_address_that_was_started_must_be_finished() -> None:
    assert errors(question("address", required=False), {"line1": "1 A Street"}) != []


def test_an_address_keeps_a_bad_postcode_as_typed_and_drops_a_bad_uprn() -> None:
    value = stored(question("address"), {"line1": "1 A St", "town": "Leek", "postcode": "nope", "uprn": "12ab"})
    assert value["postcode"] == "nope"
    assert value["uprn"] == ""


def test_an_address_that_is_not_a_mapping_is_refused() -> None:
    assert stored(question("address"), "12 High Street") is None
    assert errors(question("address"), "12 High Street") == ["Enter favourite thing"]


# ---- UPN ------------------------------------------------------------------------------------------


def test_upn_check_letter_of_a_published_example() -> None:
    assert upn_check_letter("801200005001") == "B"  # 93 mod 23 = 1 -> B


@pytest.mark.parametrize("valid", ["B801200005001", "b801 2000 05001", "M80120000500A", "Y80120000500Z"])
def test_valid_upns_permanent_and_temporary(valid: str) -> None:
    assert errors(question("upn"), valid) == []
    assert stored(question("upn"), valid) == valid.replace(" ", "").upper()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("A801200005001", "Check the UPN: the first letter does not match the numbers"),
        ("B801200005002", "Check the UPN: the first letter does not match the numbers"),
        ("B80120000500", "Enter a UPN in the correct format, like B801200005001"),
        ("X80120000A001", "Enter a UPN in the correct format, like B801200005001"),
        ("180120000500A", "Enter a UPN in the correct format, like B801200005001"),
        ("M80120000500I", "Enter a UPN in the correct format, like B801200005001"),  # I, O, S never end a UPN
        ("M80120000500O", "Enter a UPN in the correct format, like B801200005001"),
    ],
)
def test_invalid_upns(bad: str, message: str) -> None:
    assert errors(question("upn"), bad) == [message]


def test_temporary_upns_can_be_refused() -> None:
    spec = question("upn", allow_temporary=False)
    assert errors(spec, "M80120000500A") == ["Enter the permanent UPN, not a temporary one"]
    assert errors(spec, "B801200005001") == []


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(1, 12), st.integers(1, 9))
def test_any_single_digit_change_breaks_a_upn(body: str, position: int, change: int) -> None:
    upn = upn_check_letter(body) + body
    assert upn_problem(upn) is None
    digit = (int(upn[position]) + change) % 10
    altered = upn[:position] + str(digit) + upn[position + 1 :]
    assert upn_problem(altered) == "check_letter"


@given(st.text(alphabet="0123456789", min_size=11, max_size=11), st.sampled_from(UPN_ALPHABET))
def test_every_temporary_upn_with_its_check_letter_is_valid(digits: str, last: str) -> None:
    assert upn_problem(upn_check_letter(digits + last) + digits + last) is None


# ---- NHS number -----------------------------------------------------------------------------------

NHS_FORMAT = "Enter an NHS number in the correct format, like 943 476 5919"
NHS_CHECK = "Enter a valid NHS number: check it has been copied correctly"


@pytest.mark.parametrize("valid", ["943 476 5919", "9434765919", " 943-476-5919 ", "401 023 2137"])
def test_valid_nhs_numbers_are_stored_in_groups(valid: str) -> None:
    assert errors(question("nhs_number"), valid) == []
    assert stored(question("nhs_number"), valid) == format_groups(valid)


def format_groups(raw: str) -> str:
    digits = "".join(c for c in raw if c.isdigit())
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def test_nhs_check_digit_of_the_published_example() -> None:
    assert nhs_check_digit("943476591") == 9


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("943 476 5918", NHS_CHECK),
        ("943 476 591", NHS_FORMAT),
        ("943 476 59199", NHS_FORMAT),
        ("943 476 591A", NHS_FORMAT),
        ("1000000010", NHS_CHECK),  # 100000001 can have no check digit (it would be 10)
        ("0000000000", NHS_CHECK),
    ],
)
def test_invalid_nhs_numbers(bad: str, message: str) -> None:
    assert errors(question("nhs_number"), bad) == [message]


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 9), st.integers(1, 9))
def test_any_single_digit_change_breaks_an_nhs_number(first_nine: str, position: int, change: int) -> None:
    check = nhs_check_digit(first_nine)
    if check is None or len(set(first_nine + str(check))) == 1:
        return
    number = first_nine + str(check)
    assert is_valid_nhs_number(number)
    altered = number[:position] + str((int(number[position]) + change) % 10) + number[position + 1 :]
    assert not is_valid_nhs_number(altered)


# ---- document slots and guidance ------------------------------------------------------------------

SLOT = question("document_slot", document_type="sen_support_plan", min_files=2, max_files=3)


def test_a_document_slot_counts_its_files() -> None:
    assert errors(SLOT, ["a1"]) == ["Upload at least 2 files for favourite thing"]
    assert errors(SLOT, ["a1", "b2", "c3", "d4"]) == ["Upload no more than 3 files for favourite thing"]
    assert errors(SLOT, ["a1", "b2"]) == []
    assert stored(SLOT, ["a1", "b2", "a1"]) == ["a1", "b2"]


def test_an_optional_slot_with_files_still_needs_its_minimum() -> None:
    assert errors({**SLOT, "required": False}, ["a1"]) == ["Upload at least 2 files for favourite thing"]


def test_a_slot_refuses_what_cannot_be_a_document_id() -> None:
    assert errors(SLOT, ["../etc/passwd", "b2"]) == ["Upload favourite thing again"]
    assert errors(SLOT, [{"id": 1}]) == ["Upload favourite thing again"]


def test_a_slot_shows_file_names_when_it_has_them() -> None:
    assert shown(SLOT, ["a1", "b2"]) == "2 files"
    assert shown(SLOT, ["a1"]) == "1 file"
    names = {"a1": "plan-autumn.pdf", "b2": "plan-spring.pdf"}
    assert shown(SLOT, ["a1", "b2"], document_names=names) == "plan-autumn.pdf\nplan-spring.pdf"


def test_guidance_has_no_answer() -> None:
    definition = form({"name": "note", "type": "guidance", "heading": "Before you start", "text": "Read this."})
    assert clean(definition, {"note": "sneaky"}) == {}
    assert validate(definition, {}, today=TODAY) == {}
    assert summary_rows(definition, {}) == []
    (entry,) = render_plan(definition, "only", {})
    assert (entry["type"], entry["label"], entry["text"], entry["required"]) == (
        "guidance",
        "Before you start",
        "Read this.",
        False,
    )


def test_a_huge_number_is_reported_in_the_definitions_short_range_wording() -> None:
    """Issue 20 item 9: not "How many ... completed? must be a smaller number"."""
    spec = question("number", min=0, max=50, messages={"range": "Number of cycles must be between 0 and 50"})
    assert errors(spec, "1e20") == ["Number of cycles must be between 0 and 50"]
    assert errors(spec, "-1e20") == ["Number of cycles must be between 0 and 50"]
    assert errors(question("number"), "1e20") == ["Favourite thing must be a smaller number"]
