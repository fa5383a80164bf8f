"""UK postcodes: check the shape, store one canonical form.

People type postcodes in every way ("st41hh", " ST4  1HH ", "St4 1hh"); we
accept any case and spacing, check the result against the Royal Mail format
(outward code A9, A99, AA9, AA99, A9A or AA9A, then an inward code 9AA, plus
the special GIR 0AA) and store it upper-case with a single space before the
inward code. A well-formed postcode may still not exist; the address finder
answers that question.
"""

from __future__ import annotations

import re

# Letters allowed in each position, from the Royal Mail / GOV.UK data standard:
# first letter never Q, V or X; second letter never I, J or Z; the letter after
# the digit in A9A is one of ABCDEFGHJKPSTUW and in AA9A one of ABEHMNPRVWXY;
# the inward code's letters never C, I, K, M, O or V.
_FIRST = "[A-PR-UWYZ]"
_SECOND = "[A-HK-Y]"
_OUTWARD = rf"(?:{_FIRST}[0-9]{{1,2}}|{_FIRST}{_SECOND}[0-9]{{1,2}}|{_FIRST}[0-9][A-HJKPSTUW]|{_FIRST}{_SECOND}[0-9][ABEHMNPRVWXY])"
_INWARD = "[0-9][ABD-HJLNP-UW-Z]{2}"
_POSTCODE = re.compile(rf"(?:GIR0AA|{_OUTWARD}{_INWARD})")

# Longer input is refused before any work: the longest postcode is 8 characters
# and even generous spacing will not take it anywhere near this.
_MAX_INPUT = 100

EXAMPLE = "ST4 1HH"
ENTER_A_POSTCODE = "Enter a postcode"
ENTER_A_REAL_POSTCODE = f"Enter a real postcode, like {EXAMPLE}"


def normalise_postcode(raw: str | None) -> str | None:
    """The postcode upper-cased with one space before the inward code, or None when it is not a postcode."""
    if raw is None or len(raw) > _MAX_INPUT:
        return None
    compact = "".join(raw.split()).upper()
    if not _POSTCODE.fullmatch(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_error(raw: str | None) -> str | None:
    """A GOV.UK-style error message for a postcode field, or None when the postcode is valid."""
    if raw is None or not raw.strip():
        return ENTER_A_POSTCODE
    if normalise_postcode(raw) is None:
        return ENTER_A_REAL_POSTCODE
    return None
