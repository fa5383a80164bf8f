"""Validation of each registration step, in the WTForms error shape ``{field: [message]}``.

The pages validate one step at a time; ``registration.register`` runs every step
again on submit, because a browser can call any event handler with anything.
Messages follow the GOV.UK Design System: specific, one per field.
"""

from __future__ import annotations

import re
import unicodedata

from sqlmodel import Session

from sen_portal.services import lookups
from sen_portal.services.email_text import name_error
from sen_portal.services.emails import email_error
from sen_portal.services.passwords import normalise as normalise_password
from sen_portal.services.passwords import password_errors
from sen_portal.services.phones import phone_error
from sen_portal.services.postcodes import postcode_error

Errors = dict[str, list[str]]

TITLES = ("Mr", "Mrs", "Miss", "Ms", "Mx", "Dr", "Prof")
ROLE_LIST = lookups.PROFESSIONAL_ROLE
OTHER_ROLE = "other"
MAX_UPRN = 12

CONFIRM_PASSWORD = "Confirm your password"  # noqa: S105 - an error message
PASSWORDS_DIFFER = "Passwords do not match"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES = re.compile(r"\s+")


def clean_text(value: str | None) -> str:
    """What we store for a free-text field: NFC, no control characters or line breaks, single spaces.

    Names end up in email bodies and CSV exports; a line break in one is never intended.
    """
    value = unicodedata.normalize("NFC", value or "")
    value = _CONTROL.sub(" ", value)
    return _SPACES.sub(" ", value).strip()


def _text(
    errors: Errors, field: str, value: str | None, *, label: str, max_length: int, required_message: str | None
) -> None:
    text = clean_text(value)
    if not text:
        if required_message:
            errors[field] = [required_message]
    elif len(text) > max_length:
        errors[field] = [f"{label} must be {max_length} characters or fewer"]


def validate_account_step(
    *,
    email: str,
    password: str | None,
    confirm_password: str | None,
    first_name: str = "",
    last_name: str = "",
) -> Errors:
    """Email and password. ``password=None`` checks the email only (the password was accepted and hashed earlier).

    Only the most important password message is returned (GOV.UK: one error per field).
    """
    errors: Errors = {}
    message = email_error(email)
    if message:
        errors["email"] = [message]
    if password is None:
        return errors
    problems = password_errors(password, context_words=[email, first_name, last_name])
    if problems:
        errors["password"] = problems[:1]
    elif not confirm_password:
        errors["confirm_password"] = [CONFIRM_PASSWORD]
    elif normalise_password(confirm_password) != normalise_password(password):
        errors["confirm_password"] = [PASSWORDS_DIFFER]
    return errors


def validate_personal_step(*, title: str, first_name: str, last_name: str, phone: str) -> Errors:
    """Title (optional, from ``TITLES``), first and last name, and a UK phone number."""
    errors: Errors = {}
    if clean_text(title) and clean_text(title) not in TITLES:
        errors["title"] = ["Select a title from the list"]
    _text(
        errors, "first_name", first_name, label="First name", max_length=100, required_message="Enter your first name"
    )
    _text(errors, "last_name", last_name, label="Last name", max_length=100, required_message="Enter your last name")
    # Names are greeted in emails ("Hello Sam,"): no addresses, no control characters inside.
    for field, value, label in (("first_name", first_name, "First name"), ("last_name", last_name, "Last name")):
        if field not in errors and (problem := name_error(value or "", label=label)):
            errors[field] = [problem]
    message = phone_error(phone)
    if message:
        errors["phone"] = [message]
    return errors


def validate_work_step(
    session: Session,
    *,
    professional_role: str,
    professional_role_other: str,
    organisation: str,
    job_title: str,
    work_phone: str,
    address_line1: str,
    address_line2: str,
    address_town: str,
    address_postcode: str,
    address_uprn: str = "",
) -> Errors:
    """Role (an active value of the professional_role list), organisation, job, work phone and address."""
    errors: Errors = {}
    role = (professional_role or "").strip()
    if not role:
        errors["professional_role"] = ["Select your professional role"]
    elif not lookups.is_active_value(session, ROLE_LIST, role):
        errors["professional_role"] = ["Select a professional role from the list"]
    elif role == OTHER_ROLE:
        _text(
            errors,
            "professional_role_other",
            professional_role_other,
            label="Professional role",
            max_length=100,
            required_message="Enter your professional role",
        )
    _text(
        errors,
        "organisation",
        organisation,
        label="Organisation",
        max_length=200,
        required_message="Enter the name of your organisation",
    )
    _text(errors, "job_title", job_title, label="Job title", max_length=100, required_message="Enter your job title")
    message = phone_error(work_phone, required=False)
    if message:
        errors["work_phone"] = [message]
    _text(
        errors,
        "address_line1",
        address_line1,
        label="Address line 1",
        max_length=200,
        required_message="Enter address line 1, typically the building and street",
    )
    _text(errors, "address_line2", address_line2, label="Address line 2", max_length=200, required_message=None)
    _text(
        errors,
        "address_town",
        address_town,
        label="Town or city",
        max_length=100,
        required_message="Enter town or city",
    )
    message = postcode_error(address_postcode)
    if message:
        errors["address_postcode"] = [message]
    uprn = (address_uprn or "").strip()
    if uprn and not (uprn.isascii() and uprn.isdigit() and len(uprn) <= MAX_UPRN):
        errors["address_uprn"] = ["Select an address from the list"]
    return errors
