"""UK telephone numbers: accept what people type, store one readable national format.

Accepts spaces, hyphens, dots, brackets, a leading 0, or +44 / 0044 (with or
without the "(0)" people often keep). Stores the national format grouped the
way Ofcom numbers are written: "020 7946 0018", "0121 496 0000",
"01782 234567", "07700 900123", "0300 123 4567", "0800 123 456".
"""

from __future__ import annotations

import re
import unicodedata

ENTER_PHONE = "Enter your phone number"
PHONE_FORMAT = "Enter a UK phone number, like 01782 234567 or 07700 900123"

_SEPARATORS = re.compile(r"[\s\-.()/]+")
# 011x and 01x1 areas (Sheffield 0114, Birmingham 0121, Manchester 0161 ...) use 4-3-4.
_FOUR_DIGIT_AREA = re.compile(r"01(1\d|\d1)")


def _national_digits(raw: str) -> str | None:
    value = unicodedata.normalize("NFKC", raw).strip()  # full-width digits from some keyboards
    value = value.replace("(0)", "")  # "+44 (0)1782 ..." is common on letterheads
    value = _SEPARATORS.sub("", value)
    if value.startswith("+44"):
        value = "0" + value[3:]
    elif value.startswith("0044"):
        value = "0" + value[4:]
    if not value.isascii() or not value.isdigit():
        return None
    # 0 then a valid UK range: 1/2 geographic, 3 non-geographic, 5 corporate/VoIP, 7 mobile, 8/9 special.
    if not re.fullmatch(r"0[1235789]\d{8,9}", value):
        return None
    if len(value) == 10 and not value.startswith(("01", "0800")):
        return None  # only some 01 areas and some 0800 numbers have 10 digits
    return value


def _grouped(digits: str) -> str:
    if len(digits) == 10:  # short 01 areas (016977 xxxx) and some 0800 numbers
        return f"{digits[:5]} {digits[5:]}" if digits.startswith("01") else f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    if digits.startswith("02"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if _FOUR_DIGIT_AREA.match(digits) or digits[1] in "3589":
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return f"{digits[:5]} {digits[5:]}"  # 01xxx areas and 07 mobiles


def normalise_uk_phone(raw: str | None) -> str | None:
    """The number in national format, or None when it is not a plausible UK number."""
    digits = _national_digits(raw or "")
    return _grouped(digits) if digits else None


def phone_error(raw: str | None, *, required: bool = True, empty_message: str = ENTER_PHONE) -> str | None:
    """The GOV.UK error message for ``raw``, or None when acceptable (blank is fine when not required)."""
    if not (raw or "").strip():
        return empty_message if required else None
    return None if normalise_uk_phone(raw) else PHONE_FORMAT
