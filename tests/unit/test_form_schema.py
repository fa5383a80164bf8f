"""The definition models, the closed registry, the JSON Schema export and YAML round trips."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sen_portal import cli
from sen_portal.forms import (
    REGISTRY,
    FormDefinitionError,
    definition_to_data,
    definition_to_yaml,
    form_json_schema,
    load_definition,
    optional_label,
)
from sen_portal.forms.registry import MODELS
from sen_portal.forms.schema import FIELD_TYPES

pytestmark = pytest.mark.unit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = PROJECT_ROOT / "sen_portal" / "forms" / "definitions" / "ehc_needs_assessment.yaml"


def minimal(fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "key": "t",
        "title": "T",
        "version": 1,
        "reference_prefix": "TST",
        "sections": [{"key": "s", "title": "S", "fields": fields}],
    }


def test_the_registry_is_closed_and_matches_the_models() -> None:
    assert tuple(REGISTRY) == FIELD_TYPES
    assert set(MODELS) == set(FIELD_TYPES)
    for name, handler in REGISTRY.items():
        assert handler.type == name
        if handler.kind == "answer":
            assert "required" in handler.message_keys


def test_the_form_engine_never_imports_reflex() -> None:
    code = "import sys, sen_portal.forms; sys.exit(1 if 'reflex' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=False).returncode == 0


def test_loaded_definitions_cannot_be_changed() -> None:
    definition = load_definition(minimal([{"name": "a", "type": "text", "label": "A"}]))
    with pytest.raises(ValidationError):
        definition.sections[0].fields[0].label = "Changed"  # type: ignore[misc]


def test_defaults_follow_gov_uk_practice() -> None:
    definition = load_definition(
        minimal(
            [
                {"name": "a", "type": "text", "label": "A"},
                {"name": "b", "type": "text", "label": "Preferred name", "required": False},
                {"name": "c", "type": "guidance", "heading": "Note", "text": "Read me"},
            ]
        )
    )
    a, b, c = definition.sections[0].fields
    assert a.required is True
    assert (optional_label(a), optional_label(b), optional_label(c)) == ("A", "Preferred name (optional)", "Note")


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x85", "\u2028"])
def test_definition_text_refuses_control_characters(character: str) -> None:
    with pytest.raises(FormDefinitionError, match=r"sections\[0\]\.fields\[0\] \(name 'a'\): label: text must not"):
        load_definition(minimal([{"name": "a", "type": "text", "label": f"Name{character}"}]))


def test_the_format_guide_examples_load_and_cover_every_type() -> None:
    guide = (SHIPPED.parent / "README.md").read_text(encoding="utf-8")
    example = guide.split("## One example of each type", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    head = "key: t\ntitle: T\nversion: 1\nreference_prefix: TST\nsections:\n  - key: s\n    title: S\n    fields:\n"
    definition = load_definition(head + textwrap.indent(example, "      "))
    assert {field.type for field in definition.sections[0].fields} == set(FIELD_TYPES)


def test_section_lookup_by_key() -> None:
    definition = load_definition(minimal([{"name": "a", "type": "text", "label": "A"}]))
    assert definition.section("s").title == "S"
    with pytest.raises(KeyError):
        definition.section("missing")


# ---- JSON Schema ----------------------------------------------------------------------------------


def _union_mapping(schema: dict[str, Any], model: str) -> dict[str, str]:
    items = schema["$defs"][model]["properties"]["fields"]["items"]
    return items["discriminator"]["mapping"]


def test_the_json_schema_knows_every_field_type() -> None:
    schema = form_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(_union_mapping(schema, "Section")) == set(FIELD_TYPES)
    assert set(_union_mapping(schema, "GroupField")) == set(FIELD_TYPES) - {"group"}
    assert schema["$defs"]["TextField"]["additionalProperties"] is False
    assert "in" in schema["$defs"]["ShowIf"]["properties"]  # the YAML name, not the Python one


def test_export_form_schema_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "form.schema.json"
    assert cli.main(["export-form-schema", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8")) == form_json_schema()


def test_export_form_schema_writes_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export-form-schema"]) == 0
    assert json.loads(capsys.readouterr().out) == form_json_schema()


def test_check_form_reports_where_a_definition_is_wrong(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check-form", str(SHIPPED)]) == 0
    assert "ehc_needs_assessment v1 is valid" in capsys.readouterr().out
    broken = tmp_path / "broken.yaml"
    broken.write_text(SHIPPED.read_text(encoding="utf-8").replace("type: nhs_number", "type: nhsnumber"), "utf-8")
    assert cli.main(["check-form", str(broken)]) == 1
    assert "(name 'child_nhs_number'): unknown field type 'nhsnumber'" in capsys.readouterr().err


def test_check_form_explains_a_file_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 20 item 9: not a raw codec error."""
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(SHIPPED.read_bytes() + "# Caf\u00e9 notes\n".encode("latin-1"))
    assert cli.main(["check-form", str(latin1)]) == 1
    err = capsys.readouterr().err
    assert "the file is not UTF-8 text (save it as UTF-8)" in err
    assert "codec" not in err


@pytest.mark.parametrize("escape", ["\\0", "\\ud800"])
def test_a_definition_text_with_nul_or_a_lone_surrogate_is_refused_saying_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], escape: str
) -> None:
    """YAML's escapes can carry what a UTF-8 file cannot; PostgreSQL would refuse the stored definition."""
    text = SHIPPED.read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("title: ", f'title: "Bad{escape}" #', 1), "utf-8")
    assert cli.main(["check-form", str(bad)]) == 1
    assert "title: contains characters we cannot store" in capsys.readouterr().err


# ---- round trips ----------------------------------------------------------------------------------

# Any text a definition may hold: everything but control characters (tab and newline are fine) and
# the Unicode line/paragraph separators, which the models refuse (see the test above).
_characters = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")) | st.sampled_from("\n\t")
_text = st.text(_characters, min_size=1, max_size=30)
_values = st.from_regex(r"[a-z0-9_]{1,8}", fullmatch=True)
_options = st.lists(st.tuples(_values, _text), min_size=1, max_size=4, unique_by=lambda pair: pair[0]).map(
    lambda pairs: [{"value": value, "label": label} for value, label in pairs]
)
_dates = st.dates().map(lambda day: day.isoformat())
_numbers = st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))


@st.composite
def _leaf(draw: st.DrawFn, type_: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": type_}
    if type_ == "guidance":
        text = draw(_text.filter(str.strip))  # guidance must say something
        return {**spec, "text": text, "heading": draw(st.just("") | _text)}
    spec["label"] = draw(_text)
    if draw(st.booleans()):
        spec["hint"] = draw(_text)
    spec["required"] = draw(st.booleans())
    if type_ in ("text", "typeahead"):
        spec["max_length"] = draw(st.integers(1, 1000))
    if type_ == "long_text":
        spec.update(max_length=draw(st.integers(1, 20_000)), rows=draw(st.integers(2, 30)))
    if type_ == "number":
        low, high = sorted([draw(_numbers), draw(_numbers)])
        spec.update(min=low, max=high, integer_only=draw(st.booleans()))
    if type_ == "date":
        first, last = sorted([draw(_dates), draw(_dates)])
        spec.update(in_past=draw(st.booleans()), not_before=first, not_after=last)
    if type_ == "yes_no":
        spec["must_equal"] = draw(st.sampled_from(["yes", "no"]))
    if type_ in ("radios", "checkboxes"):
        spec["options"] = draw(_options)
    if type_ in ("select", "typeahead"):
        spec.update({"options": draw(_options)} if draw(st.booleans()) else {"lookup": "setting"})
    if type_ == "typeahead":
        spec["allow_free_text"] = draw(st.booleans())
    if type_ == "document_slot":
        low = draw(st.integers(1, 5))
        spec.update(document_type=draw(_values), min_files=low, max_files=draw(st.integers(low, 20)))
    if type_ == "upn":
        spec["allow_temporary"] = draw(st.booleans())
    return spec


_leaf_types = st.sampled_from([t for t in FIELD_TYPES if t != "group"])


@st.composite
def definitions(draw: st.DrawFn) -> dict[str, Any]:
    counter = iter(range(10_000))
    sections = []
    for section_number in range(draw(st.integers(1, 3))):
        fields: list[dict[str, Any]] = []
        for _ in range(draw(st.integers(1, 4))):
            if draw(st.integers(0, 5)) == 0:
                members = [{**draw(_leaf(draw(_leaf_types))), "name": f"m{n}"} for n in range(draw(st.integers(1, 3)))]
                low = draw(st.integers(0, 3))
                field = {"type": "group", "label": draw(_text), "item_label": draw(_text), "fields": members}
                field.update(min_items=low, max_items=draw(st.integers(max(low, 1), 10)))
            else:
                field = draw(_leaf(draw(_leaf_types)))
            field["name"] = f"f{next(counter)}"
            earlier = [f for s in sections for f in s["fields"]] + fields
            targets = [f["name"] for f in earlier if f["type"] == "yes_no"]
            if targets and draw(st.booleans()):
                field["show_if"] = {
                    "field": draw(st.sampled_from(targets)),
                    "equals": draw(st.sampled_from(["yes", "no"])),
                }
            fields.append(field)
        sections.append({"key": f"step-{section_number}", "title": draw(_text), "fields": fields})
    return {
        "key": "generated",
        "title": draw(_text),
        "version": draw(st.integers(1, 99)),
        "reference_prefix": "GEN",
        "sections": sections,
    }


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions())
def test_any_definition_the_models_accept_round_trips_through_yaml_and_json(data: dict[str, Any]) -> None:
    definition = load_definition(data)
    assert load_definition(definition_to_yaml(definition)) == definition
    assert load_definition(json.loads(json.dumps(definition_to_data(definition)))) == definition


def test_the_shipped_form_round_trips_through_yaml() -> None:
    definition = load_definition(SHIPPED.read_text(encoding="utf-8"))
    assert load_definition(definition_to_yaml(definition)) == definition


def test_the_shipped_definition_meets_the_published_schema_and_breaches_are_placed() -> None:
    import copy
    from pathlib import Path

    import yaml

    from sen_portal.forms.loading import schema_problems

    path = Path(__file__).resolve().parents[2] / "sen_portal/forms/definitions/ehc_needs_assessment.yaml"
    shipped = yaml.safe_load(path.read_text())
    assert schema_problems(shipped) == []  # including `must_equal: yes`, which YAML reads as true

    broken = copy.deepcopy(shipped)
    del broken["sections"][1]["title"]
    broken["sections"][0]["fields"][0]["max_length"] = "long"
    problems = schema_problems(broken)
    assert any(p.startswith("sections[1] (key ") and "'title' is a required property" in p for p in problems)
    assert any(p.startswith("sections[0].fields[0] (name ") and "max_length" in p for p in problems), problems
