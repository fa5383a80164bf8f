"""Email addresses: validate, normalise, mask. No network (no DNS deliverability check).

Addresses are stored **entirely lower-cased**. RFC 5321 lets a mail server treat the
local part as case-sensitive, but no mainstream provider does, and people type
"Alice.Smith@" one day and "alice.smith@" the next. One canonical form keeps the
unique constraint meaningful (no two accounts differing only in case) and makes
look-ups a plain indexed equality on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254

ENTER_EMAIL = "Enter your email address"
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"
EMAIL_TOO_LONG = f"Email address must be {MAX_LENGTH} characters or fewer"
MASK = "•••"


def _validated(raw: str) -> str | None:
    try:
        # allow_smtputf8=False: a non-ASCII local part cannot be relied on through SMTP relays and
        # SendGrid; international domain names are accepted and kept in their ASCII (punycode) form.
        result = validate_email(raw, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return None
    return (result.ascii_email or result.normalized).lower()


def normalise_email(raw: str | None) -> str | None:
    """The canonical stored form (whole address lower-cased), or None when it is not a valid address."""
    value = (raw or "").strip()
    if not value or len(value) > MAX_LENGTH:
        return None
    return _validated(value)


def email_error(raw: str | None) -> str | None:
    """The GOV.UK error message for ``raw``, or None when it is a valid address."""
    value = (raw or "").strip()
    if not value:
        return ENTER_EMAIL
    if len(value) > MAX_LENGTH:
        return EMAIL_TOO_LONG
    return None if _validated(value) else EMAIL_FORMAT


def mask_email(address: str) -> str:
    """Mask the local part: "alice@school.org" -> "a•••@school.org"; enough for the owner to recognise, little for anyone else."""
    local, at, domain = (address or "").strip().rpartition("@")
    if not at or not local or not domain:
        return MASK
    return f"{local[0]}{MASK}@{domain}"
