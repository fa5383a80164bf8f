"""Identifiers with check characters: the Unique Pupil Number (UPN) and the NHS number.

UPN (DfE "Unique Pupil Number" data standard, as used by the school census):
13 characters; character 1 is a check letter, characters 2-13 are digits
(LA number, establishment number, year, serial). A *temporary* UPN has a letter
as character 13 instead of the last serial digit. The check letter is the sum
of each character times its position (2 to 13), modulo 23, written with the
alphabet A-Z without I, O and S (0 = A, 22 = Z); a temporary UPN's final letter
counts as its place in that same alphabet (A = 0 ... Z = 22), and is never I,
O or S. Worked example: B801200005001.

NHS number (NHS Data Dictionary): 10 digits; digits 1-9 are weighted 10 down to
2, summed, and the check digit is 11 minus the remainder on division by 11
(11 becomes 0; 10 means the number is not valid). Shown in 3-3-4 groups.
"""

from __future__ import annotations

import re
from typing import Any

from sen_portal.forms.field_models import NhsNumberField, UpnField
from sen_portal.forms.fields.common import FieldType, Invalid, as_text, message

UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S
UPN_EXAMPLE = "B801200005001"
NHS_EXAMPLE = "943 476 5919"  # the NHS's own example number: it passes the modulus 11 check
# [0-9], not \d: \d would also take other scripts' digits ("８"), which no UPN contains.
_UPN_PERMANENT = re.compile(r"[A-Z][0-9]{12}")
_UPN_TEMPORARY = re.compile(rf"[A-Z][0-9]{{11}}[{UPN_ALPHABET}]")
_SEPARATORS = re.compile(r"[\s\-]+")


def _compact(raw: Any) -> str:
    return _SEPARATORS.sub("", as_text(raw) or "").upper()[:40]


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (11 digits then a digit or a letter)."""
    if len(body) != 12:
        raise ValueError("a UPN has 12 characters after its check letter")
    total = 0
    for position, character in enumerate(body, start=2):
        value = int(character) if character.isdigit() else UPN_ALPHABET.index(character)
        total += position * value
    return UPN_ALPHABET[total % 23]


def upn_problem(raw: Any, *, allow_temporary: bool = True) -> str | None:
    """None for a valid UPN, else which rule it breaks: "format", "temporary" or "check_letter"."""
    upn = _compact(raw)
    temporary = bool(_UPN_TEMPORARY.fullmatch(upn))
    if not (_UPN_PERMANENT.fullmatch(upn) or temporary):
        return "format"
    if temporary and not allow_temporary:
        return "temporary"
    return None if upn[0] == upn_check_letter(upn[1:]) else "check_letter"


def _parse_upn(field: UpnField, raw: Any) -> str:
    problem = upn_problem(raw, allow_temporary=field.allow_temporary)
    if problem == "format":
        default = f"Enter a UPN in the correct format, like {UPN_EXAMPLE}"
        raise Invalid(message(field, "invalid", default))
    if problem == "temporary":
        raise Invalid(message(field, "temporary", "Enter the permanent UPN, not a temporary one"))
    if problem == "check_letter":
        default = "Check the UPN: the first letter does not match the numbers"
        raise Invalid(message(field, "check_letter", default))
    return _compact(raw)


UPN = FieldType(
    type="upn",
    parse=_parse_upn,
    message_keys=frozenset({"required", "invalid", "temporary", "check_letter"}),
)


def nhs_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no check digit can make them valid."""
    if len(first_nine) != 9 or not (first_nine.isascii() and first_nine.isdigit()):
        raise ValueError("an NHS number starts with 9 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid_nhs_number(raw: Any) -> bool:
    digits = _compact(raw)
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        return False
    if len(set(digits)) == 1:
        return False  # "0000000000" passes the sum but is never issued; it is a placeholder people type
    return nhs_check_digit(digits[:9]) == int(digits[9])


def format_nhs_number(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def _parse_nhs_number(field: NhsNumberField, raw: Any) -> str:
    digits = _compact(raw)
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        default = f"Enter an NHS number in the correct format, like {NHS_EXAMPLE}"
        raise Invalid(message(field, "invalid", default))
    if not is_valid_nhs_number(digits):
        default = "Enter a valid NHS number: check it has been copied correctly"
        raise Invalid(message(field, "check_digit", default))
    return format_nhs_number(digits)


NHS_NUMBER = FieldType(
    type="nhs_number",
    parse=_parse_nhs_number,
    message_keys=frozenset({"required", "invalid", "check_digit"}),
)
