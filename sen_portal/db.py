"""Database engine and sessions: SQLite by default, PostgreSQL in production.

Service functions take a ``Session``; callers open one with ``session_scope()``
so that a unit of work commits once or rolls back as a whole.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, create_engine

from sen_portal.config import get_settings


class _NoResultRows(logging.Filter):
    """Drop SQLAlchemy's DEBUG "Row (...)" records: rows hold email bodies with codes and links."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith("Row "))


# Whoever turns SQL logging on to debug must not get secrets in the log.
logging.getLogger("sqlalchemy.engine.Engine").addFilter(_NoResultRows())


def make_engine(database_url: str) -> Engine:
    """Create an engine with the options each backend needs."""
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # No pre-ping: a SQLite connection is a file handle, it cannot go stale the way a network
        # connection does, and the extra "SELECT 1" on every checkout was ~6% of a busy portal's
        # event-loop time (py-spy, benchmarks/event_round_trip.py). PostgreSQL keeps it (restarts).
        engine = create_engine(
            database_url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # hide_parameters: SQL logs must never carry values (codes, tokens, child data).
    return create_engine(database_url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # WAL lets the outbox sender read while a request writes; foreign keys are
    # off by default in SQLite and our ondelete rules depend on them.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
