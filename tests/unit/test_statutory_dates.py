"""The 6- and 20-week statutory deadlines (calendar weeks from the day the request is received)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sen_portal.services.referrals import statutory_dates as sd

pytestmark = pytest.mark.unit


def test_a_request_received_on_a_friday_is_decided_by_the_friday_six_weeks_later() -> None:
    received = date(2026, 11, 27)
    assert received.strftime("%A") == "Friday"
    assert sd.decision_due(received) == date(2027, 1, 8)
    assert sd.decision_due(received).strftime("%A") == "Friday"


def test_the_deadlines_run_across_the_year_boundary_and_christmas() -> None:
    dates = sd.StatutoryDates.for_request(datetime(2026, 12, 21, 10, 0, tzinfo=UTC))
    assert dates.received_on == date(2026, 12, 21)
    assert dates.decision_due_on == date(2027, 2, 1)
    assert dates.final_plan_due_on == date(2027, 5, 10)


def test_the_final_plan_is_due_twenty_weeks_after_the_request() -> None:
    assert sd.final_plan_due(date(2026, 11, 27)) == date(2027, 4, 16)


def test_the_day_received_is_the_date_in_england_not_in_utc() -> None:
    # 23:30 UTC on 31 May is 00:30 BST on 1 June.
    dates = sd.StatutoryDates.for_request(datetime(2026, 5, 31, 23, 30, tzinfo=UTC))
    assert dates.received_on == date(2026, 6, 1)
    # In winter England is on UTC.
    assert sd.local_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("today", "left", "overdue"),
    [
        (date(2026, 11, 27), 42, False),
        (date(2027, 1, 7), 1, False),
        (date(2027, 1, 8), 0, False),  # the deadline day itself is still in time
        (date(2027, 1, 9), -1, True),
        (date(2027, 2, 8), -31, True),
    ],
)
def test_days_left_and_overdue(today: date, left: int, overdue: bool) -> None:
    dates = sd.StatutoryDates.for_request(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    assert dates.days_left(today) == left
    assert dates.overdue(today) is overdue


def test_council_today_reads_the_clock_in_england() -> None:
    assert sd.council_today(lambda: datetime(2026, 7, 1, 23, 15, tzinfo=UTC)) == date(2026, 7, 2)
