"""The council's referral inbox: one indexed query per page (plus one count); services.inbox_export writes CSV.

Everything the list shows is a column of ``referral`` (copied there at submit by
services.referral_intake) or of the three small joined rows (form version, referrer, caseworker),
so a page of 25 out of 10,000 referrals never opens the JSON answers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from sen_portal.models import FormVersion, Referral, UserAccount
from sen_portal.services.message_views import unread_for_staff_by_referral
from sen_portal.services.referral_intake import name_key
from sen_portal.services.referral_workflow import AWAITING_DECISION, AWAITING_PLAN, status_label
from sen_portal.services.statutory_dates import days_left, is_overdue, local_date

SORTS = ("received", "deadline", "reference", "status")
PAGE_SIZES = (25, 50, 100)
COUNT_CAP = 1_000  # the inbox counts matches up to here, then says "1,000+ referrals"
_SORT_COLUMNS = {
    "received": Referral.received_at,
    "deadline": Referral.decision_due_on,
    "reference": Referral.reference,
    "status": Referral.status,
}
Referrer = aliased(UserAccount, name="referrer")
Caseworker = aliased(UserAccount, name="caseworker")


@dataclass(frozen=True)
class InboxQuery:
    status: str = ""
    assigned_to_me: bool = False
    overdue: bool = False
    setting: str = ""
    search: str = ""
    sort: str = "received"
    descending: bool = True
    page: int = 1
    page_size: int = 25
    # the signed-in member of staff ("assigned to me") and today's date in England ("overdue")
    me: int | None = None
    today: date = field(default_factory=date.today)

    @classmethod
    def from_params(cls, params: Mapping[str, str], *, me: int | None, today: date) -> InboxQuery:
        """Read a query from URL or form parameters, tolerating anything hand-made."""
        size = _int(params.get("size"), 25)
        return cls(
            status=str(params.get("status", ""))[:30],
            assigned_to_me=params.get("mine", "") in ("1", "on", "true"),
            overdue=params.get("overdue", "") in ("1", "on", "true"),
            setting=str(params.get("setting", ""))[:200],
            search=str(params.get("q", "")).strip()[:100],
            sort=params.get("sort", "received") if params.get("sort") in SORTS else "received",
            descending=params.get("dir", "desc") != "asc",
            page=max(1, _int(params.get("page"), 1)),
            page_size=size if size in PAGE_SIZES else 25,
            me=me,
            today=today,
        )

    def as_params(self) -> dict[str, str]:
        """The filters as URL parameters (the CSV link carries the same filters as the page)."""
        params = {"status": self.status, "setting": self.setting, "q": self.search, "sort": self.sort}
        params.update(mine="1" if self.assigned_to_me else "", overdue="1" if self.overdue else "")
        params["dir"] = "desc" if self.descending else "asc"
        return {key: value for key, value in params.items() if value}


@dataclass(frozen=True)
class InboxRow:
    public_id: str
    reference: str
    child_name: str
    setting: str
    referrer: str
    received_on: date | None
    status: str
    status_label: str
    due_on: date | None  # the deadline that is running (decision, then final plan), None when finished
    days_left: int | None
    overdue: bool
    caseworker: str
    form_title: str
    possible_duplicate: bool
    unread_messages: int


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    total: int  # exact, or (``more``) how many were counted before the count stopped
    page: int
    page_size: int
    more: bool = False  # more than ``total`` match: the count stopped at its cap

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size)) + (1 if self.more else 0)

    @property
    def total_label(self) -> str:
        """ "1 referral", "230 referrals", or "1,000+ referrals" when the count stopped at its cap."""
        if self.total == 1 and not self.more:
            return "1 referral"
        return f"{self.total:,}{'+' if self.more else ''} referrals"


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def _conditions(query: InboxQuery) -> list[Any]:
    conditions: list[Any] = [col(Referral.received_at).is_not(None)]  # sent referrals only, never drafts
    if query.status:
        conditions.append(col(Referral.status) == query.status)
    if query.assigned_to_me:
        conditions.append(col(Referral.assigned_to_user_id) == (query.me or -1))
    if query.setting:
        conditions.append(col(Referral.setting_name) == query.setting)
    if query.overdue:
        conditions.append(
            or_(
                and_(col(Referral.status).in_(AWAITING_DECISION), col(Referral.decision_due_on) < query.today),
                and_(col(Referral.status).in_(AWAITING_PLAN), col(Referral.final_plan_due_on) < query.today),
            )
        )
    if query.search:
        key = name_key(query.search)
        # A reference by its start ("EHC-2026-0001"), a child by any part of the name, any case.
        matches = [col(Referral.reference).startswith(query.search.upper(), autoescape=True)]
        if key:
            matches.append(col(Referral.child_name_key).contains(key, autoescape=True))
        conditions.append(or_(*matches))
    return conditions


def _statement(query: InboxQuery) -> Select[Any]:
    column = col(_SORT_COLUMNS.get(query.sort, Referral.received_at))
    order = [column.desc() if query.descending else column.asc(), col(Referral.id).desc()]
    # Named columns, not the whole row: the JSON answers stay on disk (an export of 10,000 would drag them all in).
    return (
        select(  # type: ignore[call-overload, misc]  # SQLModel types select() for at most 4 columns
            Referral.public_id,
            Referral.reference,
            Referral.child_name,
            Referral.setting_name,
            Referral.received_at,
            Referral.status,
            Referral.decision_due_on,
            Referral.final_plan_due_on,
            Referral.possible_duplicate,
            FormVersion.title,
            Referrer.first_name,
            Referrer.last_name,
            Caseworker.first_name,
            Caseworker.last_name,
            Caseworker.email,
            Referral.id,
        )
        .join(FormVersion, col(FormVersion.id) == col(Referral.form_version_id))
        .join(Referrer, col(Referrer.id) == col(Referral.owner_user_id))
        .join(Caseworker, col(Caseworker.id) == col(Referral.assigned_to_user_id), isouter=True)
        .where(*_conditions(query))
        .order_by(*order)
    )


def _row(result: Any, today: date, unread: Mapping[int, int] | None = None) -> InboxRow:
    referral = result  # a Row: the referral's columns by name, then the joined ones by position
    title, referrer_first, referrer_last, worker_first, worker_last, worker_email = tuple(result)[9:15]
    due_on = (
        referral.decision_due_on
        if referral.status in AWAITING_DECISION
        else referral.final_plan_due_on
        if referral.status in AWAITING_PLAN
        else None
    )
    return InboxRow(
        public_id=referral.public_id,
        reference=referral.reference or "",
        child_name=referral.child_name,
        setting=referral.setting_name,
        referrer=f"{referrer_first} {referrer_last}".strip(),
        received_on=local_date(referral.received_at) if referral.received_at else None,
        status=referral.status,
        status_label=status_label(referral.status),
        due_on=due_on,
        days_left=days_left(due_on, today) if due_on else None,
        overdue=bool(due_on and is_overdue(due_on, today)),
        caseworker=f"{worker_first or ''} {worker_last or ''}".strip() or (worker_email or ""),
        form_title=title,
        possible_duplicate=referral.possible_duplicate,
        unread_messages=(unread or {}).get(result[-1], 0),
    )


def count_matches(session: Session, query: InboxQuery, *, cap: int) -> tuple[int, bool]:
    """How many referrals match, counting no further than ``cap``: (count, whether more match).

    An exact ``count(*)`` reads every match, so its cost grows with the inbox (23-89 ms at 100,000);
    nobody needs "73,412" to work a list, so the count stops at the cap ("1,000+ referrals").
    """
    matching = select(col(Referral.id)).where(*_conditions(query)).limit(cap + 1).subquery()
    counted = int(session.exec(select(func.count()).select_from(matching)).one())
    return min(counted, cap), counted > cap


def search(session: Session, query: InboxQuery, *, count_cap: int = COUNT_CAP) -> InboxPage:
    """One page of the inbox and the number of referrals matching the filters (up to ``count_cap``)."""
    # Count at least to the end of the page asked for, so its pages exist and "Next" knows if more do.
    total, more = count_matches(session, query, cap=max(count_cap, query.page * query.page_size))
    page = min(max(1, query.page), InboxPage([], total, 1, query.page_size, more).page_count)
    results = session.exec(_statement(query).offset((page - 1) * query.page_size).limit(query.page_size)).all()
    # One grouped count for the page's referrals, not a query per row.
    unread = unread_for_staff_by_referral(session, referral_ids=[r[-1] for r in results])
    return InboxPage([_row(r, query.today, unread) for r in results], total, page, query.page_size, more)


def settings_in_use(session: Session) -> list[str]:
    """The settings that sent referrals name, for the filter (read from the index on setting_name)."""
    names = session.exec(
        select(Referral.setting_name)
        .where(col(Referral.setting_name) != "", col(Referral.received_at).is_not(None))
        .distinct()
        .order_by(col(Referral.setting_name))
    )
    return list(names.all())


def rows_of(session: Session, query: InboxQuery) -> Iterator[InboxRow]:
    """Every row matching the filters (all pages), streamed from the database in batches."""
    for result in session.exec(_statement(query).execution_options(yield_per=500)):
        yield _row(result, query.today)
