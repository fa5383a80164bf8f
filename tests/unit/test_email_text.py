"""What may not reach an email: addresses in names, line breaks in header text."""

from __future__ import annotations

import pytest

from sen_portal.services.email_text import header_text_error, holds_address, name_error
from sen_portal.services.registration_steps import validate_personal_step

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text",
    [
        "https://evil.example/x", "Visit www.evil-site.net", "evil.example.com", "bit.ly/abc", "Sam portal.co.uk",
        "ftp://x", "Sam mallory@evil.org", "javascript://alert", "HTTP://SHOUT.EXAMPLE",
    ],
)  # fmt: skip
def test_addresses_are_recognised(text: str) -> None:
    assert holds_address(text)


@pytest.mark.parametrize(
    "name",
    ["Sam", "Mary-Jane", "O'Brien", "Zoë", "J. R. R.", "St. John", "de la Cruz", "Nguyễn", "Ng’ang’a", "Dr.Who"],
)
def test_real_names_pass(name: str) -> None:
    assert name_error(name, label="First name") is None


def test_names_with_addresses_or_control_characters_get_specific_errors() -> None:
    assert validate_personal_step(title="", first_name="Visit evil.example.com", last_name="Jones", phone="") == {
        "first_name": ["First name must not contain a web address or email address"]
    } | validate_personal_step(title="", first_name="Sam", last_name="Jones", phone="")
    errors = validate_personal_step(title="", first_name="Sam", last_name="Jones\r\nBcc: x@y.org", phone="")
    assert errors["last_name"] == ["Last name must not contain line breaks or special control characters"]
    errors = validate_personal_step(title="", first_name="Sam\r\n", last_name="Jo\x07nes", phone="")
    assert "first_name" not in errors  # a pasted line end is trimmed, not an error
    assert errors["last_name"] == ["Last name must not contain line breaks or special control characters"]


def test_header_text_must_be_one_line() -> None:
    assert header_text_error("Portal down\r\nBcc: everyone@x.org", label="Title") == "Title must be on one line"
    assert header_text_error("Portal down\n", label="Title") is None  # trimmed at the ends
    assert header_text_error("Portal down on Saturday", label="Title") is None
