"""Statutory deadlines for an EHC needs assessment request (SEND Code of Practice 0-25, 2015).

- 9.14: the local authority must decide whether to assess, and say so, within **6 weeks** of
  receiving the request;
- 9.40: the final EHC plan must be issued within **20 weeks** of the request.

Both count calendar weeks from the day the request was received (weekends and school
holidays included; the Code's few exceptions are decided case by case by staff, not here).
"The day received" is the date in England, so a request sent at 00:30 BST on 1 June counts
from 1 June even though it is still 31 May in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sen_portal.forms.evaluation import council_today as england_date
from sen_portal.services.platform.clock import Clock, system_clock

COUNCIL_TIMEZONE = ZoneInfo("Europe/London")
DECISION_WEEKS = 6
FINAL_PLAN_WEEKS = 20


def local_date(moment: datetime) -> date:
    """The calendar date in England of an aware timestamp (the forms' "today" uses the same rule)."""
    return england_date(moment)


def council_today(clock: Clock = system_clock) -> date:
    return local_date(clock())


def decision_due(received_on: date) -> date:
    return received_on + timedelta(weeks=DECISION_WEEKS)


def final_plan_due(received_on: date) -> date:
    return received_on + timedelta(weeks=FINAL_PLAN_WEEKS)


def days_left(due_on: date, today: date) -> int:
    """Whole days until the deadline: 0 on the day itself, negative once it has passed."""
    return (due_on - today).days


def is_overdue(due_on: date, today: date) -> bool:
    """Overdue from the day after the deadline (the deadline day itself is still in time)."""
    return today > due_on


@dataclass(frozen=True)
class StatutoryDates:
    received_on: date
    decision_due_on: date
    final_plan_due_on: date

    @classmethod
    def for_request(cls, received_at: datetime) -> StatutoryDates:
        received_on = local_date(received_at)
        return cls(received_on, decision_due(received_on), final_plan_due(received_on))

    def days_left(self, today: date) -> int:
        """Days left to the decision."""
        return days_left(self.decision_due_on, today)

    def overdue(self, today: date) -> bool:
        return is_overdue(self.decision_due_on, today)
