"""Postcode normalising and the GOV.UK-style error messages."""

from __future__ import annotations

import pytest

from sen_portal.inbound.postcodes import normalise_postcode, postcode_error

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ST4 1HH", "ST4 1HH"),
        ("st4 1hh", "ST4 1HH"),
        (" st41hh ", "ST4 1HH"),
        ("ST41HH", "ST4 1HH"),
        ("St4   1Hh", "ST4 1HH"),
        ("\tST1 1AA\n", "ST1 1AA"),
        ("S T 4 1 H H", "ST4 1HH"),
        ("st4\u00a01hh", "ST4 1HH"),  # a non-breaking space pasted from a web page
        ("  ST4 1HH" + " " * 30, "ST4 1HH"),  # padding from a copied spreadsheet cell
        ("M1 1AE", "M1 1AE"),  # A9
        ("B33 8TH", "B33 8TH"),  # A99
        ("CR2 6XH", "CR2 6XH"),  # AA9
        ("DN55 1PT", "DN55 1PT"),  # AA99
        ("W1A 0AX", "W1A 0AX"),  # A9A
        ("EC1A 1BB", "EC1A 1BB"),  # AA9A
        ("sw1a2aa", "SW1A 2AA"),
        ("GIR 0AA", "GIR 0AA"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_valid_postcodes_are_normalised(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "ST4",  # outward code only
        "1HH",
        "ST4 1H",
        "ST4 1HHH",
        "ST4 HH1",
        "STT4 1HH",  # three letters
        "ST444 1HH",
        "QT4 1HH",  # Q never starts a postcode
        "SJ4 1HH",  # J never second
        "ST4 1CI",  # C and I never in the inward code
        "ST4 1HV",
        "W1I 0AX",  # I is not allowed after A9
        "EC1Z 1BB",  # Z is not allowed after AA9
        "ST4-1HH",
        "ST4 1HH!",
        "12345",
        "not a postcode",
        "ＳＴ４ １ＨＨ",  # full-width characters
        "ST4 1HH" + "H" * 200,  # absurdly long input is refused outright
        "GIR 0AB",
    ],
)
def test_invalid_postcodes_are_refused(raw: str) -> None:
    assert normalise_postcode(raw) is None


def test_none_is_not_a_postcode() -> None:
    assert normalise_postcode(None) is None


@pytest.mark.parametrize(
    ("raw", "message"), [("", "Enter a postcode"), ("  ", "Enter a postcode"), (None, "Enter a postcode")]
)
def test_blank_postcode_asks_for_one(raw: str | None, message: str) -> None:
    assert postcode_error(raw) == message


@pytest.mark.parametrize("raw", ["ST4", "hello", "ST4 1CI", "99 9ZZ"])
def test_malformed_postcode_asks_for_a_real_one(raw: str) -> None:
    assert postcode_error(raw) == "Enter a real postcode, like ST4 1HH"


@pytest.mark.parametrize("raw", ["ST4 1HH", "st41hh", " ST1 1AA "])
def test_valid_postcode_has_no_error(raw: str) -> None:
    assert postcode_error(raw) is None
