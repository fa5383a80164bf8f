"""The transactional outbox on SQLite and PostgreSQL, against real mail servers.

Time is a ``FakeClock`` handed to the services, so backoff and leases are checked by
moving the clock, never by sleeping.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sen_portal.db import session_scope
from sen_portal.email.message import EmailMessage
from sen_portal.email.transports import Transport
from sen_portal.models import OutboxMessage, OutboxStatus, UserAccount
from sen_portal.services.outbox import (
    FIRST_RETRY,
    LEASE,
    MAX_ATTEMPTS,
    MAX_RETRY,
    SendReport,
    claim_due,
    enqueue,
    retry_delay,
    send_due,
)
from tests.mail_servers import SendGridAnswer, SendGridTestServer, SmtpTestServer

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            return self.now

    def advance(self, delta: timedelta) -> None:
        with self.lock:
            self.now += delta

    def set(self, when: datetime) -> None:
        with self.lock:
            self.now = when


def message(to: str, **overrides: object) -> EmailMessage:
    values: dict = {
        "to": to,
        "subject": "Confirm your email address",
        "text": "Follow the link to confirm.\n",
        "html": "<p>Follow the link to confirm.</p>",
        "category": "verification",
        "headers": {"X-Portal-Category": "verification"},
    } | overrides
    return EmailMessage(**values)


def queue(engine: Engine, clock: FakeClock, *messages: EmailMessage) -> None:
    with session_scope(engine) as session:
        for item in messages:
            enqueue(session, item, clock=clock)


def rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def pending_count(engine: Engine) -> int:
    with Session(engine) as session:
        statement = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
        return session.exec(statement).one()


class RecordingTransport:
    """Stands in for a provider where the test needs to script behaviour; records what it 'sent'."""

    def __init__(self, on_send: Callable[[EmailMessage], None] | None = None) -> None:
        self.sent: list[str] = []
        self.on_send = on_send

    def send(self, message: EmailMessage) -> str:
        if self.on_send is not None:
            self.on_send(message)
        self.sent.append(message.to)
        return f"recorded-{len(self.sent)}"


# --- enqueue -----------------------------------------------------------------------------


@pytest.mark.service
def test_enqueued_row_keeps_the_whole_message(engine: Engine) -> None:
    clock = FakeClock()
    queue(engine, clock, message("officer@example.gov.uk"))

    [row] = rows(engine)
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 0
    assert row.to_address == "officer@example.gov.uk"
    assert row.headers == {"X-Portal-Category": "verification"}
    assert row.text_body == "Follow the link to confirm.\n"
    assert row.html_body == "<p>Follow the link to confirm.</p>"
    assert row.next_attempt_at == START and row.created_at == START
    assert row.next_attempt_at.tzinfo is not None


@pytest.mark.service
def test_email_enqueued_in_a_rolled_back_transaction_is_never_sent(
    engine: Engine, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    with pytest.raises(RuntimeError, match="registration failed"), session_scope(engine) as session:
        session.add(UserAccount(email="rolled-back@example.gov.uk"))
        enqueue(session, message("rolled-back@example.gov.uk"), clock=clock)
        session.flush()  # the rows really reached the database before the rollback
        raise RuntimeError("registration failed after the email was queued")
    queue(engine, clock, message("committed@example.gov.uk"))

    report = send_due(engine, smtp_server.transport(tmp_path), clock=clock)

    assert report == SendReport(sent=1)
    assert [mail.rcpt_tos for mail in smtp_server.messages] == [["committed@example.gov.uk"]]
    assert [row.to_address for row in rows(engine)] == ["committed@example.gov.uk"]
    with Session(engine) as session:
        assert session.exec(select(UserAccount)).all() == []


# --- retries against real servers --------------------------------------------------------


@pytest.mark.service
def test_smtp_down_message_waits_then_is_delivered_exactly_once(
    engine: Engine, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    transport = smtp_server.transport(tmp_path)
    queue(engine, clock, message("parent@example.org"))
    smtp_server.stop()

    assert send_due(engine, transport, clock=clock) == SendReport(retried=1)
    [row] = rows(engine)
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 1
    assert row.next_attempt_at == START + retry_delay(1)
    assert row.next_attempt_at > clock()
    assert row.claimed_until is None
    assert "SMTP unavailable" in row.last_error

    smtp_server.start()  # same port
    clock.set(row.next_attempt_at - timedelta(seconds=1))
    assert send_due(engine, transport, clock=clock) == SendReport()  # the backoff is respected
    assert smtp_server.messages == []

    clock.set(row.next_attempt_at)
    assert send_due(engine, transport, clock=clock) == SendReport(sent=1)
    clock.advance(timedelta(days=1))
    assert send_due(engine, transport, clock=clock) == SendReport()

    [mail] = smtp_server.messages
    [row] = rows(engine)
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 2
    assert row.sent_at == START + retry_delay(1)
    assert row.provider_message_id == mail.message["Message-ID"]
    assert mail.tls and mail.rcpt_tos == ["parent@example.org"]


@pytest.mark.service
def test_sendgrid_503_is_retried_then_sent(engine: Engine, sendgrid_server: SendGridTestServer, tmp_path: Path) -> None:
    clock = FakeClock()
    transport = sendgrid_server.transport(tmp_path)
    queue(engine, clock, message("parent@example.org"))
    sendgrid_server.answer(503)

    assert send_due(engine, transport, clock=clock) == SendReport(retried=1)
    [row] = rows(engine)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.PENDING, 1, "SendGrid 503")

    clock.set(row.next_attempt_at)
    assert send_due(engine, transport, clock=clock) == SendReport(sent=1)

    [(message_id, body)] = sendgrid_server.delivered
    assert len(sendgrid_server.requests) == 2
    [row] = rows(engine)
    assert row.status == OutboxStatus.SENT
    assert row.provider_message_id == message_id
    assert body["personalizations"][0]["to"] == [{"email": "parent@example.org"}]


@pytest.mark.service
def test_sendgrid_400_is_dead_lettered_with_its_reason(
    engine: Engine, sendgrid_server: SendGridTestServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    transport = sendgrid_server.transport(tmp_path)
    queue(engine, clock, message("not-an-address"))
    error = {"errors": [{"message": "Does not contain a valid address.", "field": "personalizations.0.to.0.email"}]}
    sendgrid_server.answer(SendGridAnswer(400, error))

    assert send_due(engine, transport, clock=clock) == SendReport(dead=1)
    clock.advance(timedelta(days=1))
    assert send_due(engine, transport, clock=clock) == SendReport()  # never tried again

    [row] = rows(engine)
    assert row.status == OutboxStatus.DEAD
    assert row.attempts == 1
    assert "SendGrid 400" in row.last_error
    assert "Does not contain a valid address." in row.last_error
    assert len(sendgrid_server.requests) == 1
    assert sendgrid_server.delivered == []


@pytest.mark.service
def test_transient_failures_are_dead_lettered_after_max_attempts(
    engine: Engine, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    transport = smtp_server.transport(tmp_path)
    queue(engine, clock, message("parent@example.org"))
    smtp_server.stop()

    reports = []
    for _ in range(MAX_ATTEMPTS):
        reports.append(send_due(engine, transport, clock=clock))
        [row] = rows(engine)
        clock.set(row.next_attempt_at)

    assert reports == [SendReport(retried=1)] * (MAX_ATTEMPTS - 1) + [SendReport(dead=1)]
    [row] = rows(engine)
    assert row.status == OutboxStatus.DEAD
    assert row.attempts == MAX_ATTEMPTS
    assert "SMTP unavailable" in row.last_error
    smtp_server.start()
    clock.advance(timedelta(days=1))
    assert send_due(engine, transport, clock=clock) == SendReport()
    assert smtp_server.messages == []


@pytest.mark.unit
def test_retry_delay_grows_exponentially_and_is_capped() -> None:
    delays = [retry_delay(attempts) for attempts in range(1, 30)]

    assert delays[:4] == [FIRST_RETRY, FIRST_RETRY * 2, FIRST_RETRY * 4, FIRST_RETRY * 8]
    assert all(later >= earlier for earlier, later in pairwise(delays))
    assert max(delays) == MAX_RETRY == delays[-1]
    assert retry_delay(1000) == MAX_RETRY  # no overflow for absurd counts
    assert retry_delay(0) == FIRST_RETRY


# --- failures a transport did not expect -------------------------------------------------


@pytest.mark.service
def test_a_header_injection_attempt_is_dead_lettered_and_the_batch_goes_on(
    engine: Engine, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    injected_message = message("victim@example.org", subject="Welcome Jo\r\nBcc: everyone@example.org")
    # enqueue refuses it (below); a row written before that check existed must still never be sent.
    with session_scope(engine) as session:
        session.add(
            OutboxMessage(
                to_address=injected_message.to,
                subject=injected_message.subject,
                text_body=injected_message.text,
                html_body=injected_message.html,
                category=injected_message.category,
                next_attempt_at=clock(),
                created_at=clock(),
            )
        )
    queue(engine, clock, message("parent@example.org"))

    assert send_due(engine, smtp_server.transport(tmp_path), clock=clock) == SendReport(sent=1, dead=1)

    injected, normal = rows(engine)
    assert injected.status == OutboxStatus.DEAD and "cannot be encoded" in injected.last_error
    assert normal.status == OutboxStatus.SENT
    assert [mail.rcpt_tos for mail in smtp_server.messages] == [["parent@example.org"]]


@pytest.mark.service
def test_enqueue_refuses_a_header_with_a_line_break(engine: Engine) -> None:
    from sen_portal.services.outbox import UnsafeHeader

    for bad in (
        message("victim@example.org", subject="Welcome\r\nBcc: everyone@example.org"),
        message("victim@example.org\nBcc: everyone@example.org"),
    ):
        with pytest.raises(UnsafeHeader), session_scope(engine) as session:
            enqueue(session, bad, clock=FakeClock())
    assert rows(engine) == []


@pytest.mark.service
def test_an_unexpected_transport_error_is_counted_and_retried_not_fatal(engine: Engine) -> None:
    clock = FakeClock()

    def explode_for_first(sent: EmailMessage) -> None:
        if sent.to == "first@example.org":
            raise RuntimeError("library bug")

    transport = RecordingTransport(explode_for_first)
    queue(engine, clock, message("first@example.org"), message("second@example.org"))

    assert send_due(engine, transport, clock=clock) == SendReport(sent=1, retried=1)

    first, second = rows(engine)
    assert first.status == OutboxStatus.PENDING
    assert first.attempts == 1
    assert first.claimed_until is None
    assert first.next_attempt_at == START + retry_delay(1)
    assert first.last_error == "RuntimeError: library bug"
    assert second.status == OutboxStatus.SENT
    assert transport.sent == ["second@example.org"]


# --- leases and concurrent senders --------------------------------------------------------


@pytest.mark.service
def test_claims_are_disjoint(engine: Engine) -> None:
    clock = FakeClock()
    queue(engine, clock, *(message(f"p{i}@example.org") for i in range(5)))

    first = claim_due(engine, limit=3, clock=clock)
    second = claim_due(engine, limit=3, clock=clock)
    third = claim_due(engine, limit=3, clock=clock)

    assert len(first) == 3 and len(second) == 2 and third == []
    assert {row.id for row in first}.isdisjoint({row.id for row in second})
    assert all(row.claimed_until == START + LEASE for row in first + second)


@pytest.mark.service
def test_an_expired_lease_is_reclaimed(engine: Engine, sendgrid_server: SendGridTestServer, tmp_path: Path) -> None:
    clock = FakeClock()
    transport = sendgrid_server.transport(tmp_path)
    queue(engine, clock, message("parent@example.org"))
    [claimed] = claim_due(engine, clock=clock)  # ...and then the sender crashes without sending

    clock.advance(LEASE - timedelta(seconds=1))
    assert send_due(engine, transport, clock=clock) == SendReport()  # still someone else's
    clock.advance(timedelta(seconds=2))
    assert send_due(engine, transport, clock=clock) == SendReport(sent=1)
    assert send_due(engine, transport, clock=clock) == SendReport()

    assert len(sendgrid_server.delivered) == 1
    [row] = rows(engine)
    assert row.id == claimed.id
    assert (row.status, row.attempts, row.claimed_until) == (OutboxStatus.SENT, 1, None)


@pytest.mark.service
def test_a_sender_whose_lease_ran_out_mid_batch_leaves_the_rest(engine: Engine) -> None:
    """A slow provider ate the lease: the remaining rows may already be another sender's."""
    clock = FakeClock()
    slow = RecordingTransport(lambda _message: clock.advance(LEASE + timedelta(seconds=1)))
    other = RecordingTransport()
    queue(engine, clock, message("first@example.org"), message("second@example.org"))

    assert send_due(engine, slow, clock=clock) == SendReport(sent=1)
    assert send_due(engine, other, clock=clock) == SendReport(sent=1)

    assert slow.sent == ["first@example.org"]
    assert other.sent == ["second@example.org"]
    first, second = rows(engine)
    assert first.status == second.status == OutboxStatus.SENT
    assert second.attempts == 1  # skipping it was not counted as a failed attempt


class _MeetThenSend:
    """A sender's own transport; its first send waits until every sender holds a claim at once."""

    def __init__(self, inner: Transport, meeting: threading.Barrier) -> None:
        self.inner = inner
        self.meeting = meeting
        self.met = False

    def send(self, message: EmailMessage) -> str:
        if not self.met:
            self.met = True
            self.meeting.wait(timeout=30)
        return self.inner.send(message)


@pytest.mark.service
def test_concurrent_senders_send_each_message_exactly_once(
    engine: Engine, sendgrid_server: SendGridTestServer, tmp_path: Path
) -> None:
    clock = FakeClock()  # fixed: no lease can expire, so any duplicate would be a claiming bug
    addresses = [f"parent{i:03d}@example.org" for i in range(200)]
    queue(engine, clock, *(message(address) for address in addresses))
    senders = 4
    meeting = threading.Barrier(senders)
    reports: list[SendReport] = [SendReport() for _ in range(senders)]
    errors: list[BaseException] = []

    def run(index: int) -> None:
        transport = _MeetThenSend(sendgrid_server.transport(tmp_path), meeting)
        try:
            while True:
                report = send_due(engine, transport, limit=5, clock=clock)
                reports[index].sent += report.sent
                reports[index].retried += report.retried + report.dead
                if not report.sent and pending_count(engine) == 0:
                    return
        except BaseException as error:
            errors.append(error)
            meeting.abort()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    delivered = [body["personalizations"][0]["to"][0]["email"] for _id, body in sendgrid_server.delivered]
    assert sorted(delivered) == addresses  # every message, none twice
    assert all(report.retried == 0 for report in reports)
    assert sum(report.sent for report in reports) == 200
    assert all(report.sent > 0 for report in reports)  # guaranteed by the meeting: they really overlapped
    final = rows(engine)
    assert {row.status for row in final} == {OutboxStatus.SENT}
    assert {row.attempts for row in final} == {1}
    assert {row.provider_message_id for row in final} == {message_id for message_id, _ in sendgrid_server.delivered}
