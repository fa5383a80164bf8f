"""Who must use an authenticator app (beyond the emailed code)."""

from __future__ import annotations

from sen_portal.config import Settings
from sen_portal.models import UserAccount
from sen_portal.models.accounts import STAFF_ROLES


def must_set_up_authenticator(user: UserAccount, settings: Settings) -> bool:
    """Staff accounts need an app when ``REQUIRE_TOTP_FOR_STAFF`` is on and they have not set one up."""
    return settings.require_totp_for_staff and user.role in STAFF_ROLES and user.totp_enabled_at is None
