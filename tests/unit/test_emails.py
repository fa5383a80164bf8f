"""Email address validation, normalisation and masking."""

from __future__ import annotations

import pytest

from sen_portal.inbound.emails import EMAIL_FORMAT, ENTER_EMAIL, email_error, mask_email, normalise_email

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("alice@school.org", "alice@school.org"),
        ("  Alice.Smith@School.ORG ", "alice.smith@school.org"),
        ("SENCO+portal@Academy.Sch.UK", "senco+portal@academy.sch.uk"),
        ("a@bücher.de", "a@xn--bcher-kva.de"),  # international domains stored in ASCII form
    ],
)
def test_valid_addresses_are_stored_lower_case(raw: str, stored: str) -> None:
    assert normalise_email(raw) == stored
    assert email_error(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "alice",
        "alice@",
        "@school.org",
        "alice@school",
        "alice@@school.org",
        "a b@school.org",
        "é@school.org",
        "x@localhost",
    ],
)
def test_invalid_addresses_get_the_format_message(raw: str) -> None:
    assert normalise_email(raw) is None
    assert email_error(raw) == EMAIL_FORMAT


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_empty_addresses_ask_for_one(raw: str | None) -> None:
    assert normalise_email(raw) is None
    assert email_error(raw) == ENTER_EMAIL
    assert ENTER_EMAIL == "Enter your email address"
    assert EMAIL_FORMAT == "Enter an email address in the correct format, like name@example.com"


def test_over_long_addresses_are_refused_before_parsing() -> None:
    raw = "a" * 250 + "@school.org"
    assert normalise_email(raw) is None
    assert email_error(raw) == "Email address must be 254 characters or fewer"


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("alice@school.org", "a•••@school.org"),
        ("a@school.org", "a•••@school.org"),
        ("Bob.Jones@nhs.net", "B•••@nhs.net"),
        ("not-an-address", "•••"),
        ("", "•••"),
    ],
)
def test_mask_email(address: str, masked: str) -> None:
    assert mask_email(address) == masked
