"""How the staff pages word deadlines and dates (overdue is said in words, not only by colour)."""

from __future__ import annotations

from datetime import date

import pytest

from sen_portal.services.casework.staff_cases import _days, _short_date, _which, parse_caseworker

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("left", "overdue", "which", "text"),
    [
        (42, False, "decision", "42 days left to the decision"),
        (1, False, "final plan", "1 day left to the final plan"),
        (0, False, "decision", "Decision due today"),
        (-1, True, "decision", "Decision overdue by 1 day"),
        (-31, True, "final plan", "Final plan overdue by 31 days"),
        (None, False, "", ""),
    ],
)
def test_deadline_words(left: int | None, overdue: bool, which: str, text: str) -> None:
    assert _days(left, overdue, which) == text


def test_which_deadline_is_running() -> None:
    assert [_which(s) for s in ("submitted", "more_information_requested", "assessment", "declined", "final_plan")] == [
        "decision",
        "decision",
        "final plan",
        "",
        "",
    ]


def test_short_dates_and_the_caseworker_choice() -> None:
    assert _short_date(date(2027, 1, 8)) == "8 Jan 2027" and _short_date(None) == ""
    assert parse_caseworker("") is None and parse_caseworker(" 12 ") == 12
    assert parse_caseworker("12; drop") == -1 and parse_caseworker("9" * 30) == -1
