"""The staff inbox against real SQLite and PostgreSQL: filters, search, sort, pages, CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from sen_portal.models.referrals import ReferralStatus as S
from sen_portal.services import inbox_export, staff_inbox
from sen_portal.services.demo_referrals import seed_referrals
from sen_portal.services.referral_workflow import WorkflowRefused
from sen_portal.services.staff_inbox import InboxQuery
from tests.service.staff_helpers import RECEIVED, actor_for, audit_lines, person, sent

pytestmark = pytest.mark.service

TODAY = date(2027, 1, 12)  # the Friday 27 November referrals' decisions were due on 8 January


@pytest.fixture
def inbox(session: Session):
    owner = person(session, "senco@school.example.org", "professional", "Sam", "Senco")
    casey = person(session, "casey@council.example.gov.uk", "caseworker", "Casey", "Worker")
    ada = person(session, "ada@council.example.gov.uk", "admin", "Ada", "Admin")
    day = timedelta(days=1)
    sent(session, owner, reference="EHC-2026-000001", child="Jamie Rivers", assigned=casey)
    sent(
        session, owner, reference="EHC-2026-000002", child="Amara Okafor", status=S.RECEIVED, received_at=RECEIVED + day
    )
    sent(
        session,
        owner,
        reference="EHC-2026-000003",
        child="Zoë O'Brien",
        status=S.DECLINED,
        received_at=RECEIVED + 2 * day,
        setting="Sandon High",
    )
    sent(
        session,
        owner,
        reference="EHC-2026-000004",
        child="Finn Rivers-Jones",
        status=S.UNDER_CONSIDERATION,
        received_at=datetime(2026, 12, 20, 9, tzinfo=UTC),  # decision due 31 January: not overdue yet
        assigned=casey,
    )
    sent(
        session,
        owner,
        reference="EHC-2026-000005",
        child='=HYPERLINK("http://evil.example")',
        status=S.ASSESSMENT,
        received_at=RECEIVED - 200 * day,  # final plan overdue
        setting="-2+3",
    )
    session.commit()
    return owner, casey, ada


def references(page: staff_inbox.InboxPage) -> list[str]:
    return [row.reference for row in page.rows]


def query(**kwargs) -> InboxQuery:
    return InboxQuery(today=TODAY, **kwargs)


def test_the_newest_first_by_default_with_the_columns_the_list_shows(session: Session, inbox) -> None:
    page = staff_inbox.search(session, query())
    assert references(page) == [f"EHC-2026-00000{n}" for n in (4, 3, 2, 1, 5)]
    assert page.total == 5 and page.page_count == 1
    first = next(row for row in page.rows if row.reference == "EHC-2026-000001")
    assert first.child_name == "Jamie Rivers" and first.setting == "Hanley Park Primary School"
    assert first.referrer == "Sam Senco" and first.caseworker == "Casey Worker"
    assert first.received_on == date(2026, 11, 27) and first.status_label == "Submitted"
    assert first.due_on == date(2027, 1, 8) and first.days_left == -4 and first.overdue
    assert first.form_title == "Request for an EHC needs assessment" and first.unread_messages == 0
    declined = next(row for row in page.rows if row.reference == "EHC-2026-000003")
    assert declined.due_on is None and declined.days_left is None and not declined.overdue
    waiting = next(row for row in page.rows if row.reference == "EHC-2026-000004")
    assert waiting.days_left == 19 and not waiting.overdue


def test_drafts_never_appear(session: Session, inbox) -> None:
    owner, _, _ = inbox
    draft = sent(session, owner, reference="EHC-2026-000099")
    draft.status, draft.received_at, draft.reference = S.DRAFT, None, None
    session.add(draft)
    session.commit()
    assert staff_inbox.search(session, query()).total == 5


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "received"}, ["EHC-2026-000002"]),
        ({"assigned_to_me": True}, ["EHC-2026-000004", "EHC-2026-000001"]),
        ({"overdue": True}, ["EHC-2026-000002", "EHC-2026-000001", "EHC-2026-000005"]),
        ({"setting": "Sandon High"}, ["EHC-2026-000003"]),
        ({"search": "rivers"}, ["EHC-2026-000004", "EHC-2026-000001"]),
        ({"search": "JAMIE riv"}, ["EHC-2026-000001"]),
        ({"search": "zoe o'brien"}, ["EHC-2026-000003"]),  # accents and punctuation do not matter
        ({"search": "ehc-2026-00000"}, [f"EHC-2026-00000{n}" for n in (4, 3, 2, 1, 5)]),
        ({"search": "EHC-2026-000002"}, ["EHC-2026-000002"]),
        ({"search": "%"}, []),  # wildcards are searched for, not obeyed
        ({"search": "rivers", "status": "submitted", "assigned_to_me": True, "overdue": True}, ["EHC-2026-000001"]),
    ],
)
def test_filters_and_search(session: Session, inbox, filters: dict, expected: list[str]) -> None:
    _, casey, _ = inbox
    page = staff_inbox.search(session, query(me=casey.id, **filters))
    assert references(page) == expected
    assert page.total == len(expected)


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        ("reference", False, [1, 2, 3, 4, 5]),
        ("reference", True, [5, 4, 3, 2, 1]),
        ("received", False, [5, 1, 2, 3, 4]),
        ("deadline", False, [5, 1, 2, 3, 4]),
        ("status", False, [5, 3, 2, 1, 4]),  # assessment, declined, received, submitted, under_consideration
    ],
)
def test_sorting(session: Session, inbox, sort: str, descending: bool, expected: list[int]) -> None:
    page = staff_inbox.search(session, query(sort=sort, descending=descending))
    assert references(page) == [f"EHC-2026-00000{n}" for n in expected]


def test_pages(session: Session, inbox) -> None:
    pages = [
        staff_inbox.search(session, query(sort="reference", descending=False, page=n, page_size=2)) for n in (1, 2, 3)
    ]
    assert [references(p) for p in pages] == [
        ["EHC-2026-000001", "EHC-2026-000002"],
        ["EHC-2026-000003", "EHC-2026-000004"],
        ["EHC-2026-000005"],
    ]
    assert {(p.total, p.page_count) for p in pages} == {(5, 3)}
    beyond = staff_inbox.search(session, query(sort="reference", descending=False, page=99, page_size=2))
    assert beyond.page == 3 and references(beyond) == ["EHC-2026-000005"]


def test_query_from_url_parameters_tolerates_anything_hand_made() -> None:
    made = InboxQuery.from_params(
        {"status": "received", "mine": "1", "q": " riv ", "sort": "drop table", "dir": "asc", "page": "x", "size": "7"},
        me=3,
        today=TODAY,
    )
    assert (made.status, made.assigned_to_me, made.search, made.sort, made.descending) == (
        "received",
        True,
        "riv",
        "received",
        False,
    )
    assert (made.page, made.page_size, made.me) == (1, 25, 3)
    assert InboxQuery.from_params(made.as_params(), me=3, today=TODAY) == made


def test_settings_in_use_for_the_filter(session: Session, inbox) -> None:
    assert staff_inbox.settings_in_use(session) == ["-2+3", "Hanley Park Primary School", "Sandon High"]


def test_csv_export_has_every_filtered_row_guards_formulas_and_is_audited(session: Session, inbox) -> None:
    _, casey, _ = inbox
    text = inbox_export.export_csv(session, query(page=2, page_size=2, overdue=True), actor_for(casey))
    session.commit()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(inbox_export.CSV_HEADER)
    assert [r[0] for r in rows[1:]] == ["EHC-2026-000002", "EHC-2026-000001", "EHC-2026-000005"]  # all, not page 2
    evil = rows[3]
    assert evil[1] == '\'=HYPERLINK("http://evil.example")' and evil[2] == "'-2+3"
    assert rows[2][7] == "-4"  # a number we computed stays a number
    [line] = audit_lines(session, "inbox_exported")
    assert line.detail["rows"] == 3 and line.actor_user_id == casey.id
    assert "Jamie" not in str(line.detail)


def test_only_staff_may_export(session: Session, inbox) -> None:
    owner, _, _ = inbox
    with pytest.raises(WorkflowRefused):
        inbox_export.export_csv(session, query(), actor_for(owner))
    assert audit_lines(session, "inbox_exported") == []


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_safe_cell_prefixes_formula_starts(value: str) -> None:
    assert inbox_export.safe_cell(value) == "'" + value
    assert inbox_export.safe_cell("Jamie") == "Jamie" and inbox_export.safe_cell(-3) == -3


def test_seed_referrals_fills_an_inbox(session: Session) -> None:
    assert seed_referrals(session, 60, clock=lambda: datetime(2026, 11, 28, tzinfo=UTC)) == 60
    session.commit()
    page = staff_inbox.search(session, replace(query(), page_size=25))
    assert page.total == 60 and len(page.rows) == 25
    assert len({row.reference for row in page.rows}) == 25


def test_a_row_counts_the_referrers_unread_messages_until_staff_read_them(session: Session, inbox) -> None:
    from sen_portal.config import settings_from_env
    from sen_portal.models import Referral
    from sen_portal.services import messages

    owner, casey, _ada = inbox
    settings = settings_from_env({"PUBLIC_URL": "https://portal.example.gov.uk", "SECRET_KEY": "k" * 48})
    referral = session.exec(select(Referral).where(Referral.reference == "EHC-2026-000002")).one()
    for body in ("Here are the documents you asked for.", "And one more thing."):
        messages.post_message(
            session, referral_public_id=referral.public_id, author_user_id=owner.id, body=body, settings=settings
        )
    session.commit()

    unread = {row.reference: row.unread_messages for row in staff_inbox.search(session, query()).rows}
    assert unread["EHC-2026-000002"] == 2
    assert {count for reference, count in unread.items() if reference != "EHC-2026-000002"} == {0}

    messages.mark_read(session, referral_public_id=referral.public_id, user_id=casey.id)
    session.commit()
    assert all(row.unread_messages == 0 for row in staff_inbox.search(session, query()).rows)


def test_the_count_stops_at_its_cap_and_says_so(session: Session) -> None:
    # An exact count(*) reads every match: its cost grew with the inbox. It stops at the cap instead
    # ("1,000+ referrals"), and still counts far enough for the page asked for and its "Next".
    seed_referrals(session, 60, clock=lambda: datetime(2026, 11, 28, tzinfo=UTC))
    session.commit()
    first = staff_inbox.search(session, replace(query(), page_size=25), count_cap=30)
    assert (first.total, first.more, first.total_label) == (30, True, "30+ referrals")
    assert len(first.rows) == 25 and first.page_count == 3  # two counted pages, and a "Next"
    third = staff_inbox.search(session, replace(query(), page_size=25, page=3), count_cap=30)
    assert (third.total, third.more, third.page, len(third.rows)) == (60, False, 3, 10)
    assert third.total_label == "60 referrals" and third.page_count == 3
    exact = staff_inbox.search(session, replace(query(), page_size=25))
    assert (exact.total, exact.more, exact.total_label) == (60, False, "60 referrals")
    assert staff_inbox.search(session, replace(query(), page_size=25), count_cap=60).more is False


def test_one_referral_is_singular() -> None:
    assert staff_inbox.InboxPage([], 1, 1, 25).total_label == "1 referral"
    assert staff_inbox.InboxPage([], 1000, 1, 25, more=True).total_label == "1,000+ referrals"
