"""SQLModel tables. Import from here so Alembic sees every table."""

from sen_portal.models.accounts import ApprovalStatus, UserAccount, UserRole
from sen_portal.models.addresses import Address
from sen_portal.models.audit import AuditEvent
from sen_portal.models.documents import ContainerKind, ScanStatus, StoredDocument
from sen_portal.models.lookups import LookupEntry
from sen_portal.models.messages import MessageSide, MessageThread, PortalMessage
from sen_portal.models.notices import MaintenanceNotice
from sen_portal.models.outbox import OutboxMessage, OutboxStatus
from sen_portal.models.referrals import FormVersion, ReferenceCounter, Referral, ReferralStatusChange
from sen_portal.models.registration import EmailToken, PendingPasswordHash, RateLimitEvent
from sen_portal.models.sessions import SignInTicket, UserSession
from sen_portal.models.sign_in import ChallengeMethod, LoginChallenge, RecoveryCode

__all__ = [
    "Address",
    "ApprovalStatus",
    "AuditEvent",
    "ChallengeMethod",
    "ContainerKind",
    "EmailToken",
    "FormVersion",
    "LoginChallenge",
    "LookupEntry",
    "MaintenanceNotice",
    "MessageSide",
    "MessageThread",
    "OutboxMessage",
    "OutboxStatus",
    "PendingPasswordHash",
    "PortalMessage",
    "RateLimitEvent",
    "RecoveryCode",
    "ReferenceCounter",
    "Referral",
    "ReferralStatusChange",
    "ScanStatus",
    "SignInTicket",
    "StoredDocument",
    "UserAccount",
    "UserRole",
    "UserSession",
]
