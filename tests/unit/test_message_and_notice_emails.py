"""Pure builders and helpers for portal messages and maintenance notices."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

import pytest

from sen_portal.config import settings_from_env
from sen_portal.email.builders import Branding
from sen_portal.email.message_emails import message_waiting_email
from sen_portal.email.notice_emails import local_time, maintenance_notice_email
from sen_portal.services.accounts import unsubscribe
from sen_portal.services.notices.maintenance import parse_uk_time

pytestmark = pytest.mark.unit

BRANDING = Branding(council_name="Test Council", service_name="SEN Portal", public_url="https://p.example")


def test_the_message_alert_cannot_carry_the_message_or_the_child() -> None:
    # What the builder is not given it cannot leak.
    assert set(inspect.signature(message_waiting_email).parameters) == {"to", "reference", "link", "branding"}
    mail = message_waiting_email(
        to="a@b.example", reference="EHC-2026-000001", link="https://p.example/messages/thread?id=x", branding=BRANDING
    )
    assert "EHC-2026-000001" in mail.text and "https://p.example/messages/thread?id=x" in mail.text
    assert "https://p.example/messages/thread?id=x" in mail.html
    assert mail.headers == {}


def test_the_notice_email_has_rfc_8058_headers_and_escapes_the_text() -> None:
    mail = maintenance_notice_email(
        to="a@b.example",
        title="Upgrade <b>now</b>",
        body="Line one\nLine <script>two</script>",
        starts_at=datetime(2026, 7, 1, 17, 0, tzinfo=UTC),
        ends_at=datetime(2026, 7, 1, 19, 0, tzinfo=UTC),
        pause_sign_in=True,
        unsubscribe_link="https://p.example/unsubscribe?token=t",
        one_click_link="https://p.example/api/unsubscribe?token=t",
        branding=BRANDING,
    )
    assert mail.headers == {
        "List-Unsubscribe": "<https://p.example/api/unsubscribe?token=t>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert "1 July 2026 at 18:00 BST" in mail.text and "20:00 BST" in mail.text
    assert "not be able to sign in" in mail.text
    assert "https://p.example/unsubscribe?token=t" in mail.text
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html


def test_times_are_uk_local_both_ways() -> None:
    assert local_time(datetime(2026, 1, 10, 9, 30, tzinfo=UTC)) == "10 January 2026 at 09:30 GMT"
    assert parse_uk_time("2026-07-01T18:00") == datetime(2026, 7, 1, 17, 0, tzinfo=UTC)  # BST
    assert parse_uk_time("2026-01-10T09:30") == datetime(2026, 1, 10, 9, 30, tzinfo=UTC)  # GMT
    for bad in ("", "tomorrow", "2026-13-01T10:00", "2026-07-01T18:00+02:00"):
        assert parse_uk_time(bad) is None


def test_unsubscribe_tokens_are_bound_to_the_user_and_the_key() -> None:
    settings = settings_from_env({"PUBLIC_URL": "https://p.example", "SECRET_KEY": "k" * 48})
    other_key = settings_from_env({"PUBLIC_URL": "https://p.example", "SECRET_KEY": "z" * 48})
    token = unsubscribe.token_for(settings, user_id=42)
    assert unsubscribe.user_id_from(settings, token) == 42
    assert unsubscribe.user_id_from(other_key, token) is None
    assert unsubscribe.user_id_from(settings, "43." + token.split(".")[1]) is None
    assert unsubscribe.user_id_from(settings, token.upper()) is None
