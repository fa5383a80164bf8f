"""Sign-in and account email builders: pure, two parts, secrets in the body only, values escaped."""

from __future__ import annotations

import pytest

from sen_portal.email import account_emails
from sen_portal.email.builders import Branding

pytestmark = pytest.mark.unit

BRANDING = Branding(council_name="Stoke-on-Trent City Council", service_name="SEN Portal", public_url="https://p")


def test_the_login_code_is_in_both_bodies_but_not_the_subject() -> None:
    message = account_emails.login_code_email(
        to="a@school.org",
        first_name="Alice",
        code="042917",
        expires_in_minutes=10,
        reset_link="https://p/r",
        branding=BRANDING,
    )

    assert message.category == "login_code"
    assert "042917" in message.text and "042917" in message.html
    assert "042917" not in message.subject
    assert "expires in 10 minutes" in message.text


def test_names_are_escaped_in_html() -> None:
    message = account_emails.password_changed_email(
        to="a@school.org", first_name="<script>x</script>", reset_link="https://p/r", branding=BRANDING
    )

    assert "<script>x</script>" not in message.html
    assert "&lt;script&gt;" in message.html
    assert "<script>x</script>" in message.text


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        ("enabled", "has been set up"),
        ("disabled", "has been removed"),
        ("recovery_code_used", "2 unused recovery codes"),
    ],
)
def test_two_factor_notices(change: str, phrase: str) -> None:
    message = account_emails.two_factor_email(
        to="a@school.org", first_name="A", change=change, remaining_codes=2, reset_link="https://p/r", branding=BRANDING
    )

    assert phrase in message.text and phrase in message.html
    assert message.category == f"two_factor_{change}"


def test_an_unknown_two_factor_change_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        account_emails.two_factor_email(
            to="a", first_name="A", change="other", remaining_codes=0, reset_link="r", branding=BRANDING
        )
