"""UK phone numbers: what people type in, one national format out."""

from __future__ import annotations

import pytest

from sen_portal.inbound.phones import ENTER_PHONE, PHONE_FORMAT, normalise_uk_phone, phone_error

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("01782 234567", "01782 234567"),
        ("01782234567", "01782 234567"),
        ("(01782) 234-567", "01782 234567"),
        ("+44 1782 234567", "01782 234567"),
        ("+44 (0)1782 234567", "01782 234567"),
        ("0044 1782 234567", "01782 234567"),
        ("07700900123", "07700 900123"),
        ("+447700900123", "07700 900123"),
        ("07700.900.123", "07700 900123"),
        ("020 7946 0018", "020 7946 0018"),
        ("02079460018", "020 7946 0018"),
        ("0121 496 0000", "0121 496 0000"),
        ("01144960000", "0114 496 0000"),
        ("0300 123 4567", "0300 123 4567"),
        ("0800 123 456", "0800 123 456"),
        ("08081570192", "0808 157 0192"),
        ("０７７００ ９００１２３", "07700 900123"),  # full-width digits
    ],
)
def test_valid_numbers_are_normalised(raw: str, stored: str) -> None:
    assert normalise_uk_phone(raw) == stored
    assert phone_error(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "1782 234567",  # no leading 0 or +44
        "0778",
        "07700 9001234",  # 12 digits
        "0770090012",  # 10-digit mobile
        "04123456789",  # 04 is not a UK range
        "00123456789",
        "+33 1 23 45 67 89",  # French
        "phone me",
        "07700 90012x",
        "٠٧٧٠٠٩٠٠١٢٣",  # Arabic-Indic digits are digits, but not ours
    ],
)
def test_invalid_numbers_are_refused(raw: str) -> None:
    assert normalise_uk_phone(raw) is None
    assert phone_error(raw) == PHONE_FORMAT


def test_blank_is_an_error_only_when_required() -> None:
    assert normalise_uk_phone("") is None
    assert normalise_uk_phone(None) is None
    assert phone_error("  ") == ENTER_PHONE
    assert phone_error("", required=False) is None
