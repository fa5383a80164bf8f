"""Reading form definitions: YAML text or a dict in, a checked FormDefinition out, or an error that says where.

The YAML reader is deliberately plainer than PyYAML's default:

* only ``true``/``false`` are booleans, so ``equals: yes`` or an option value
  ``no`` stay the words they look like (YAML 1.1 would make them booleans);
* dates stay strings, so the parsed document can go straight into a JSON column;
* aliases (``*name``) are refused (no "billion laughs"), and so are duplicate keys,
  which PyYAML would otherwise silently resolve to the last one.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as ValidationError_
from jsonschema.exceptions import best_match
from pydantic import ValidationError

from sen_portal.forms.checks import definition_problems, did_you_mean
from sen_portal.forms.field_models import Option, ShowIf
from sen_portal.forms.registry import MODELS
from sen_portal.forms.schema import FIELD_TYPES, FormDefinition, Section

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
MAX_DEFINITION_BYTES = 1_000_000
_MAX_PROBLEMS = 20
_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class FormDefinitionError(ValueError):
    """A definition that cannot be used; ``problems`` lists each one with where it is."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems[:_MAX_PROBLEMS]
        more = len(problems) - len(self.problems)
        super().__init__("\n".join(self.problems + ([f"... and {more} more"] if more > 0 else [])))


class _DefinitionLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            line = self.peek_event().start_mark.line + 1
            raise FormDefinitionError([f"line {line}: YAML aliases (*name) are not allowed in a form definition"])
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str | int | float | bool) or key in seen:
                line = key_node.start_mark.line + 1
                raise FormDefinitionError([f"line {line}: the key {key!r} is repeated or not a plain word"])
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_DefinitionLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_DefinitionLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def parse_definition_text(text: str | bytes) -> dict[str, Any]:
    """The YAML (or JSON) document as plain, JSON-safe data; FormDefinitionError when it is not a mapping."""
    if len(text) > MAX_DEFINITION_BYTES:
        raise FormDefinitionError([f"the definition is larger than {MAX_DEFINITION_BYTES} bytes"])
    try:
        data = yaml.load(text, Loader=_DefinitionLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        raise FormDefinitionError([f"not valid YAML: {error}"]) from None
    except RecursionError:
        raise FormDefinitionError(["the definition is nested too deeply"]) from None
    if not isinstance(data, dict):
        raise FormDefinitionError(["a form definition must be a mapping with key, title, version, ... sections"])
    return data


def load_definition(source: str | bytes | Mapping[str, Any]) -> FormDefinition:
    """A checked definition from YAML/JSON text or already-parsed data.

    Raises FormDefinitionError listing every problem found, each prefixed by
    where it is, e.g. ``sections[2].fields[4] (name 'nhs_nmber'): unknown field
    type 'nhsnumber'; known types: ...``.
    """
    data = parse_definition_text(source) if isinstance(source, str | bytes) else dict(source)
    try:
        definition = FormDefinition.model_validate(data)
    except ValidationError as error:
        raise FormDefinitionError([_describe(data, problem) for problem in error.errors()]) from None
    problems = definition_problems(definition)
    if problems:
        raise FormDefinitionError(problems)
    return definition


def load_definition_file(path: str | Path) -> FormDefinition:
    return load_definition(Path(path).read_text(encoding="utf-8"))


def shipped_definition_data(key: str) -> dict[str, Any]:
    """The shipped YAML for ``key`` as plain data (what a FormVersion row stores); KeyError if none."""
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,59}", key) or not (DEFINITIONS_DIR / f"{key}.yaml").is_file():
        raise KeyError(key)  # the pattern also keeps "../" out of the path
    return parse_definition_text((DEFINITIONS_DIR / f"{key}.yaml").read_text(encoding="utf-8"))


@functools.cache
def load_shipped_definition(key: str) -> FormDefinition:
    """A shipped definition, loaded once per process (definitions are frozen, so sharing is safe)."""
    return load_definition(shipped_definition_data(key))


def definition_to_data(definition: FormDefinition) -> dict[str, Any]:
    """Plain data that loads back to an equal definition (defaults left out, ``in`` under its YAML name)."""
    return definition.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def definition_to_yaml(definition: FormDefinition) -> str:
    return yaml.safe_dump(definition_to_data(definition), sort_keys=False, allow_unicode=True, width=120)


def form_json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of a definition, for editors; whole-form rules are only checked at load."""
    schema = FormDefinition.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "Form definition",
        "description": "A form of the SEN portal; see sen_portal/forms/ and its definitions/ for examples.",
    }


def form_json_schema_text() -> str:
    return json.dumps(form_json_schema(), indent=2, ensure_ascii=False) + "\n"


@functools.lru_cache(maxsize=1)
def _schema_validator() -> Draft202012Validator:
    return Draft202012Validator(form_json_schema())


def _branch_error(error: ValidationError_) -> ValidationError_:
    """For "one of the question types" failures, the error from the branch of the question's own type."""
    if not error.context:
        return error
    branches: dict[Any, list[ValidationError_]] = {}
    for inner in error.context:
        branches.setdefault(inner.relative_schema_path[0], []).append(inner)
    for errors in branches.values():
        if not any(list(inner.relative_path)[-1:] == ["type"] for inner in errors):
            return errors[0]  # the branch whose "type" matched
    return best_match(error.context)


def schema_problems(data: Mapping[str, Any], *, limit: int = 20) -> list[str]:
    """Where ``data`` breaks the published JSON Schema, as "where: what" lines (a file from another
    portal is checked against the schema that portal's editors work to, then loaded as usual)."""
    problems = []
    for error in sorted(_schema_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        error = _branch_error(error)
        path = list(error.absolute_path)
        where, node, index = "", data, 0
        while index + 1 < len(path) and isinstance(position := path[index + 1], int):
            container = node.get(path[index]) if isinstance(node, dict) else None
            if not isinstance(container, list) or not 0 <= position < len(container):
                break
            where += ("." if where else "") + f"{path[index]}[{position}]"
            node, index = container[position], index + 2
        rest = ".".join(str(part) for part in path[index:])
        problems.append(f"{_name_where(where, node)}{' ' + rest if rest else ''}: {error.message[:200]}")
        if len(problems) >= limit:
            break
    return problems


# ---- turning pydantic's errors into "where: what" ----------------------------------------------

_CONTAINERS = ("sections", "fields", "options")


def _describe(data: Any, problem: Mapping[str, Any]) -> str:
    loc = list(problem["loc"])
    where, node, index = "", data, 0
    while index + 1 < len(loc) and loc[index] in _CONTAINERS and isinstance(loc[index + 1], int):
        container = node.get(loc[index]) if isinstance(node, dict) else None
        if not isinstance(container, list) or not 0 <= loc[index + 1] < len(container):
            break
        where += ("." if where else "") + f"{loc[index]}[{loc[index + 1]}]"
        node = container[loc[index + 1]]
        index += 2
        # In a discriminated union pydantic puts the type's tag in the path; it is not a key.
        if (
            loc[index - 2] == "fields"
            and index < len(loc)
            and isinstance(node, dict)
            and loc[index] == node.get("type")
        ):
            index += 1
    rest = [str(part) for part in loc[index:]]
    return f"{_name_where(where, node)}: {_what(problem, rest, where, node)}"


def _name_where(where: str, node: Any) -> str:
    if not where:
        return "form"
    for key in ("name", "key", "value"):
        if isinstance(node, dict) and isinstance(node.get(key), str):
            return f"{where} ({key} {node[key]!r})"
    return where


def _what(problem: Mapping[str, Any], rest: list[str], where: str, node: Any) -> str:
    kind, text = problem["type"], str(problem["msg"]).removeprefix("Value error, ")
    key = ".".join(rest)
    if kind == "union_tag_invalid":
        tag = str(problem.get("ctx", {}).get("tag", ""))
        if tag == "group" and where.count("fields[") > 1:
            return "a group cannot contain another group"
        return f"unknown field type {tag!r}{did_you_mean(tag, FIELD_TYPES)}; known types: {', '.join(FIELD_TYPES)}"
    if kind == "union_tag_not_found":
        return f"'type' is required; known types: {', '.join(FIELD_TYPES)}"
    if kind == "missing":
        return f"{key!r} is required"
    if kind == "extra_forbidden":
        return f"unknown key {rest[-1]!r}{did_you_mean(rest[-1], _allowed_keys(where, node, rest))}"
    return f"{key}: {text}" if key else text


def _allowed_keys(where: str, node: Any, rest: list[str]) -> list[str]:
    last = where.rsplit(".", 1)[-1]
    model: Any
    if len(rest) > 1 and rest[0] == "show_if":
        model = ShowIf
    elif last.startswith("fields["):
        model = MODELS.get(str(node.get("type"))) if isinstance(node, dict) else None
    elif last.startswith("options["):
        model = Option
    elif last.startswith("sections["):
        model = Section
    else:
        model = FormDefinition
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]
