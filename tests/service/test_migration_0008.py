"""Revision 0008 fills the new inbox columns for referrals sent before it (both databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from alembic import command
from sen_portal.db import make_engine
from tests.conftest import alembic_config
from tests.service.test_migrations import empty_database_url  # noqa: F401 - the fixture

pytestmark = pytest.mark.service

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SENT = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 June in England


def test_referrals_sent_before_0008_get_their_inbox_columns(empty_database_url: str) -> None:  # noqa: F811
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0007")
    engine = make_engine(empty_database_url)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO user_account (email, role, is_active, approval_status, title, first_name, last_name,"
                " phone, professional_role, professional_role_other, organisation, job_title, work_phone,"
                " address_line1, address_line2, address_town, address_postcode, address_uprn, maintenance_emails,"
                " created_at, updated_at) VALUES ('a@b.example', 'professional', true, 'approved', '', '', '', '',"
                " '', '', '', '', '', '', '', '', '', '', false, :now, :now)"
            ),
            {"now": NOW},
        )
        c.execute(
            text(
                "INSERT INTO form_version (form_key, version, status, title, reference_prefix, definition, created_at)"
                " VALUES ('f', 1, 'live', 'T', 'EHC', '{}', :now)"
            ),
            {"now": NOW},
        )
        c.execute(
            text(
                "INSERT INTO lookup_entry (list_key, value, label, sort_order, is_active, created_at, updated_at)"
                " VALUES ('setting', 'abbey', 'Abbey Green Primary School', 10, true, :now, :now)"
            ),
            {"now": NOW},
        )
        insert = text(
            "INSERT INTO referral (public_id, reference, form_version_id, owner_user_id, status, answers,"
            " completed_sections, child_name, created_at, updated_at, submitted_at)"
            " VALUES (:public_id, :reference, 1, 1, :status, :answers, '[]', :child, :now, :now, :sent)"
        )
        c.execute(
            insert,
            {
                "public_id": "sent",
                "reference": "EHC-2026-000001",
                "status": "submitted",
                "answers": '{"current_setting": "abbey", "child_date_of_birth": "2016-03-05"}',
                "child": "Zoë O'Brien",
                "now": NOW,
                "sent": SENT,
            },
        )
        c.execute(
            insert,
            {
                "public_id": "draft",
                "reference": None,
                "status": "draft",
                "answers": "{}",
                "child": "",
                "now": NOW,
                "sent": None,
            },
        )
    engine.dispose()
    command.upgrade(config, "head")
    engine = make_engine(empty_database_url)
    with engine.connect() as c:
        rows = {
            r.public_id: r
            for r in c.execute(
                text(
                    "SELECT public_id, received_at, decision_due_on, final_plan_due_on, child_name_key, child_dob,"
                    " setting_name, possible_duplicate FROM referral"
                )
            )
        }
    engine.dispose()
    sent = rows["sent"]
    assert sent.received_at is not None
    assert [_day(sent.decision_due_on), _day(sent.final_plan_due_on)] == [date(2026, 7, 13), date(2026, 10, 19)]
    assert (sent.child_name_key, _day(sent.child_dob), sent.setting_name) == (
        "zoe obrien",
        date(2016, 3, 5),
        "Abbey Green Primary School",
    )
    assert not sent.possible_duplicate
    draft = rows["draft"]
    assert (draft.received_at, draft.decision_due_on, draft.child_name_key) == (None, None, "")


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
