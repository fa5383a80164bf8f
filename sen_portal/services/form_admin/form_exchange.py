"""Moving form definitions between portals (test -> live): YAML export and import.

An import is checked exactly as shipped definitions are: the engine's YAML reader
(no aliases, no duplicate keys, only true/false as booleans) and its loader, whose
pydantic models are what ``export-form-schema`` publishes as JSON Schema. The
definition then becomes its form's draft (a new form when the key is new), to be
previewed and published like any other change.
"""

from __future__ import annotations

import yaml
from sqlmodel import Session

from sen_portal.forms import FormDefinitionError, load_definition
from sen_portal.forms.loading import parse_definition_text, schema_problems
from sen_portal.models import FormVersion
from sen_portal.services.form_admin.form_designer import (
    Actor,
    Data,
    DesignRefused,
    edit_draft,
    new_draft,
    open_draft,
    prefix_errors,
    version_of,
    versions_of,
)
from sen_portal.services.platform.clock import Clock, system_clock


def export_yaml(session: Session, *, form_key: str, number: int) -> str:
    version = version_of(session, form_key, number)
    return yaml.safe_dump(version.definition, sort_keys=False, allow_unicode=True, width=120)


def import_yaml(session: Session, *, text: str, actor: Actor, clock: Clock = system_clock) -> FormVersion:
    """A definition from another portal becomes the draft of its form; refused with the loader's problems."""
    try:
        data: Data = parse_definition_text(text)
        # The loader first (its messages name the question and suggest fixes), then the published
        # JSON Schema, the contract other portals' definitions and editors are written to.
        definition = load_definition(data)
        if against_schema := schema_problems(data):
            raise FormDefinitionError(against_schema)
    except FormDefinitionError as error:
        raise DesignRefused({"definition": list(error.problems)}) from None
    if wrong_prefix := prefix_errors(session, definition.key, definition.reference_prefix):
        raise DesignRefused({"definition": wrong_prefix})
    versions = versions_of(session, definition.key)
    if not versions:
        return new_draft(session, definition.key, 1, data, actor, "imported", clock)
    open_draft(session, form_key=definition.key, actor=actor, clock=clock)
    version, _problems = edit_draft(
        session, form_key=definition.key, change="imported", apply=lambda _old: dict(data), actor=actor, clock=clock
    )
    return version
