"""The shipped "Request for an EHC needs assessment": it loads, a complete request is valid, and its rules hold."""

from __future__ import annotations

import copy
import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sen_portal.forms import (
    FormDefinition,
    GroupField,
    MissingLookupListError,
    clean,
    form_json_schema,
    load_definition,
    load_shipped_definition,
    lookup_keys,
    lookup_problems,
    prefill,
    render_plan,
    shipped_definition_data,
    summary_rows,
    validate,
)
from sen_portal.models.accounts import UserAccount
from sen_portal.services.lookups.lists import SHIPPED_LISTS

pytestmark = pytest.mark.unit

TODAY = date(2026, 3, 15)
EHC = load_shipped_definition("ehc_needs_assessment")


def shipped_lookups() -> dict[str, dict[str, str]]:
    lookups = {}
    for key, path in SHIPPED_LISTS.items():
        with Path(path).open(encoding="utf-8") as handle:
            lookups[key] = {row["value"]: row["label"] for row in csv.DictReader(handle)}
    return lookups


LOOKUPS = shipped_lookups()

COMPLETE: dict[str, Any] = {
    "referrer_first_name": "Sam",
    "referrer_last_name": "Jones",
    "referrer_role": "senco",
    "referrer_organisation": "Abbey Green Primary School",
    "referrer_email": "Sam.Jones@abbeygreen.sch.uk",
    "referrer_phone": "01782 234567",
    "child_first_name": "Alex",
    "child_last_name": "Smith",
    "child_preferred_name": "Lexi",
    "child_date_of_birth": {"day": "5", "month": "3", "year": "2016"},
    "child_gender": "female",
    "child_home_address": {"line1": "12 High Street", "town": "Stoke-on-Trent", "postcode": "st1 1aa", "uprn": "999"},
    "child_upn": "B801200005001",
    "child_nhs_number": "943 476 5919",
    "child_first_language": "English",
    "interpreter_needed": "yes",
    "interpreter_language": "Polish",
    "looked_after": "no",
    "current_setting": "abbey-green-primary",
    "year_group": "year_4",
    "parents": [
        {
            "full_name": "Jo Smith",
            "relationship": "Mother",
            "has_parental_responsibility": "yes",
            "phone": "07700 900123",
            "email": "jo@example.org",
            "lives_with_child": "yes",
        },
        {
            "full_name": "Chris Smith",
            "relationship": "Father",
            "has_parental_responsibility": "yes",
            "phone": "07700 900456",
            "lives_with_child": "no",
            "address": {"line1": "3 Mill Lane", "town": "Leek", "postcode": "ST13 5AA"},
        },
    ],
    "primary_sen_type": "SLCN",
    "secondary_sen_type": "SEMH",
    "needs_description": "Alex finds it hard to follow spoken instructions.",
    "sen_support_since": {"day": "1", "month": "9", "year": "2023"},
    "apdr_cycles": "4",
    "interventions_and_impact": "Daily speech and language groups since 2023; small gains.",
    "child_views": "I like drawing. I don't like noisy rooms.",
    "parent_views": "We want Alex to get the right support.",
    "professionals": [
        {
            "full_name": "Dr Priya Patel",
            "role": "Educational psychologist",
            "organisation": "Educational Psychology Service",
            "involved_from": {"day": "10", "month": "1", "year": "2025"},
        }
    ],
    "parents_agree": "yes",
    "information_sharing_consent": "yes",
    "sen_support_plans": ["plan-autumn", "plan-spring"],
    "progress_data": ["progress-2025"],
    "specialist_reports": ["ep-report"],
    "signed_consent_form": ["consent-signed"],
    "declaration": ["confirmed"],
}


def with_answers(**changes: Any) -> dict[str, Any]:
    answers = copy.deepcopy(COMPLETE)
    answers.update(changes)
    return answers


def check(answers: dict[str, Any], **kwargs: Any) -> dict[str, list[str]]:
    return validate(EHC, answers, lookups=LOOKUPS, today=TODAY, **kwargs)


def test_the_shipped_definition_loads() -> None:
    assert (EHC.key, EHC.version, EHC.reference_prefix) == ("ehc_needs_assessment", 1, "EHC")
    assert EHC.title == "Request for an EHC needs assessment"
    assert [section.key for section in EHC.sections] == [
        "about-you",
        "child",
        "parents",
        "needs",
        "graduated-approach",
        "views",
        "professionals",
        "consent",
        "documents",
        "declaration",
    ]


def test_shipped_data_is_plain_json_for_the_database() -> None:
    data = shipped_definition_data("ehc_needs_assessment")
    assert load_definition(json.loads(json.dumps(data))) == EHC
    with pytest.raises(KeyError):
        shipped_definition_data("../secrets")


def test_a_complete_request_has_no_errors() -> None:
    assert check(COMPLETE) == {}
    for section in EHC.sections:
        assert check(COMPLETE, section_key=section.key) == {}, section.key


def test_the_stored_form_of_a_complete_request_is_still_complete() -> None:
    stored = clean(EHC, COMPLETE)
    assert check(stored) == {}
    assert clean(EHC, stored) == stored
    assert stored["child_date_of_birth"] == "2016-03-05"
    assert stored["referrer_email"] == "sam.jones@abbeygreen.sch.uk"
    assert stored["apdr_cycles"] == 4
    assert stored["child_home_address"]["postcode"] == "ST1 1AA"
    assert "address" not in stored["parents"][0] and stored["parents"][1]["address"]["town"] == "Leek"


def test_an_empty_request_lists_every_required_question_in_page_order() -> None:
    errors = check({})
    assert list(errors)[:3] == ["referrer_first_name", "referrer_last_name", "referrer_role"]
    assert errors["child_date_of_birth"] == ["Enter the child's date of birth"]
    assert errors["parents"] == ["Add at least one parent or carer"]
    assert errors["declaration"] == ["Confirm the information is correct to the best of your knowledge"]
    assert "professionals" not in errors  # none is a valid answer
    assert "child_upn" not in errors and "child_nhs_number" not in errors


def test_the_documents_the_request_needs() -> None:
    errors = check(with_answers(sen_support_plans=["only-one"], signed_consent_form=[], progress_data=None))
    assert errors == {
        "sen_support_plans": ["Upload both of the two most recent reviewed SEN support plans"],
        "progress_data": ["Upload the latest progress and attainment data"],
        "signed_consent_form": ["Upload the signed consent form"],
    }
    assert check(with_answers(specialist_reports=[f"r{n}" for n in range(6)])) == {
        "specialist_reports": ["Upload no more than 5 files for reports from specialists"]
    }


def test_consent_must_be_yes() -> None:
    assert check(with_answers(parents_agree="no")) == {
        "parents_agree": [
            "You can only send a request when the parents, or the young person if they are 16 or over,"
            " know about it and agree to it"
        ]
    }
    assert check(with_answers(information_sharing_consent="no")) == {}


def test_date_of_birth_rules() -> None:
    assert check(with_answers(child_date_of_birth={"day": "16", "month": "3", "year": "2026"})) == {
        "child_date_of_birth": ["Date of birth must be in the past"]
    }
    assert check(with_answers(child_date_of_birth={"day": "1", "month": "1", "year": "2000"})) == {
        "child_date_of_birth": ["The child or young person must be 25 or younger"]
    }


def test_identifiers_are_checked_when_given() -> None:
    errors = check(with_answers(child_upn="A801200005001", child_nhs_number="943 476 591"))
    assert errors == {
        "child_upn": ["Check the UPN: the first letter does not match the numbers"],
        "child_nhs_number": ["Enter an NHS number in the correct format, like 943 476 5919"],
    }


def test_follow_up_questions_appear_when_their_answer_needs_them() -> None:
    errors = check(with_answers(interpreter_language="", looked_after="yes", referrer_role="other"))
    assert errors == {
        "referrer_role_other": ["Describe your role"],
        "interpreter_language": ["Enter the language the interpreter should speak"],
        "looked_after_authority": ["Enter the local authority that looks after the child"],
    }
    assert "interpreter_language" not in clean(EHC, with_answers(interpreter_needed="no"))


def test_a_parent_living_elsewhere_needs_an_address() -> None:
    answers = with_answers()
    del answers["parents"][1]["address"]
    assert check(answers) == {"parents[1].address": ["Enter the parent or carer's address"]}


def test_a_setting_outside_the_list_can_be_typed_in() -> None:
    assert check(with_answers(current_setting="St Mary's School, Manchester")) == {}


def test_the_referrers_role_comes_from_the_professional_roles_list() -> None:
    assert check(with_answers(referrer_role="astronaut")) == {"referrer_role": ["Select your role from the list"]}
    assert lookup_keys(EHC, checked_only=True) == {"professional_role"}
    with pytest.raises(MissingLookupListError):
        validate(EHC, COMPLETE, today=TODAY)
    assert validate(EHC, COMPLETE, section_key="child", today=TODAY) == {}  # no list needed for this step


def test_every_lookup_and_document_type_it_names_is_shipped() -> None:
    assert lookup_keys(EHC) <= set(SHIPPED_LISTS)
    assert lookup_problems(EHC, LOOKUPS) == []


def test_every_prefill_key_is_an_account_attribute() -> None:
    keys = [f.prefill for s in EHC.sections for f in s.fields if getattr(f, "prefill", None)]
    assert keys, "the About you step should be filled from the account"
    for key in keys:
        source, attribute = key.split(".")
        assert source == "account" and attribute in UserAccount.model_fields, key


def test_prefill_fills_only_what_is_unanswered() -> None:
    filled = prefill(
        EHC, {"referrer_first_name": "Samantha"}, {"account.first_name": "Sam", "account.email": "s@x.org"}
    )
    assert filled == {"referrer_first_name": "Samantha", "referrer_email": "s@x.org"}


def test_the_names_other_code_relies_on_exist() -> None:
    names = {f.name for s in EHC.sections for f in s.fields}
    assert {"child_first_name", "child_last_name", "child_date_of_birth"} <= names


def test_check_your_answers_reads_well() -> None:
    rows = {row["name"]: row for row in summary_rows(EHC, clean(EHC, COMPLETE), lookups=LOOKUPS)}
    assert rows["referrer_role"]["value"] == "SENCO"
    assert rows["child_date_of_birth"]["value"] == "5 March 2016"
    assert rows["child_home_address"]["value"] == "12 High Street, Stoke-on-Trent, ST1 1AA"
    assert rows["current_setting"]["value"] == "Abbey Green Primary School"
    assert rows["primary_sen_type"]["value"] == "Speech, language and communication needs (SLCN)"
    assert rows["interpreter_needed"]["value"] == "Yes"
    assert rows["diagnoses"]["value"] == "Not provided"
    assert rows["parents[1].address"]["group_label"] == "Parent or carer 2"
    assert rows["sen_support_plans"]["value"] == "2 files"
    assert rows["declaration"]["value"] == "I confirm the information is correct to the best of my knowledge"
    assert rows["child_nhs_number"]["section_key"] == "child"


def test_every_section_renders_to_plain_json() -> None:
    errors = check({})
    for section in EHC.sections:
        plan = render_plan(EHC, section.key, COMPLETE, errors=errors, lookups=LOOKUPS)
        assert plan, section.key
        assert json.loads(json.dumps(plan)) == plan
        assert len({frozenset(entry) for entry in plan}) == 1  # one shape for every entry


# ---- the JSON Schema editors use accepts the shipped YAML -----------------------------------------


def _shape_problems(schema: dict[str, Any], model: dict[str, Any], node: Any, where: str) -> list[str]:
    """Keys the schema would refuse or miss, following $ref and the type discriminator."""
    problems = [f"{where}: {key} is not allowed" for key in node if key not in model["properties"]]
    problems += [f"{where}: {key} is required" for key in model.get("required", []) if key not in node]
    for key, value in node.items():
        prop = model["properties"].get(key, {})
        items = prop.get("items", {})
        mapping = items.get("discriminator", {}).get("mapping")
        ref = items.get("$ref", "")
        for index, child in enumerate(value if isinstance(value, list) else []):
            target = mapping[child["type"]] if mapping else ref
            if target and isinstance(child, dict):
                child_model = schema["$defs"][target.rsplit("/", 1)[-1]]
                problems += _shape_problems(schema, child_model, child, f"{where}.{key}[{index}]")
    return problems


def test_the_shipped_yaml_matches_the_exported_json_schema() -> None:
    schema = json.loads(json.dumps(form_json_schema()))
    data = shipped_definition_data("ehc_needs_assessment")
    try:
        import jsonschema  # not a dependency; used when a developer has it
    except ImportError:
        FormDefinition.model_validate(data)
    else:
        jsonschema.validate(data, schema)
    assert schema["additionalProperties"] is False
    assert _shape_problems(schema, schema, data, "form") == []
    broken = copy.deepcopy(data)
    broken["sections"][1]["fields"][0]["lable"] = "typo"
    assert _shape_problems(schema, schema, broken, "form") == ["form.sections[1].fields[0]: lable is not allowed"]


# ---- whatever arrives, the engine neither crashes nor stores something it cannot read again --------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
_top_names = [f.name for s in EHC.sections for f in s.fields]
_member_names = sorted({m.name for s in EHC.sections for f in s.fields if isinstance(f, GroupField) for m in f.fields})
_item = st.dictionaries(st.sampled_from(_member_names), _json, max_size=4)
_valid_values = st.sampled_from([(name, value) for name, value in COMPLETE.items()])


@st.composite
def _answers(draw: st.DrawFn) -> dict[str, Any]:
    answers = dict(draw(st.lists(_valid_values, max_size=20)))
    for name in draw(st.lists(st.sampled_from(_top_names), max_size=8)):
        answers[name] = draw(_json | st.lists(_item, max_size=2))
    return answers


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_answers())
def test_any_answers_clean_to_a_fixed_point_and_never_crash_the_pages(answers: dict[str, Any]) -> None:
    stored = clean(EHC, answers)
    assert clean(EHC, stored) == stored
    assert json.loads(json.dumps(stored)) == stored
    check(answers)
    summary_rows(EHC, answers, lookups=LOOKUPS)
    for section in EHC.sections:
        json.dumps(render_plan(EHC, section.key, answers, lookups=LOOKUPS))
