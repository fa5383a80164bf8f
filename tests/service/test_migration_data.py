"""Migrations keep data: every table filled, then each revision stepped down, up and down again.

On SQLite, altering a table in batch mode rebuilds it (copy, DROP, rename); with foreign keys on, the
DROP deleted or refused every row that referenced it (0004's comment warned of it; 0007's and 0010's
downgrades then lost every email token or failed once referrals existed). This test is the guard:
at every revision, every table that still exists keeps every row and every value of the columns it
still has, on SQLite and PostgreSQL.

Rows are written at head: hand-written realistic rows for the tables below, and typed filler for any
table or column added later (so a new migration is exercised the day it lands).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Integer, Table, insert, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import sen_portal.models  # noqa: F401 - registers every table
from alembic import command
from sen_portal.db import make_engine
from tests.conftest import alembic_config
from tests.service.test_migrations import _revisions_base_to_head, empty_database_url  # noqa: F401 - the fixture

pytestmark = pytest.mark.service

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

# Realistic rows, table by table (ids given so references are explicit).
ROWS: dict[str, list[dict[str, Any]]] = {
    "user_account": [
        {
            "id": 1,
            "email": "jo.senco@abbeygreen.example.sch.uk",
            "role": "professional",
            "first_name": "Jo",
            "last_name": "Bloggs",
            "title": "Ms",
            "organisation": "Abbey Green Primary",
            "job_title": "SENCO",
            "professional_role": "senco",
            "phone": "01782 232323",
            "address_postcode": "ST4 7AA",
            "email_verified_at": NOW,
            "password_hash": "$2b$12$" + "a" * 53,
            "approval_status": "approved",
            "totp_secret": None,
            "maintenance_emails": True,
        },
        {
            "id": 2,
            "email": "case.worker@council.example.gov.uk",
            "role": "caseworker",
            "first_name": "Sam",
            "last_name": "Okafor",
            "email_verified_at": NOW,
            "password_hash": "$2b$12$" + "b" * 53,
            "pending_email": "s.okafor@council.example.gov.uk",
            "totp_enabled_at": NOW,
            "totp_last_step": 59_000_000,
        },
        {
            "id": 3,
            "email": "new.hv@nhs.example.net",
            "role": "professional",
            "approval_status": "pending",
            "first_name": "Priya",
            "last_name": "Shah",
            "professional_role": "health_visitor",
        },
    ],
    "outbox_message": [
        {
            "id": 1,
            "to_address": "jo.senco@abbeygreen.example.sch.uk",
            "subject": "Confirm your email address",
            "text_body": "Open the link to confirm.",
            "html_body": "<p>Open the link to confirm.</p>",
            "headers": {"X-Category": "verify"},
            "category": "verify_email",
            "status": "sent",
            "attempts": 1,
            "next_attempt_at": NOW,
            "sent_at": NOW,
            "provider_message_id": "sg-123",
        },
        {
            "id": 2,
            "to_address": "case.worker@council.example.gov.uk",
            "subject": "You have a new portal message",
            "text_body": "Sign in to read it.",
            "html_body": "<p>Sign in to read it.</p>",
            "headers": {},
            "category": "message_alert",
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": NOW,
        },
    ],
    "address": [
        {"id": 1, "uprn": "3455001", "line1": "1 Real Road", "town": "Stoke-on-Trent", "postcode": "ST4 7AA"},
        {
            "id": 2,
            "uprn": "3455002",
            "line1": "Flat 2",
            "line2": "3 Mill Lane",
            "town": "Hanley",
            "postcode": "ST1 1AA",
        },
    ],
    "lookup_entry": [
        {"id": 1, "list_key": "professional_role", "value": "senco", "label": "SENCO", "sort_order": 10},
        {"id": 2, "list_key": "setting", "value": "abbey", "label": "Abbey Green Primary School", "sort_order": 10},
        {
            "id": 3,
            "list_key": "document_type",
            "value": "sen_support_plan",
            "label": "SEN support plan",
            "is_active": False,
        },
    ],
    "email_token": [
        {"id": 1, "user_id": 1, "purpose": "verify_email", "token_hash": HASH, "expires_at": NOW + timedelta(days=2)},
        {
            "id": 2,
            "user_id": 3,
            "purpose": "password_reset",
            "token_hash": HASH[::-1],
            "used_at": NOW,
            "expires_at": NOW + timedelta(hours=1),
        },
    ],
    "rate_limit_event": [{"id": 1, "bucket": "sign_in:ip:203.0.113.7"}, {"id": 2, "bucket": "register:email:x"}],
    "user_session": [
        {
            "id": 1,
            "user_id": 1,
            "token_hash": HASH,
            "last_seen_at": NOW,
            "expires_at": NOW + timedelta(hours=12),
            "ip": "203.0.113.7",
            "user_agent": "Mozilla/5.0 (Windows NT 10.0)",
        },
    ],
    "sign_in_ticket": [{"id": 1, "user_id": 1, "ticket_hash": HASH, "expires_at": NOW + timedelta(minutes=1)}],
    "login_challenge": [
        {
            "id": 1,
            "user_id": 1,
            "method": "email",
            "code_hash": HASH,
            "expires_at": NOW + timedelta(minutes=10),
            "end_reason": "",
            "wrong_attempts": 2,
            "sends": 1,
            "last_sent_at": NOW,
        },
    ],
    "recovery_code": [
        {"id": 1, "user_id": 2, "code_hash": HASH},
        {"id": 2, "user_id": 2, "code_hash": HASH[:-1] + "1"},
    ],
    "stored_document": [
        {
            "id": 1,
            "public_id": "d" * 32,
            "owner_user_id": 1,
            "container_kind": "referral",
            "container_id": 1,
            "slot": "sen_support_plan",
            "document_type": "sen_support_plan",
            "original_name": "My plan (v2).pdf",
            "content_type": "application/pdf",
            "size_bytes": 3_000_000_000,
            "sha256": HASH,
            "storage_name": "s" * 40,
            "scan_status": "clean",
        },
    ],
    "form_version": [
        {
            "id": 1,
            "form_key": "ehc_needs_assessment",
            "version": 1,
            "status": "live",
            "title": "Request for an EHC needs assessment",
            "reference_prefix": "EHC",
            "definition": {"key": "ehc_needs_assessment", "sections": [{"key": "child", "fields": []}]},
            "published_at": NOW,
            "created_by_email": "admin@council.example.gov.uk",
        },
        {
            "id": 2,
            "form_key": "ehc_needs_assessment",
            "version": 2,
            "status": "draft",
            "title": "Request (draft)",
            "reference_prefix": "EHC",
            "definition": {"sections": []},
            "changed_at": NOW,
        },
    ],
    "reference_counter": [{"prefix": "EHC", "year": 2026, "last_number": 17}],
    "referral": [
        {
            "id": 1,
            "public_id": "r" * 32,
            "reference": "EHC-2026-000017",
            "form_version_id": 1,
            "owner_user_id": 1,
            "status": "submitted",
            "child_name": "Zoë O'Brien-Smith",
            "submitted_at": NOW,
            "answers": {"child_first_name": "Zoë", "current_setting": "abbey", "child_date_of_birth": "2016-04-02"},
            "completed_sections": ["child", "setting"],
            "assigned_to_user_id": 2,
            "child_name_key": "zoe obriensmith",
            "child_dob": date(2016, 4, 2),
            "setting_name": "Abbey Green Primary School",
            "received_at": NOW,
            "decision_due_on": date(2026, 12, 14),
            "final_plan_due_on": date(2027, 3, 22),
        },
        {
            "id": 2,
            "public_id": "q" * 32,
            "form_version_id": 1,
            "owner_user_id": 1,
            "status": "draft",
            "child_name": "",
            "deletion_warned_at": NOW,
            "answers": {},
            "completed_sections": [],
        },
    ],
    "audit_event": [
        {
            "id": 1,
            "actor_user_id": 2,
            "actor_email": "case.worker@council.example.gov.uk",
            "action": "referral.status_changed",
            "object_type": "referral",
            "object_id": "r" * 32,
            "client_ip": "198.51.100.2",
            "outcome": "ok",
            "detail": {"from": "submitted", "to": "in_review"},
        },
    ],
    "referral_status_change": [
        {
            "id": 1,
            "referral_id": 1,
            "from_status": "submitted",
            "to_status": "in_review",
            "actor_user_id": 2,
            "note": "Picked up",
            "changed_at": NOW,
        },
    ],
    "maintenance_notice": [
        {
            "id": 1,
            "title": "Planned maintenance",
            "body": "The portal is closed on Saturday morning.",
            "starts_at": NOW + timedelta(days=5),
            "ends_at": NOW + timedelta(days=5, hours=3),
            "pause_sign_in": True,
            "created_by_user_id": 2,
        },
    ],
    "message_thread": [
        {
            "id": 1,
            "referral_id": 1,
            "last_message_at": NOW,
            "professional_read_up_to": 1,
            "staff_read_up_to": 2,
            "professional_alert_pending": True,
            "staff_alert_pending": False,
        },
    ],
    "portal_message": [
        {"id": 1, "thread_id": 1, "author_user_id": 2, "author_side": "staff", "body": "Could you send the plan?"},
        {"id": 2, "thread_id": 1, "author_user_id": 1, "author_side": "professional", "body": "Attached — thanks."},
    ],
}


def _filler(table: Table, column: Any, n: int) -> Any:
    """A typed value for a column the hand-written rows leave out (defaults, or added by a later migration)."""
    if column.foreign_keys:
        return 1
    kind = column.type
    if isinstance(kind, DateTime) or getattr(kind, "impl", None).__class__ is DateTime:
        return NOW
    if isinstance(kind, Date):
        return date(2026, 1, 1)
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer | BigInteger):
        return n
    if isinstance(kind, JSON):
        return {}
    length = getattr(kind, "length", None) or 40
    return f"{table.name[:4]}{column.name[:4]}{n}"[:length]


def fill_every_table(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows = ROWS.get(table.name) or [{"id": 1}, {"id": 2}]
            for n, given in enumerate(rows, start=1):
                row = {
                    c.name: _filler(table, c, n)
                    for c in table.columns
                    if c.name not in given and not c.nullable and not c.primary_key
                }
                connection.execute(insert(table).values({**row, **given}))
        if engine.dialect.name == "postgresql":  # rows were given ids: move the sequences past them
            for table in SQLModel.metadata.sorted_tables:
                if "id" in table.columns and isinstance(table.columns["id"].type, Integer):
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))"
                        )
                    )


def snapshot(engine: Engine) -> dict[str, dict[str, list[Any]]]:
    """Every table's rows as it is now: table -> column -> values (in primary-key order), as stored."""
    inspector = inspect(engine)
    tables: dict[str, dict[str, list[Any]]] = {}
    with engine.connect() as connection:
        for name in inspector.get_table_names():
            if name == "alembic_version":
                continue
            columns = [c["name"] for c in inspector.get_columns(name)]
            order = ", ".join(inspector.get_pk_constraint(name)["constrained_columns"])
            rows = connection.execute(text(f"SELECT {', '.join(columns)} FROM {name} ORDER BY {order}")).all()
            tables[name] = {column: [_plain(row[i]) for row in rows] for i, column in enumerate(columns)}
    return tables


def _plain(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def assert_kept(
    at_head: dict[str, dict[str, list[Any]]],
    now: dict[str, dict[str, list[Any]]],
    where: str,
    *,
    only: dict[str, dict[str, list[Any]]] | None = None,
) -> None:
    """Every column both here and at head holds head's values (``only``: just the columns that outlived a
    downgrade; a column an upgrade adds again starts from its default)."""
    for table, columns in now.items():
        for column, values in columns.items():
            if column in at_head.get(table, {}) and (only is None or column in only.get(table, {})):
                assert values == at_head[table][column], f"{where}: {table}.{column} changed or lost rows"


def columns_of(tables: dict[str, dict[str, list[Any]]]) -> dict[str, set[str]]:
    return {table: set(columns) for table, columns in tables.items()}


def test_every_revision_keeps_every_row(empty_database_url: str) -> None:  # noqa: F811
    """Also: each downgrade is its upgrade's exact inverse (same tables and columns either side), and
    the re-upgrade works, so a leftover index or type would fail here."""
    config = alembic_config(empty_database_url)
    revisions = _revisions_base_to_head()
    command.upgrade(config, "head")
    engine = make_engine(empty_database_url)
    try:
        fill_every_table(engine)
        at_head = snapshot(engine)
        assert all(columns and next(iter(columns.values())) for columns in at_head.values()), "a table has no rows"
        assert set(SQLModel.metadata.tables) <= set(at_head)

        current = at_head
        for revision, below in zip(reversed(revisions), reversed([None, *revisions[:-1]]), strict=True):
            command.downgrade(config, below or "base")
            below_snapshot = snapshot(engine)
            assert_kept(at_head, below_snapshot, f"down from {revision}")
            if below is None:
                break
            command.upgrade(config, revision)  # the upgrade runs over real rows, as in production
            up_again = snapshot(engine)
            assert columns_of(up_again) == columns_of(current), f"{revision} up again is not the schema it left"
            assert_kept(at_head, up_again, f"up again to {revision}", only=below_snapshot)
            command.downgrade(config, below)
            current = snapshot(engine)
            assert columns_of(current) == columns_of(below_snapshot), f"downgrade of {revision} is not its inverse"
            assert_kept(at_head, current, f"down again from {revision}")

        assert snapshot(engine) == {}, "downgrade to base left tables behind"
        command.upgrade(config, "head")
        assert columns_of(snapshot(engine)) == columns_of(at_head)
    finally:
        engine.dispose()
