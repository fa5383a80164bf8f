"""Per-process counters and histograms (Prometheus text format) that domain code bumps.

They live here, below every domain, so a service (uploads, say) can count without importing the
operations layer; ``operations/metrics.py`` renders them with the database gauges for ``/metrics``.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence

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
