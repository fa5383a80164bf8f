"""The staff inbox with 10,000 sent referrals (SQLite, the real migrations and indexes).

For each typical inbox view, the p95 of one page (the page query plus its count, what a click
costs) against a floor measured in the same run: reading 25 rows of ``referral`` by its
received-date index alone, no joins and no filters. The CSV export of everything is timed too.
``python -m benchmarks.staff_inbox`` prints the table.
"""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import text
from sqlmodel import Session

from benchmarks._common import OtherLoad, Result, migrated_sqlite, p95, ratio

REFERRALS = 10_000
REPEATS = 30
TODAY = date(2026, 11, 28)


def _p95_ms(action) -> float:
    timings = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        action()
        timings.append((time.perf_counter() - began) * 1000)
    return p95(timings)


def run() -> list[Result]:
    from sen_portal.models import UserAccount
    from sen_portal.services import inbox_export, staff_inbox
    from sen_portal.services.demo_referrals import seed_referrals
    from sen_portal.services.referral_workflow import Actor
    from sen_portal.services.staff_inbox import InboxQuery

    results: list[Result] = []
    with migrated_sqlite() as (_base, engine), Session(engine) as session:
        seed_referrals(session, REFERRALS)
        worker = UserAccount(email="bench@council.example.gov.uk", role="admin")
        session.add(worker)
        session.commit()
        actor = Actor(user_id=worker.id or 0, email=worker.email)
        floor = _p95_ms(
            lambda: session.execute(text("SELECT public_id FROM referral ORDER BY received_at DESC LIMIT 25")).all()
        )
        views = {
            "newest first": InboxQuery(today=TODAY),
            "status filter": InboxQuery(status="received", today=TODAY),
            "overdue, by deadline, page 20": InboxQuery(
                overdue=True, sort="deadline", descending=False, page=20, today=TODAY
            ),
            "search child name": InboxQuery(search="amara", today=TODAY),
            "search reference prefix": InboxQuery(search="EHC-2026-0050", today=TODAY),
            "setting, by reference": InboxQuery(setting="Sandon High", sort="reference", today=TODAY),
        }
        for name, query in views.items():
            with OtherLoad() as load:
                figure = _p95_ms(lambda q=query: staff_inbox.search(session, q))
            results.append(
                Result(
                    name=f"inbox page: {name} ({REFERRALS:,} referrals)",
                    figure=figure,
                    unit="ms",
                    floor=floor,
                    ratio=ratio(figure, floor),
                    busy=load.cores,
                )
            )
        with OtherLoad() as load:
            began = time.perf_counter()
            inbox_export.export_csv(session, InboxQuery(today=TODAY), actor)
            export_ms = (time.perf_counter() - began) * 1000
        session.rollback()
        results.append(
            Result(
                name=f"CSV export of all {REFERRALS:,}", figure=export_ms, unit="ms", busy=load.cores, note="one run"
            )
        )
    return results


if __name__ == "__main__":
    from benchmarks.run_all import print_table

    print_table(run())
