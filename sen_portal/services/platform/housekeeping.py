"""Periodic clean-up, so tables of short-lived rows do not grow for ever.

Run hourly by the web process on a single machine (``OUTBOX_IN_APP=true``) or by
``python -m sen_portal.cli housekeeping`` from cron / a systemd timer. Every step
is idempotent and only removes rows long past any use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, or_
from sqlmodel import Session, col

from sen_portal.config import Settings
from sen_portal.models import LoginChallenge, SignInTicket, UserSession
from sen_portal.services.accounts import pending_password, registration
from sen_portal.services.auth import email_tokens
from sen_portal.services.documents import streaming as documents
from sen_portal.services.messaging import message_attachments
from sen_portal.services.platform import rate_limits
from sen_portal.services.platform.clock import Clock, system_clock
from sen_portal.services.referrals import draft_retention

SESSION_RETENTION = timedelta(days=30)  # ended sessions stay a while for "where am I signed in"
CHALLENGE_RETENTION = timedelta(days=1)


@dataclass
class HousekeepingReport:
    removed: dict[str, int] = field(default_factory=dict)
    warned: dict[str, int] = field(default_factory=dict)  # owners emailed that something will be removed

    def __str__(self) -> str:
        done = [f"{name} {count}" for name, count in self.removed.items() if count]
        text = "housekeeping: removed " + (", ".join(done) if done else "nothing")
        warned = [f"{name} {count}" for name, count in self.warned.items() if count]
        return text + ("; warned owners of " + ", ".join(warned) if warned else "")


def run_housekeeping(session: Session, settings: Settings, *, clock: Clock = system_clock) -> HousekeepingReport:
    now = clock()
    report = HousekeepingReport()
    report.removed["rate-limit events"] = rate_limits.prune(session, clock=clock)
    report.removed["expired links"] = email_tokens.prune(session, clock=clock)
    report.removed["unverified accounts"] = registration.purge_unverified_accounts(session, clock=clock)
    report.removed["pending registration passwords"] = pending_password.prune(session, clock=clock)
    report.removed["sign-in tickets"] = _count(
        session.execute(delete(SignInTicket).where(col(SignInTicket.expires_at) < now - CHALLENGE_RETENTION))
    )
    report.removed["sign-in challenges"] = _count(
        session.execute(delete(LoginChallenge).where(col(LoginChallenge.expires_at) < now - CHALLENGE_RETENTION))
    )
    report.removed["old sessions"] = _count(
        session.execute(
            delete(UserSession).where(
                or_(
                    col(UserSession.expires_at) < now - SESSION_RETENTION,
                    col(UserSession.ended_at) < now - SESSION_RETENTION,
                )
            )
        )
    )
    drafts = draft_retention.apply_retention(session, settings, clock=clock)
    report.removed["untouched drafts"] = drafts.deleted
    report.warned["untouched drafts"] = drafts.warned
    report.removed["unsent message attachments"] = message_attachments.discard_abandoned(session, settings, clock=clock)
    sweep = documents.sweep_orphans(session, settings, clock=clock)
    report.removed["orphan files"] = sweep.incomplete_removed + sweep.orphans_removed + sweep.deleted_removed
    return report


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
