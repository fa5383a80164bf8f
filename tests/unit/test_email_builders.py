"""Email builders are pure: data in, a two-part message out, with HTML escaping."""

from __future__ import annotations

import inspect
from datetime import date

import pytest

# Imported as a module: a bare ``test_email`` name would be collected by pytest as a test.
from sen_portal.email import builders
from sen_portal.email.builders import Branding, render
from sen_portal.email.referral_emails import draft_deletion_warning_email

pytestmark = pytest.mark.unit

BRANDING = Branding(
    council_name="Stoke-on-Trent City Council", service_name="SEN Professional Portal", public_url="http://localhost"
)


def test_test_email_has_a_text_and_an_html_part() -> None:
    message = builders.test_email(to="officer@example.gov.uk", branding=BRANDING)

    assert message.to == "officer@example.gov.uk"
    assert message.subject == "Test email from the SEN Professional Portal"
    assert message.category == "test"
    assert "the SEN Professional Portal can send email" in message.text
    assert "Stoke-on-Trent City Council" in message.text
    assert "<html" not in message.text
    assert message.html.lstrip().startswith("<!DOCTYPE html>")
    assert "<h1" in message.html and "Test email</h1>" in message.html
    assert "the SEN Professional Portal can send email" in message.html
    assert "<title>Test email from the SEN Professional Portal</title>" in message.html


def test_html_part_escapes_values_and_text_part_keeps_them_verbatim() -> None:
    hostile = Branding(
        council_name='Smith & Jones <script>alert("x")</script>',
        service_name="<b>Portal</b>",
        public_url="http://localhost",
    )

    message = render(
        "test_email",
        to="a@example.org",
        subject="<script>steal()</script>",
        category="test",
        branding=hostile,
    )

    assert "<script>" not in message.html
    assert "<b>Portal</b>" not in message.html
    assert "&lt;script&gt;steal()&lt;/script&gt;" in message.html
    assert "Smith &amp; Jones &lt;script&gt;" in message.html
    assert "&lt;b&gt;Portal&lt;/b&gt;" in message.html
    # Plain text is not HTML: entities there would show up literally in the reader's mail client.
    assert 'Smith & Jones <script>alert("x")</script>' in message.text
    assert "&lt;" not in message.text and "&amp;" not in message.text


def test_builders_are_pure_and_repeatable() -> None:
    assert builders.test_email(to="a@example.org", branding=BRANDING) == builders.test_email(
        to="a@example.org", branding=BRANDING
    )


def test_draft_deletion_warning_says_the_date_and_how_to_keep_it_and_takes_no_child_data() -> None:
    message = draft_deletion_warning_email(
        to="senco@school.example.org", delete_on=date(2026, 8, 9), link="http://localhost/requests", branding=BRANDING
    )

    assert message.subject == "Your draft request will be deleted on 9 August 2026"
    assert message.category == "draft_deletion_warning"
    for part in (message.text, message.html):
        assert "9 August 2026" in part and "http://localhost/requests" in part
        assert "unless you sign in and continue it" in part
    # What it is not given it cannot leak: no parameter could carry a child, an answer or a reference.
    assert set(inspect.signature(draft_deletion_warning_email).parameters) == {"to", "delete_on", "link", "branding"}
