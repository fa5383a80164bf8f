"""The low-code form engine: definitions are data; this package loads, checks, validates and describes them.

Never imports Reflex: pages draw ``render_plan`` output, services call
``validate`` and ``clean``. See each module for details:

* ``schema`` / ``field_models`` - the pydantic models of a definition
* ``registry`` - the closed set of field types and their handlers (``fields/``)
* ``loading`` - YAML/dict -> FormDefinition with "where: what" errors; JSON Schema export
* ``validation`` - validate() and clean(); ``conditions`` - show_if
* ``rendering`` - render_plan() and journey steps; ``summary`` - summary_rows()
* ``answers`` - set_answer(), group add/remove, prefill()
"""

from sen_portal.forms.answers import add_group_item, prefill, remove_group_item, set_answer
from sen_portal.forms.checks import lookup_problems
from sen_portal.forms.fields.common import Lookups
from sen_portal.forms.loading import (
    FormDefinitionError,
    definition_to_data,
    definition_to_yaml,
    form_json_schema,
    load_definition,
    load_definition_file,
    load_shipped_definition,
    shipped_definition_data,
)
from sen_portal.forms.registry import REGISTRY, known_types
from sen_portal.forms.rendering import next_section_key, optional_label, previous_section_key, render_plan, steps
from sen_portal.forms.schema import FormDefinition, GroupField, Section
from sen_portal.forms.summary import display_value, summary_rows
from sen_portal.forms.validation import Errors, MissingLookupListError, clean, lookup_keys, validate

__all__ = [
    "REGISTRY",
    "Errors",
    "FormDefinition",
    "FormDefinitionError",
    "GroupField",
    "Lookups",
    "MissingLookupListError",
    "Section",
    "add_group_item",
    "clean",
    "definition_to_data",
    "definition_to_yaml",
    "display_value",
    "form_json_schema",
    "known_types",
    "load_definition",
    "load_definition_file",
    "load_shipped_definition",
    "lookup_keys",
    "lookup_problems",
    "next_section_key",
    "optional_label",
    "prefill",
    "previous_section_key",
    "remove_group_item",
    "render_plan",
    "set_answer",
    "shipped_definition_data",
    "steps",
    "summary_rows",
    "validate",
]
