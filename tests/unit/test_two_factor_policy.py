"""REQUIRE_TOTP_FOR_STAFF: who must set up an authenticator app."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sen_portal.config import settings_from_env
from sen_portal.models import UserAccount
from sen_portal.services.auth.two_factor_policy import must_set_up_authenticator

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("required", "role", "has_app", "expected"),
    [
        ("true", "caseworker", False, True),
        ("true", "admin", False, True),
        ("true", "caseworker", True, False),
        ("true", "professional", False, False),
        ("false", "admin", False, False),
    ],
)
def test_staff_need_an_app_only_when_the_setting_is_on(required: str, role: str, has_app: bool, expected: bool) -> None:
    settings = settings_from_env({"REQUIRE_TOTP_FOR_STAFF": required})
    user = UserAccount(
        email="x@council.example.gov.uk", role=role, totp_enabled_at=datetime.now(UTC) if has_app else None
    )
    assert must_set_up_authenticator(user, settings) is expected


def test_the_setting_is_off_by_default_and_refuses_nonsense() -> None:
    from sen_portal.config import SettingsError

    assert settings_from_env({}).require_totp_for_staff is False
    with pytest.raises(SettingsError, match="REQUIRE_TOTP_FOR_STAFF"):
        settings_from_env({"REQUIRE_TOTP_FOR_STAFF": "sometimes"})
