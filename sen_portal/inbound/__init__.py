"""The one gate for inbound values (text, numbers, objects, event payloads); never imports reflex."""

from sen_portal.inbound.text import (
    CANNOT_STORE,
    TOO_LONG,
    InboundRefused,
    check_text,
    has_unstorable,
    make_sendable,
    text_error,
    tidy,
)
from sen_portal.inbound.values import is_finite_number, make_payload_safe, only_keys, payload_problem

__all__ = [
    "CANNOT_STORE",
    "TOO_LONG",
    "InboundRefused",
    "check_text",
    "has_unstorable",
    "is_finite_number",
    "make_payload_safe",
    "make_sendable",
    "only_keys",
    "payload_problem",
    "text_error",
    "tidy",
]
