"""pending password hash: a registering professional's password hash waits here, not in page state

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 18:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import sen_portal.models.types
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_password_hash",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handle_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("expires_at", sen_portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("handle_hash"),
    )
    with op.batch_alter_table("pending_password_hash", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_password_hash_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pending_password_hash", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_password_hash_expires_at"))
    op.drop_table("pending_password_hash")
