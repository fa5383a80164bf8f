"""SQLModel tables. Import from here so Alembic sees every table."""

from sen_portal.models.accounts import UserAccount, UserRole
from sen_portal.models.outbox import OutboxMessage, OutboxStatus

__all__ = ["OutboxMessage", "OutboxStatus", "UserAccount", "UserRole"]
