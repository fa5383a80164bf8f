"""Numbers for the council's monitoring, in Prometheus' text format (served at ``/metrics``).

Two kinds:

* **From the database**, the same on every worker (so alerts work whichever worker is scraped):
  the outbox queue and its oldest message's age ("email is not going out"), dead letters, sign-in
  failures in the last 15 minutes, active sessions, stored documents and their bytes.
* **From this process**: upload bytes and storage failures counted as they happen, and Reflex's
  own event-handler timings (its OpenTelemetry hook, ``reflex_base.otel``) as a histogram per handler.
  Each web worker is one process on its own port (GRANIAN_WORKERS=1 in the systemd unit), so
  scraping every port sees every process.

No metric carries personal data: handler names and counts only.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from sen_portal.models import AuditEvent, OutboxMessage, StoredDocument, UserSession
from sen_portal.models.outbox import OutboxStatus

SIGN_IN_FAILURE_WINDOW = timedelta(minutes=15)
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: Mapping[str, str]) -> str:
    return (
        "{" + ",".join(f'{key}="{_escape(str(value))}"' for key, value in sorted(labels.items())) + "}"
        if labels
        else ""
    )


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf"
    return repr(int(value)) if float(value).is_integer() else repr(float(value))


class Counter:
    def __init__(self, name: str, help_text: str) -> None:
        self.name, self.help = name, help_text
        self._values: dict[tuple[tuple[str, str], ...], float] = defaultdict(float)
        self._lock = threading.Lock()

    def inc(self, amount: float = 1, **labels: str) -> None:
        with self._lock:
            self._values[tuple(sorted(labels.items()))] += amount

    def value(self, **labels: str) -> float:
        return self._values.get(tuple(sorted(labels.items())), 0.0)

    def render(self, kind: str = "counter") -> list[str]:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {kind}"]
        with self._lock:
            items = list(self._values.items()) or [((), 0.0)]
        return lines + [f"{self.name}{_labels(dict(key))} {_number(value)}" for key, value in items]


class Histogram:
    def __init__(self, name: str, help_text: str, buckets: Sequence[float] = DURATION_BUCKETS) -> None:
        self.name, self.help, self.buckets = name, help_text, tuple(buckets)
        self._series: dict[tuple[tuple[str, str], ...], list[float]] = {}
        self._lock = threading.Lock()

    def observe(self, value: float, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            # One slot per bucket, then +Inf, sum, count.
            series = self._series.setdefault(key, [0.0] * (len(self.buckets) + 3))
            for index, bound in enumerate(self.buckets):
                if value <= bound:
                    series[index] += 1
            series[-3] += 1
            series[-2] += value
            series[-1] += 1

    def count(self, **labels: str) -> int:
        series = self._series.get(tuple(sorted(labels.items())))
        return int(series[-1]) if series else 0

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        with self._lock:
            items = [(key, list(series)) for key, series in self._series.items()]
        for key, series in items:
            labels = dict(key)
            for bound, total in zip((*self.buckets, math.inf), series, strict=False):
                lines.append(f"{self.name}_bucket{_labels({**labels, 'le': _number(bound)})} {_number(total)}")
            lines.append(f"{self.name}_sum{_labels(labels)} {_number(series[-2])}")
            lines.append(f"{self.name}_count{_labels(labels)} {_number(series[-1])}")
        return lines


UPLOAD_BYTES = Counter("sen_portal_upload_bytes_total", "Bytes of documents stored by this worker since it started.")
STORAGE_FAILURES = Counter(
    "sen_portal_document_storage_failures_total",
    "Uploads this worker could not write to DOCUMENT_STORE_DIR (permissions, disk full) since it started.",
)
EVENT_DURATION = Histogram("sen_portal_event_duration_seconds", "Time Reflex event handlers took, by handler.")
STATE_WAIT = Histogram("sen_portal_event_state_wait_seconds", "Time events waited to lock and load their page state.")
WEBSOCKETS = Counter("sen_portal_websocket_connections", "Open page connections (websockets) on this worker.")


# ---- Reflex's OpenTelemetry hook, fed into the histograms above ------------------------------


class _Instrument:
    def __init__(self, name: str) -> None:
        self.name = name

    def record(self, value: float, attributes: Mapping[str, Any] | None = None, *_: Any, **__: Any) -> None:
        attributes = attributes or {}
        if self.name == "reflex.event.duration":
            EVENT_DURATION.observe(value, handler=str(attributes.get("reflex.event.name", "")))
        elif self.name == "reflex.state.acquire.duration":
            STATE_WAIT.observe(value)

    def add(self, amount: float, attributes: Mapping[str, Any] | None = None, *_: Any, **__: Any) -> None:
        if self.name == "reflex.websocket.connections":
            WEBSOCKETS.inc(amount)


class _Meter:
    def create_histogram(self, name: str, *_: Any, **__: Any) -> _Instrument:
        return _Instrument(name)

    create_counter = create_up_down_counter = create_histogram


class PortalMeterProvider:
    """The smallest MeterProvider Reflex's ``otel.enable`` needs: instruments that land in our registry."""

    def get_meter(self, *_: Any, **__: Any) -> _Meter:
        return _Meter()


def enable_event_metrics() -> None:
    """Turn on Reflex's timing hook (idempotent). Without a tracer provider its spans are no-ops."""
    from reflex_base import otel

    otel.enable(meter_provider=PortalMeterProvider())  # type: ignore[arg-type]


# ---- rendering ---------------------------------------------------------------------------


def _gauge(name: str, help_text: str, value: float) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {_number(value)}"]


def database_gauges(engine: Engine, *, now: datetime, session_idle: timedelta) -> list[str]:
    """A handful of indexed counts; cheap enough to run on every scrape (every 15-60 s)."""
    with Session(engine) as session:
        pending = col(OutboxMessage.status) == OutboxStatus.PENDING
        queued, oldest = session.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).select_from(OutboxMessage).where(pending)
        ).one()
        dead = session.execute(
            select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.status) == OutboxStatus.DEAD)
        ).scalar_one()
        failures = session.execute(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                col(AuditEvent.action) == "sign_in_failed", col(AuditEvent.occurred_at) >= now - SIGN_IN_FAILURE_WINDOW
            )
        ).scalar_one()
        sessions = session.execute(
            select(func.count())
            .select_from(UserSession)
            .where(
                col(UserSession.ended_at).is_(None),
                col(UserSession.expires_at) > now,
                col(UserSession.last_seen_at) > now - session_idle,
            )
        ).scalar_one()
        documents, stored_bytes = session.execute(
            select(func.count(), func.coalesce(func.sum(StoredDocument.size_bytes), 0)).where(
                col(StoredDocument.deleted_at).is_(None)
            )
        ).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return [
        *_gauge("sen_portal_outbox_queued", "Emails waiting to be sent (including retries).", queued),
        *_gauge("sen_portal_outbox_oldest_queued_seconds", "Age of the oldest email still waiting; 0 when none.", age),
        *_gauge("sen_portal_outbox_dead_letters", "Emails given up on (permanent failure), kept for staff.", dead),
        *_gauge("sen_portal_sign_in_failures_15m", "Wrong passwords in the last 15 minutes (all workers).", failures),
        *_gauge("sen_portal_active_sessions", "Signed-in sessions neither ended, expired nor idle.", sessions),
        *_gauge("sen_portal_stored_documents", "Documents in the store (not deleted).", documents),
        *_gauge("sen_portal_stored_document_bytes", "Bytes of documents in the store (not deleted).", stored_bytes),
    ]


def render(engine: Engine, *, now: datetime, session_idle: timedelta) -> str:
    lines = database_gauges(engine, now=now, session_idle=session_idle)
    lines += UPLOAD_BYTES.render() + STORAGE_FAILURES.render() + WEBSOCKETS.render("gauge")
    lines += EVENT_DURATION.render() + STATE_WAIT.render()
    return "\n".join(lines) + "\n"
