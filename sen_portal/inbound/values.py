"""Numbers and objects from outside: finite numbers, objects with only their defined keys.

Also ``make_payload_safe`` / ``payload_problem``, what the event layer applies to every
argument of every handler before it runs (see ``sen_portal.state.payload_gate``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any

from sen_portal.inbound.text import make_sendable

# Deeper than any form answer (a group of addresses is 3 levels); refusing early keeps a
# hand-made 10,000-level list from reaching recursive code.
MAX_DEPTH = 12
# No single typed value on any page is anywhere near this; the form engine's own caps are lower.
MAX_STRING = 100_000


def is_finite_number(value: Any) -> bool:
    """An int or a finite float (never a bool): NaN and Infinity are not JSON and not answers."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def only_keys(value: Any, keys: Collection[str]) -> dict[str, Any]:
    """A plain dict with just ``keys`` (those present): ``__proto__`` and friends never reach storage."""
    if not isinstance(value, Mapping):
        return {}
    return {key: value[key] for key in keys if key in value}


def make_payload_safe(value: Any) -> Any:
    """Every string (and dict key) with lone surrogates and NUL replaced by U+FFFD, recursively.

    Such a string in a tab's state breaks every later update of that tab (UTF-8 cannot
    encode it); replacing it before a handler runs means no handler can store one, and the
    field gate then reports "contains characters we cannot store" beside the field.
    """
    if isinstance(value, str):
        return make_sendable(value)
    if isinstance(value, list | tuple):
        return [make_payload_safe(item) for item in value]
    if isinstance(value, dict):
        return {make_payload_safe(k) if isinstance(k, str) else k: make_payload_safe(v) for k, v in value.items()}
    return value


def payload_problem(value: Any, depth: int = 0) -> str | None:
    """Why a payload value cannot be handled at all (for a log line), or None.

    Non-finite numbers, nesting beyond ``MAX_DEPTH`` and strings beyond ``MAX_STRING``.
    """
    if depth > MAX_DEPTH:
        return "nested too deeply"
    if isinstance(value, float) and not math.isfinite(value):
        return "a number that is not finite"
    if isinstance(value, str) and len(value) > MAX_STRING:
        return f"a string of {len(value)} characters"
    if isinstance(value, list | tuple):
        items: Any = value
    elif isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    else:
        return None
    for item in items:
        problem = payload_problem(item, depth + 1)
        if problem:
            return problem
    return None
