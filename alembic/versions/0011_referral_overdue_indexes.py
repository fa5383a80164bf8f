"""referral overdue indexes: (status, decision_due_on) and (status, final_plan_due_on) for the inbox's overdue view

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 17:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index("ix_referral_status_decision_due", ["status", "decision_due_on"], unique=False)
        batch_op.create_index("ix_referral_status_plan_due", ["status", "final_plan_due_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_status_plan_due")
        batch_op.drop_index("ix_referral_status_decision_due")
