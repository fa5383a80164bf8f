"""Crash points for the fault tests: inert unless ``SEN_FAULT_POINT`` names one.

The fault tests (tests/fault) prove that a process killed at the worst moments of a
referral submission leaves nothing half-made. They need the kill to hit the real code
path, so the few places where a crash matters most call ``crash_point(NAME)``; when the
environment variable ``SEN_FAULT_POINT`` equals ``NAME``, the process sends itself
SIGKILL there (no cleanup, no ``finally``, no atexit: exactly what a power cut or the
OOM killer does). In every other case the call reads one environment variable and returns.

Never set ``SEN_FAULT_POINT`` outside a test.
"""

from __future__ import annotations

import os
import signal

ENV = "SEN_FAULT_POINT"

# Where the hook sits, and what has happened by then.
AFTER_DOCUMENT_WRITE = "after_document_write"  # upload: file moved to its final name, row not yet committed
AFTER_SUBMIT_COMMIT = "after_submit_commit"  # submit: referral + outbox row committed, email not sent
AFTER_EMAIL_SENT = "after_email_sent"  # outbox: the mail server accepted it, the row is not yet marked sent
POINTS = (AFTER_DOCUMENT_WRITE, AFTER_SUBMIT_COMMIT, AFTER_EMAIL_SENT)


def crash_point(name: str) -> None:
    """Kill this process (SIGKILL) if the fault tests asked for a crash at ``name``."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
