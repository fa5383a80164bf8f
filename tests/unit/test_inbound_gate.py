"""The inbound gate: what is refused, removed, normalised and length-checked (issue 20 item 1)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sen_portal.inbound import (
    InboundRefused,
    check_text,
    has_unstorable,
    is_finite_number,
    make_payload_safe,
    only_keys,
    payload_problem,
    text_error,
    tidy,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("bad", ["A\ud800B", "a\x00b", "a\x07b", "a\x1bb", "a\x85b", "a\ufffdb", "\udfff"])
def test_unstorable_characters_are_refused_with_the_field_label(bad: str) -> None:
    with pytest.raises(InboundRefused) as refused:
        check_text(bad, label="First name")
    assert refused.value.message == "First name contains characters we cannot store"


def test_tab_and_line_breaks_are_white_space_not_refused() -> None:
    assert check_text("a\tb\r\nc", label="Name") == "a b c"
    assert check_text("one\r\ntwo\rthree", label="Notes", multiline=True) == "one\ntwo\nthree"


def test_bidi_controls_are_removed_so_text_reads_as_stored() -> None:
    assert check_text("Sam\u202eelpmaxe\u202c", label="Name") == "Samelpmaxe"
    assert check_text("\u2067Ali\u2069 \u200fKhan", label="Name") == "Ali Khan"


def test_a_value_of_zero_width_characters_is_empty() -> None:
    assert check_text("\u200b\u200b\u2060\ufeff", label="Name") == ""
    assert check_text(" \u200d \u200c ", label="Name") == ""


def test_joiners_between_letters_stay() -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ inside a Persian word
    assert check_text(persian, label="Name") == persian


def test_text_is_nfc_normalised() -> None:
    assert check_text("Zoe\u0308", label="Name") == "Zo\u00eb"


def test_length_is_checked_on_the_whole_value_never_cut() -> None:
    with pytest.raises(InboundRefused) as refused:
        check_text("x" * 101, label="Last name", max_length=100)
    assert refused.value.message == "Last name must be 100 characters or fewer"
    assert check_text("x" * 100, label="Last name", max_length=100) == "x" * 100
    assert text_error("x" * 101, label="Search", max_length=100) == "Search must be 100 characters or fewer"


@given(st.text())
def test_tidy_is_idempotent_and_its_output_is_always_storable_utf8(value: str) -> None:
    if has_unstorable(value):
        return
    once = tidy(value)
    assert tidy(once) == once
    once.encode("utf-8")
    paragraphs = tidy(value, multiline=True)
    assert tidy(paragraphs, multiline=True) == paragraphs


@given(st.recursive(st.text() | st.floats(allow_nan=False, allow_infinity=False), lambda inner: st.lists(inner)))
def test_a_safe_payload_always_encodes_as_utf8_json(value: object) -> None:
    json.dumps(make_payload_safe(value), ensure_ascii=False).encode("utf-8")


def test_payload_safe_replaces_lone_surrogates_and_nul_in_keys_and_values() -> None:
    assert make_payload_safe({"a\ud800": ["b\x00", {"c": "\udc00"}]}) == {"a\ufffd": ["b\ufffd", {"c": "\ufffd"}]}
    assert make_payload_safe("tab\tnew\nline") == "tab\tnew\nline"


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, [1, {"x": math.nan}], "y" * 100_001])
def test_payload_problems_are_named(bad: object) -> None:
    assert payload_problem(bad)


def test_deep_nesting_is_a_payload_problem() -> None:
    value: list = []
    for _ in range(20):
        value = [value]
    assert payload_problem(value) == "nested too deeply"
    assert payload_problem({"a": [1, 2.5, "x", None, True]}) is None


def test_numbers_must_be_finite_and_not_bools() -> None:
    assert is_finite_number(3) and is_finite_number(2.5)
    assert not any(is_finite_number(v) for v in (math.nan, math.inf, True, "3", None))


def test_objects_keep_only_their_defined_keys() -> None:
    given_value = {"line1": "1 High St", "__proto__": {"admin": True}, "constructor": "x"}
    assert only_keys(given_value, ("line1", "town")) == {"line1": "1 High St"}
    assert only_keys(["line1"], ("line1",)) == {}


def test_every_websocket_packet_encodes_as_utf8_even_with_a_lone_surrogate() -> None:
    """Defence in depth for the tab loop: the app's Socket.IO packets are always sendable."""
    from socketio.packet import Packet

    from sen_portal.sen_portal import app

    assert app.sio is not None
    encoded = Packet(data=["event", {"delta": {"state": {"search": "A\ud800B", "name": "Zoë"}}}]).encode()
    encoded.encode("utf-8")
    assert "\\ud800" in encoded and "Zoë" in encoded  # escaped only where it must be
    assert json.loads(encoded[1:])[1]["delta"]["state"]["search"] == "A\ud800B"
