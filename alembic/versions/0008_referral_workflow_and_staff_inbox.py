"""referral workflow and staff inbox

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 15:25:16.020447
"""

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel

import sen_portal.models.types
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "referral_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("changed_at", sen_portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_user_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("referral_status_change", schema=None) as batch_op:
        batch_op.create_index("ix_referral_status_change_referral", ["referral_id", "changed_at"], unique=False)

    # server defaults on the NOT NULL columns fill the rows that already exist.
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_to_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("child_name_key", sqlmodel.sql.sqltypes.AutoString(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("child_dob", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("setting_name", sqlmodel.sql.sqltypes.AutoString(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("received_at", sen_portal.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("decision_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("final_plan_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("possible_duplicate", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(
            sa.Column(
                "decision_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), server_default="", nullable=False
            )
        )
        batch_op.create_index("ix_referral_assigned_received", ["assigned_to_user_id", "received_at"], unique=False)
        batch_op.create_index("ix_referral_child_key_dob", ["child_name_key", "child_dob"], unique=False)
        batch_op.create_index("ix_referral_decision_due_on", ["decision_due_on"], unique=False)
        batch_op.create_index("ix_referral_received_at", ["received_at"], unique=False)
        batch_op.create_index("ix_referral_setting_name", ["setting_name"], unique=False)
        batch_op.create_index("ix_referral_status_received", ["status", "received_at"], unique=False)
        batch_op.create_foreign_key(
            "fk_referral_assigned_to_user_id", "user_account", ["assigned_to_user_id"], ["id"], ondelete="SET NULL"
        )
    _backfill_received_dates()


def _backfill_received_dates() -> None:
    """Referrals sent before this revision get what submit now copies out of the answers: the
    received date and statutory deadlines (6 and 20 calendar weeks from the day received, in
    England; services.statutory_dates), the search key of the child's name, the date of birth and
    the setting's label (services.referral_intake; inlined so this revision never changes meaning)."""
    connection = op.get_bind()
    referral = sa.table(
        "referral",
        sa.column("id", sa.Integer()),
        sa.column("answers", sa.JSON()),
        sa.column("child_name", sa.String()),
        sa.column("child_name_key", sa.String()),
        sa.column("child_dob", sa.Date()),
        sa.column("setting_name", sa.String()),
        sa.column("submitted_at", sen_portal.models.types.UTCDateTime(timezone=True)),
        sa.column("received_at", sen_portal.models.types.UTCDateTime(timezone=True)),
        sa.column("decision_due_on", sa.Date()),
        sa.column("final_plan_due_on", sa.Date()),
    )
    lookup = sa.table(
        "lookup_entry",
        sa.column("list_key", sa.String()),
        sa.column("value", sa.String()),
        sa.column("label", sa.String()),
    )
    settings = dict(
        connection.execute(sa.select(lookup.c.value, lookup.c.label).where(lookup.c.list_key == "setting")).fetchall()
    )
    london = ZoneInfo("Europe/London")
    rows = connection.execute(
        sa.select(referral.c.id, referral.c.submitted_at, referral.c.child_name, referral.c.answers).where(
            referral.c.submitted_at.is_not(None)
        )
    )
    for referral_id, submitted_at, child_name, answers in rows.fetchall():
        received_on = submitted_at.astimezone(london).date()
        answers = answers if isinstance(answers, dict) else {}
        setting = answers.get("current_setting")
        setting = settings.get(setting, setting) if isinstance(setting, str) else ""
        connection.execute(
            referral.update()
            .where(referral.c.id == referral_id)
            .values(
                received_at=submitted_at,
                decision_due_on=received_on + timedelta(weeks=6),
                final_plan_due_on=received_on + timedelta(weeks=20),
                child_name_key=_name_key(child_name or ""),
                child_dob=_iso_date(answers.get("child_date_of_birth")),
                setting_name=(setting or "").strip()[:200],
            )
        )


def _name_key(name: str) -> str:
    letters = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]|_", "", letters.casefold())).strip()[:200]


def _iso_date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def downgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_constraint("fk_referral_assigned_to_user_id", type_="foreignkey")
        batch_op.drop_index("ix_referral_status_received")
        batch_op.drop_index("ix_referral_setting_name")
        batch_op.drop_index("ix_referral_received_at")
        batch_op.drop_index("ix_referral_decision_due_on")
        batch_op.drop_index("ix_referral_child_key_dob")
        batch_op.drop_index("ix_referral_assigned_received")
        batch_op.drop_column("decision_reason")
        batch_op.drop_column("possible_duplicate")
        batch_op.drop_column("final_plan_due_on")
        batch_op.drop_column("decision_due_on")
        batch_op.drop_column("received_at")
        batch_op.drop_column("setting_name")
        batch_op.drop_column("child_dob")
        batch_op.drop_column("child_name_key")
        batch_op.drop_column("assigned_to_user_id")

    with op.batch_alter_table("referral_status_change", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_status_change_referral")

    op.drop_table("referral_status_change")
