"""The staff inbox with 10,000 and 100,000 sent referrals: the service against the equivalent raw SQL, SQLite and PostgreSQL.

10,000 referrals are seeded by the demo generator (``services.demo_referrals.seed_referrals``: spread
over a year, varied status, setting and caseworker) into a database migrated by Alembic (the real
indexes), each given a complete set of answers (the JSON a real request carries, ≈ 3 KB), so a query
that drags the answers along pays for it as it would in production.

For each typical filtered and sorted **first page** (25 rows):

* **Figure**: ``staff_inbox.search(session, InboxQuery(...))`` — what the inbox page's handler calls:
  the count, the page query, the rows turned into ``InboxRow`` (days left, overdue, labels).
* **Floor**: the same two statements written by hand as raw SQL (the columns the page shows, the
  same joins, conditions and order, ``LIMIT 25``; the count stopping at the same cap of 1,000, as the
  page's does), run on the driver's own cursor with no ORM, rows left as tuples: what the database
  must do for that page in any case. The note gives an exact ``count(*)`` alone for contrast: the cost
  the cap removes, which grows with the matches.

Both alternate, ``REPEATS`` times each; the row is the ratio of the medians (p95s in the note).
Target <= 2 x. PostgreSQL is a throw-away database on ``BENCH_POSTGRES_ADMIN_URL`` (default: the
tests' ``TEST_POSTGRES_ADMIN_URL`` or the local server), dropped afterwards; it is skipped with a
note when no server answers.

Run alone: ``python -m benchmarks.inbox_at_scale``.
"""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks._common import PROJECT_ROOT, SMOKE, OtherLoad, Result, migrated_sqlite, p95, scaled

SIZES = (300,) if SMOKE else (10_000, 100_000)  # referrals in the database
REPEATS = scaled(40, 3)
TARGET = 2.0
TODAY = date(2026, 11, 28)
ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_ADMIN_URL",
    os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
)

COLUMNS = (
    "r.public_id, r.reference, r.child_name, r.setting_name, r.received_at, r.status, r.decision_due_on,"
    " r.final_plan_due_on, r.possible_duplicate, f.title, u.first_name, u.last_name,"
    " c.first_name, c.last_name, c.email"
)
JOINS = (
    "referral r JOIN form_version f ON f.id = r.form_version_id JOIN user_account u ON u.id = r.owner_user_id"
    " LEFT JOIN user_account c ON c.id = r.assigned_to_user_id"
)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def views(caseworker_id: int) -> dict[str, tuple[object, str, str]]:
    """name -> (InboxQuery, WHERE, ORDER BY) of the equivalent hand-written SQL (literal, trusted values)."""
    from sen_portal.services.referral_workflow import AWAITING_DECISION, AWAITING_PLAN
    from sen_portal.services.staff_inbox import InboxQuery

    sent = "r.received_at IS NOT NULL"
    overdue = (
        f"((r.status IN {_in(AWAITING_DECISION)} AND r.decision_due_on < '{TODAY}')"
        f" OR (r.status IN {_in(AWAITING_PLAN)} AND r.final_plan_due_on < '{TODAY}'))"
    )
    return {
        "status 'received', newest first": (
            InboxQuery(status="received", today=TODAY),
            f"{sent} AND r.status = 'received'",
            "r.received_at DESC, r.id DESC",
        ),
        "assigned to me, newest first": (
            InboxQuery(assigned_to_me=True, me=caseworker_id, today=TODAY),
            f"{sent} AND r.assigned_to_user_id = {caseworker_id}",
            "r.received_at DESC, r.id DESC",
        ),
        "overdue, by deadline": (
            InboxQuery(overdue=True, sort="deadline", descending=False, today=TODAY),
            f"{sent} AND {overdue}",
            "r.decision_due_on ASC, r.id DESC",
        ),
        "setting, by reference": (
            InboxQuery(setting="Sandon High", sort="reference", descending=False, today=TODAY),
            f"{sent} AND r.setting_name = 'Sandon High'",
            "r.reference ASC, r.id DESC",
        ),
        "child name search, newest first": (
            InboxQuery(search="amara", today=TODAY),
            f"{sent} AND (r.reference LIKE 'AMARA%' OR r.child_name_key LIKE '%amara%')",
            "r.received_at DESC, r.id DESC",
        ),
    }


def seed(engine: Engine, size: int) -> int:
    """``size`` sent referrals with real-sized answers; returns a caseworker's id."""
    from sqlmodel import select

    from sen_portal.models import UserAccount
    from sen_portal.services.demo_referrals import seed_referrals
    from sen_portal.services.lookups import SHIPPED_LISTS, seed_lookup_list
    from tests.unit.test_ehc_definition import COMPLETE

    with Session(engine) as session:
        for list_key, csv_path in SHIPPED_LISTS.items():
            seed_lookup_list(session, list_key, csv_path)
        seed_referrals(session, size, clock=lambda: datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
        session.commit()
        worker = session.exec(select(UserAccount).where(UserAccount.role == "caseworker")).first()
        assert worker is not None and worker.id is not None
        worker_id = worker.id
    with engine.begin() as connection:
        connection.execute(text("UPDATE referral SET answers = :answers"), {"answers": json.dumps(COMPLETE)})
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
        else:
            connection.execute(text("ANALYZE"))
    return worker_id


def _timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000


def measure(engine: Engine, label: str, size: int) -> list[Result]:
    from sen_portal.services import staff_inbox
    from sen_portal.services.staff_inbox import COUNT_CAP

    worker_id = seed(engine, size)
    results = []
    with Session(engine) as session:
        cursor = session.connection().connection.dbapi_connection.cursor()  # the driver's own cursor

        for name, (query, where, order) in views(worker_id).items():
            page_sql = f"SELECT {COLUMNS} FROM {JOINS} WHERE {where} ORDER BY {order} LIMIT 25"
            # The page's count stops at the cap ("1,000+ referrals"), so the hand-written one does too.
            count_sql = f"SELECT count(*) FROM (SELECT r.id FROM referral r WHERE {where} LIMIT {COUNT_CAP + 1}) AS m"
            exact_sql = f"SELECT count(*) FROM referral r WHERE {where}"

            def exact(exact_sql: str = exact_sql) -> None:
                cursor.execute(exact_sql)
                cursor.fetchall()

            def raw(page_sql: str = page_sql, count_sql: str = count_sql) -> None:
                cursor.execute(count_sql)
                cursor.fetchall()
                cursor.execute(page_sql)
                cursor.fetchall()

            page = staff_inbox.search(session, query)  # warm both, and check they agree
            raw()
            cursor.execute(page_sql)
            assert [row[0] for row in cursor.fetchall()] == [row.public_id for row in page.rows], name
            figures, floors, exacts = [], [], []
            with OtherLoad() as other:
                for _ in range(REPEATS):
                    figures.append(_timed(lambda q=query: staff_inbox.search(session, q)))
                    floors.append(_timed(raw))
                    exacts.append(_timed(exact))
            figure, floor = statistics.median(figures), statistics.median(floors)
            results.append(
                Result(
                    name=f"inbox first page, {name} ({label}, {size:,})",
                    figure=figure,
                    unit="ms",
                    floor=floor,
                    ratio=figure / floor,
                    target=f"<= {TARGET:.0f} x raw SQL",
                    met=figure / floor <= TARGET,
                    busy=other.cores,
                    note=f"medians of {REPEATS}; p95 {p95(figures):.2f} vs {p95(floors):.2f} ms; "
                    f"{page.total_label} shown; an exact count(*) alone: median {statistics.median(exacts):.2f} ms; "
                    f"other processes used {other.cores:.2f} cores",
                )
            )
        cursor.close()
    return results


@contextmanager
def throwaway_postgres() -> Iterator[Engine | None]:
    from alembic.config import Config

    from alembic import command
    from sen_portal.db import make_engine

    name = f"sen_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # no server: the SQLite figures still stand
        print(f"  PostgreSQL not available ({type(error).__name__}); skipped", flush=True)
        yield None
        return
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        config = Config(str(PROJECT_ROOT / "alembic.ini"))
        config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
        config.attributes["database_url"] = url
        config.attributes["skip_logging"] = True
        command.upgrade(config, "head")
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run() -> list[Result]:
    results = []
    for size in SIZES:
        with migrated_sqlite() as (_base, engine):
            results += measure(engine, "SQLite", size)
        with throwaway_postgres() as engine:
            if engine is not None:
                results += measure(engine, "PostgreSQL", size)
    return results


if __name__ == "__main__":  # through run_all: its own process, with the hard time limit
    from benchmarks.run_all import main

    raise SystemExit(main(["inbox_at_scale"]))
