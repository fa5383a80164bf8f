"""What every field type shares: the Invalid signal, error wording, contexts, text clean-up."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sen_portal.inbound import CANNOT_STORE, has_unstorable, tidy

# C0/C1 control characters other than tab and newline: PostgreSQL cannot store NUL in text or
# JSON, and the rest only ever arrive by accident (pasted from PDFs) or on purpose (log forging).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

Lookups = Mapping[str, Collection[str]]
"""Lookup list key -> its allowed values. A ``Mapping`` value -> label also works, and lets displays use labels."""


class Invalid(ValueError):
    """The answer cannot be read as its type; ``messages`` are shown to the user as they are."""

    def __init__(self, *messages: str) -> None:
        super().__init__(messages[0] if messages else "invalid")
        self.messages = list(messages)


@dataclass(frozen=True)
class CheckContext:
    """What rules need beyond the answer itself: today's date and the lookup lists' allowed values."""

    today: date
    lookups: Lookups = field(default_factory=dict)


@dataclass(frozen=True)
class DisplayContext:
    """Labels for lookup values and file names for document ids, when the caller has them."""

    lookups: Lookups = field(default_factory=dict)
    document_names: Mapping[str, str] = field(default_factory=dict)


def label_in_sentence(label: str) -> str:
    """The label as it reads mid-sentence: "Date of birth" -> "date of birth", "NHS number" stays."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def message(field: Any, key: str, default: str, **params: object) -> str:
    """The definition's own wording for ``key`` if it has one, else ``default``.

    Overrides may use ``{label}``, ``{label_lower}`` and the rule's parameters
    (e.g. ``{max}``); only those exact placeholders are replaced, so any other
    braces in a message are left alone.
    """
    template = (getattr(field, "messages", None) or {}).get(key, default)
    values: dict[str, object] = {"label": field.label, "label_lower": label_in_sentence(field.label), **params}
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


def as_text(raw: Any) -> str | None:
    """A str for str or number input (renderers send strings; stored answers may hold numbers), else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int | float):
        return str(raw)
    return None


def clean_line(raw: str) -> str:
    """One line of text: NFC, no control characters, runs of whitespace (newlines too) made one space."""
    # Control characters go before NFC: removing one later could bring a letter and a combining
    # accent together, and the stored text would no longer be normalised (clean() must be idempotent).
    # The inbound gate (tidy) also removes bidi controls and zero-width characters.
    return tidy(_CONTROL.sub("", raw))


def clean_paragraphs(raw: str) -> str:
    """Multi-line text: NFC, Unix line endings, no control or bidi characters, no surrounding blank space."""
    return tidy(_CONTROL.sub("", raw.replace("\r\n", "\n").replace("\r", "\n")), multiline=True)


def holds_unstorable(raw: Any, depth: int = 0) -> bool:
    """True when any text in ``raw`` (a string, or one inside a list/dict) has a character we cannot store."""
    if isinstance(raw, str):
        return has_unstorable(raw)
    if depth > 4:
        return False
    if isinstance(raw, dict):
        return any(holds_unstorable(v, depth + 1) for v in raw.values())
    if isinstance(raw, list | tuple):
        return any(holds_unstorable(v, depth + 1) for v in raw)
    return False


def cannot_store(field: Any) -> str:
    """'… contains characters we cannot store' for this field (the wording is not overridable)."""
    return CANNOT_STORE.format(label=field.label)


def is_blank(raw: Any) -> bool:
    """None, an empty or whitespace string, or an empty list/dict; the usual meaning of "not answered"."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple | dict):
        return len(raw) == 0
    return False


def input_text(raw: Any) -> str:
    """What a text input shows: the answer as a string, or "" for nothing / a non-text value."""
    text = as_text(raw)
    return text if text is not None else ""


def _no_rules(field: Any, value: Any, context: CheckContext) -> list[str]:
    return []


def _text_input(field: Any, raw: Any) -> Any:
    return input_text(raw)


def _no_lookup(field: Any) -> str | None:
    return None


@dataclass(frozen=True)
class FieldType:
    """How one field type reads, checks and shows its answer. See registry.py for the closed set.

    * ``parse(field, raw)`` -> the stored (normalised) value, or raises ``Invalid``. Context-free
      and idempotent: ``parse(parse(x)) == parse(x)``; ``clean()`` keeps only what parses.
    * ``check(field, value, context)`` -> messages for rules on a parsed value (ranges, dates
      relative to today, lookup membership, must_equal). ``validate()`` runs parse then check.
    * ``display(field, value, context)`` -> the value for people to read (check answers, staff).
    * ``to_input(field, raw)`` -> what the inputs show for a raw or stored answer.
    * ``lookup_checked(field)`` -> the lookup list ``check`` needs, so validate can ask for it.
    """

    type: str
    kind: str = "answer"  # "answer", "guidance" (no answer) or "group" (handled by the walker)
    parse: Callable[[Any, Any], Any] = lambda field, raw: raw
    check: Callable[[Any, Any, CheckContext], list[str]] = _no_rules
    display: Callable[[Any, Any, DisplayContext], str] = lambda field, value, context: str(value)
    to_input: Callable[[Any, Any], Any] = _text_input
    is_empty: Callable[[Any], bool] = is_blank
    required_default: str = "Enter {label_lower}"
    message_keys: frozenset[str] = frozenset({"required"})
    condition_target: bool = True
    lookup_checked: Callable[[Any], str | None] = _no_lookup
