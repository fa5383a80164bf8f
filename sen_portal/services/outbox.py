"""Transactional outbox: enqueue inside the caller's transaction; send later, exactly once.

Claiming is a conditional UPDATE (``claimed_until`` in the past or empty), so two
senders never own the same row, on SQLite or PostgreSQL. On PostgreSQL the
candidate SELECT also uses ``FOR UPDATE SKIP LOCKED`` so senders do not queue
behind each other's locks. A sender that dies mid-send loses its lease and the
row comes back after ``LEASE``: the only point where a duplicate is possible is
between the provider accepting the message and us recording that.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from sen_portal.email.message import EmailMessage
from sen_portal.email.transports import PermanentSendError, TransientSendError, Transport
from sen_portal.models import OutboxMessage, OutboxStatus
from sen_portal.services import faults
from sen_portal.services.clock import Clock, system_clock

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(seconds=5)
MAX_RETRY = timedelta(hours=1)


class UnsafeHeader(ValueError):
    """A recipient, subject or header holds a line break: it would start a header of its own."""


def _check_headers(message: EmailMessage) -> None:
    for value in (message.to, message.subject, *message.headers.keys(), *message.headers.values()):
        if any(char in value for char in "\r\n\x00\u0085\u2028\u2029"):
            raise UnsafeHeader("an email header value holds a line break")


def enqueue(session: Session, message: EmailMessage, *, clock: Clock = system_clock) -> OutboxMessage:
    """Add ``message`` to the outbox; it is sent only if the caller's transaction commits.

    ``UnsafeHeader`` for a message whose headers hold a line break: refused here, once, rather
    than left to each transport (a worker would otherwise retry it until it is dead-lettered).
    """
    _check_headers(message)
    row = OutboxMessage(
        to_address=message.to,
        subject=message.subject,
        text_body=message.text,
        html_body=message.html,
        headers=dict(message.headers),
        category=message.category,
        next_attempt_at=clock(),
        created_at=clock(),
    )
    session.add(row)
    return row


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 5 s, 10 s, 20 s ... capped at an hour."""
    # Bound the exponent too: 5 s * 2**20 is far past the cap, and a big count would overflow timedelta.
    exponent = min(max(attempts - 1, 0), 20)
    return min(FIRST_RETRY * 2**exponent, MAX_RETRY)


def claim_due(engine: Engine, *, limit: int = 20, clock: Clock = system_clock) -> list[OutboxMessage]:
    """Take a lease on up to ``limit`` due messages and return them."""
    now = clock()
    claimed_ids: list[int] = []
    with Session(engine, expire_on_commit=False) as session:
        candidates = (
            select(col(OutboxMessage.id))
            .where(
                col(OutboxMessage.status) == OutboxStatus.PENDING,
                col(OutboxMessage.next_attempt_at) <= now,
                or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < now),
            )
            .order_by(col(OutboxMessage.id))
            .limit(limit)
        )
        if engine.dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        ids = [message_id for message_id in session.exec(candidates) if message_id is not None]  # typed Optional
        for message_id in ids:
            result = session.exec(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id) == message_id,
                    col(OutboxMessage.status) == OutboxStatus.PENDING,
                    or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < now),
                )
                .values(claimed_until=now + LEASE)
            )
            if result.rowcount == 1:
                claimed_ids.append(message_id)
        session.commit()
        if not claimed_ids:
            return []
        claimed = select(OutboxMessage).where(col(OutboxMessage.id).in_(claimed_ids)).order_by(col(OutboxMessage.id))
        return list(session.exec(claimed))


def _as_email(row: OutboxMessage) -> EmailMessage:
    return EmailMessage(
        to=row.to_address,
        subject=row.subject,
        text=row.text_body,
        html=row.html_body,
        category=row.category,
        headers=dict(row.headers or {}),
    )


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0


def send_due(engine: Engine, transport: Transport, *, limit: int = 20, clock: Clock = system_clock) -> SendReport:
    """Send what is due once; returns counts. Safe to run from several processes."""
    report = SendReport()
    for row in claim_due(engine, limit=limit, clock=clock):
        if row.claimed_until is None or clock() >= row.claimed_until:
            # Earlier sends in this batch were slow and our lease is gone: another sender
            # may already have reclaimed the rest, so sending them now could duplicate.
            log.warning("outbox lease expired mid-batch; leaving message %s to be reclaimed", row.id)
            break
        attempts = row.attempts + 1
        values: dict[str, object] = {"attempts": attempts, "claimed_until": None}
        try:
            values["provider_message_id"] = transport.send(_as_email(row))[:200]
            faults.crash_point(faults.AFTER_EMAIL_SENT)
            values["status"] = OutboxStatus.SENT
            values["sent_at"] = clock()
            report.sent += 1
        except PermanentSendError as error:
            values["status"] = OutboxStatus.DEAD
            values["last_error"] = str(error)[:1000]
            report.dead += 1
        except Exception as error:
            # TransientSendError, or anything a transport failed to classify: the latter is
            # counted and backed off like a transient failure (and so dead-lettered in the
            # end) instead of escaping, killing the worker and leaving the batch leased.
            if isinstance(error, TransientSendError):
                values["last_error"] = str(error)[:1000]
            else:
                log.exception("outbox message %s (%s): unexpected send error", row.id, row.category)
                values["last_error"] = f"{type(error).__name__}: {error}"[:1000]
            if attempts >= MAX_ATTEMPTS:
                values["status"] = OutboxStatus.DEAD
                report.dead += 1
            else:
                values["next_attempt_at"] = clock() + retry_delay(attempts)
                report.retried += 1
        # Logs name the message id and category only: never the body (codes, links).
        log.info("outbox message %s (%s): %s", row.id, row.category, values.get("status", "retry"))
        with Session(engine) as session:
            session.execute(update(OutboxMessage).where(col(OutboxMessage.id) == row.id).values(**values))
            session.commit()
    return report
