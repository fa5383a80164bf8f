"""Registration step validators that need no database, and the registration emails."""

from __future__ import annotations

import pytest

from sen_portal.email.builders import Branding, already_registered_email, verification_email
from sen_portal.services.registration_steps import (
    CONFIRM_PASSWORD,
    PASSWORDS_DIFFER,
    clean_text,
    validate_account_step,
    validate_personal_step,
)

pytestmark = pytest.mark.unit

GOOD = "correct horse battery staple"
BRANDING = Branding(council_name="Stoke-on-Trent City Council", service_name="SEN Professional Portal", public_url="x")


def account(**changes: object) -> dict[str, list[str]]:
    values: dict = {"email": "alice@school.org", "password": GOOD, "confirm_password": GOOD}
    values.update(changes)
    return validate_account_step(**values)


def test_a_good_account_step_has_no_errors() -> None:
    assert account() == {}


def test_account_step_reports_each_field() -> None:
    errors = account(email="alice@", password="short")
    assert errors == {
        "email": ["Enter an email address in the correct format, like name@example.com"],
        "password": ["Password must be 12 characters or more"],
    }


def test_only_the_most_important_password_message_is_shown() -> None:
    assert account(password="alice", confirm_password="alice")["password"] == ["Password must be 12 characters or more"]


def test_password_must_not_contain_the_names_given() -> None:
    errors = account(password="okafor rides the bus", confirm_password="okafor rides the bus", last_name="Okafor")
    assert errors == {"password": ["Password must not contain your name or email address"]}


def test_confirmation_is_required_and_must_match() -> None:
    assert account(confirm_password="") == {"confirm_password": [CONFIRM_PASSWORD]}
    assert account(confirm_password=GOOD + "x") == {"confirm_password": [PASSWORDS_DIFFER]}
    # Compared after NFKC, like the hash.
    assert account(password="ﬁrst tram home", confirm_password="first tram home") == {}


def test_password_none_checks_only_the_email() -> None:
    assert validate_account_step(email="alice@school.org", password=None, confirm_password=None) == {}
    assert "email" in validate_account_step(email="", password=None, confirm_password=None)


def personal(**changes: str) -> dict[str, list[str]]:
    values = {"title": "Dr", "first_name": "Alice", "last_name": "Okafor", "phone": "07700 900123"}
    values.update(changes)
    return validate_personal_step(**values)


def test_a_good_personal_step_has_no_errors() -> None:
    assert personal() == {}
    assert personal(title="") == {}  # title is optional


def test_personal_step_messages() -> None:
    assert personal(title="Lord", first_name=" ", last_name="", phone="") == {
        "title": ["Select a title from the list"],
        "first_name": ["Enter your first name"],
        "last_name": ["Enter your last name"],
        "phone": ["Enter your phone number"],
    }
    assert personal(first_name="x" * 101) == {"first_name": ["First name must be 100 characters or fewer"]}
    assert personal(first_name="x" * 100) == {}
    assert personal(phone="12345") == {"phone": ["Enter a UK phone number, like 01782 234567 or 07700 900123"]}


def test_clean_text_removes_line_breaks_and_extra_spaces() -> None:
    assert clean_text("  Alice\r\nBcc: evil@x.org\t ") == "Alice Bcc: evil@x.org"
    assert clean_text("Mary\u2028Jane") == "Mary Jane"
    assert clean_text(None) == ""


def test_verification_email_carries_the_link_and_expiry() -> None:
    link = "https://portal.example.gov.uk/verify-email?token=abc"
    message = verification_email(to="alice@school.org", link=link, branding=BRANDING)
    assert message.to == "alice@school.org"
    assert message.category == "verify_email"
    assert message.subject == "Confirm your email address for the SEN Professional Portal"
    for body in (message.text, message.html):
        assert link in body
        assert "Hello," in body
        assert "48 hours" in body


def test_verification_email_does_not_echo_the_name_at_all() -> None:
    # Anyone can register any address: a name echoed to it is a sentence of theirs in our email.
    with pytest.raises(TypeError):
        verification_email(to="a@b.org", first_name="Visit evil.example", link="https://p/v?t=a", branding=BRANDING)  # type: ignore[call-arg]
    message = verification_email(to="a@b.org", link="https://p/verify-email?token=a&b=c", branding=BRANDING)
    assert "token=a&amp;b=c" in message.html


def test_already_registered_email_offers_sign_in_and_reset() -> None:
    message = already_registered_email(
        to="alice@school.org",
        sign_in_link="https://portal.example.gov.uk/sign-in",
        reset_link="https://portal.example.gov.uk/forgotten-password",
        branding=BRANDING,
    )
    assert message.category == "already_registered"
    assert message.subject == "You already have an account for the SEN Professional Portal"
    for body in (message.text, message.html):
        assert "https://portal.example.gov.uk/sign-in" in body
        assert "https://portal.example.gov.uk/forgotten-password" in body
        assert "verify-email" not in body
