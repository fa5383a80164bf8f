"""Route constants and small URL builders: one place for every path."""

from __future__ import annotations

from urllib.parse import urlencode

from sen_portal.config import Settings

HOME = "/"
REGISTER = "/register"
REGISTER_ACCOUNT = "/register/account"
REGISTER_WORK = "/register/work"
REGISTER_CHECK = "/register/check"
REGISTER_CHECK_EMAIL = "/register/check-email"
VERIFY_EMAIL = "/verify-email"
SIGN_IN = "/sign-in"
FORGOTTEN_PASSWORD = "/forgotten-password"
RESET_PASSWORD = "/reset-password"
CONFIRM_EMAIL_CHANGE = "/confirm-email-change"
DASHBOARD = "/dashboard"
SIGNED_OUT = "/signed-out"
SIGN_IN_CODE = "/sign-in/code"
# Account settings (signed in)
ACCOUNT = "/account"
ACCOUNT_DETAILS = "/account/details"
ACCOUNT_PASSWORD = "/account/password"
ACCOUNT_EMAIL = "/account/email"
ACCOUNT_MAINTENANCE = "/account/maintenance"
ACCOUNT_AUTHENTICATOR = "/account/authenticator"
# Referral pages take ?id=<public id>[&section=<key>]: query parameters keep one static route per page.
MY_REFERRALS = "/requests"
NEW_REFERRAL = "/requests/new"
REFERRAL_SECTION = "/requests/section"
REFERRAL_CHECK = "/requests/check"
REFERRAL_CONFIRMATION = "/requests/sent"
REFERRAL_VIEW = "/requests/view"
DOCUMENT_DOWNLOAD = "/documents/{public_id}"
ACCESSIBILITY = "/accessibility"
PRIVACY = "/privacy"
CONTACT = "/contact"
HEALTH = "/health"
DEV_MAILBOX = "/dev/mailbox"
# Staff: account vetting and disabling
STAFF_ACCOUNTS = "/staff/accounts"
# Council staff (caseworker or admin); the referral page takes ?id=<public id>
STAFF_INBOX = "/staff"
STAFF_REFERRAL = "/staff/referral"
STAFF_AUDIT = "/staff/audit"
STAFF_INBOX_CSV = "/api/staff/inbox.csv"
# Portal messages (?id=<referral public id>) and maintenance notices
MESSAGES = "/messages"
MESSAGE_THREAD = "/messages/thread"
STAFF_NOTICES = "/staff/notices"
UNSUBSCRIBE = "/unsubscribe"
UNSUBSCRIBE_ONE_CLICK = "/api/unsubscribe"  # RFC 8058 POST target (List-Unsubscribe header)
# Form designer and lookup lists (admins only); forms are addressed by ?key=<form key>.
STAFF_FORMS = "/staff/forms"
STAFF_FORM_EDIT = "/staff/forms/edit"
STAFF_FORM_ITEM = "/staff/forms/item"
STAFF_FORM_PREVIEW = "/staff/forms/preview"
STAFF_FORM_PUBLISH = "/staff/forms/publish"
STAFF_LOOKUPS = "/staff/lookups"


def absolute_url(settings: Settings, path: str, **query: str) -> str:
    """A link for emails: the public URL, the path and an encoded query."""
    url = settings.public_url.rstrip("/") + path
    return f"{url}?{urlencode(query)}" if query else url


def document_path(public_id: str) -> str:
    """Where a stored document downloads from (owner and staff only: api/documents.py checks)."""
    return DOCUMENT_DOWNLOAD.format(public_id=public_id)


def message_thread_path(referral_public_id: str) -> str:
    """The conversation about a referral (for links from the staff referral page and emails)."""
    return f"{MESSAGE_THREAD}?{urlencode({'id': referral_public_id})}"


# Where a form submits natively if the page had not finished loading (components/post_form.py).
FORM_NOT_SENT = "/form-not-sent"
