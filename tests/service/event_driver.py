"""Drive the portal's real event processing in-process: Reflex's event processor, our middleware
(app._middlewares) and our backend exception handler's recovery, against the test database.

Used by the event fuzzer (test_event_fuzzer.py). Events go through exactly the path a websocket
event takes after it is decoded: ``EventProcessor.enqueue`` -> state lock -> middleware ->
handler -> chained events.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State
from reflex_base.event import Event
from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor
from reflex_base.registry import RegistrationContext
from reflex_base.utils.format import json_dumps
from sqlalchemy import JSON, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from sen_portal.config import get_settings
from sen_portal.db import get_engine, session_scope
from sen_portal.services.auth import sessions
from sen_portal.services.lookups.lists import SHIPPED_LISTS, seed_lookup_list
from sen_portal.services.platform.seed import install_shipped_forms
from tests.service.staff_helpers import person


def own_handlers() -> list[str]:
    """Every event handler of every state of ours, found by introspection (full event names)."""
    handlers = RegistrationContext.get().event_handlers
    return sorted(
        name for name, registered in handlers.items() if registered.states[0].__module__.startswith("sen_portal.")
    )


def json_columns() -> Iterator[tuple[str, str]]:
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, JSON) or "JSON" in type(column.type).__name__.upper():
                yield table.name, column.name


def invalid_json_cells(engine: Engine) -> list[str]:
    """ "table.column" for every stored JSON value that is not valid JSON (bare NaN, Infinity...)."""
    bad: list[str] = []
    with engine.connect() as connection:
        for table, column in json_columns():
            if engine.dialect.name == "sqlite":
                sql = f'SELECT count(*) FROM "{table}" WHERE "{column}" IS NOT NULL AND json_valid("{column}") = 0'
                if connection.execute(text(sql)).scalar_one():
                    bad.append(f"{table}.{column}")
            else:
                # Re-parsing the text form refuses anything PostgreSQL's JSON parser would not accept.
                rows = connection.execute(text(f'SELECT "{column}"::text FROM "{table}" WHERE "{column}" IS NOT NULL'))
                for (value,) in rows:
                    try:
                        json.loads(value, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
                    except ValueError:
                        bad.append(f"{table}.{column}")
                        break
    return bad


@dataclass
class Tab:
    """One browser tab: a client token and the router data its events carry (with the session cookie)."""

    cookie: str
    path: str = "/dashboard"
    token: str = field(default_factory=lambda: str(uuid.uuid4()))

    def router_data(self, path: str | None = None) -> dict[str, Any]:
        path = path or self.path
        return {
            "pathname": path,
            "asPath": path,
            "query": {},
            "headers": {"cookie": self.cookie, "origin": "http://localhost:3000", "host": "localhost:3000"},
            "ip": "127.0.0.1",
            "sid": self.token,
        }


class Driver:
    """An event processor configured like the app's, with exceptions recorded instead of shown."""

    def __init__(self, app: Any) -> None:
        from sen_portal.state.errors import backend_exception_handler

        self.failures: list[BaseException] = []
        self.manager = StateManagerMemory()

        def record(exception: Exception) -> Any:
            self.failures.append(exception)
            return backend_exception_handler(exception)  # chains the recovery, as in production

        self.processor = BaseStateEventProcessor(middleware=app, backend_exception_handler=record)
        self.processor.configure(state_manager=self.manager)

    async def __aenter__(self) -> Driver:
        await self.processor.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.processor.stop()

    async def send(self, tab: Tab, name: str, payload: dict[str, Any], *, path: str | None = None) -> None:
        event = Event(name=name, payload=payload, router_data=tab.router_data(path))
        future = await self.processor.enqueue(tab.token, event)
        try:
            await asyncio.wait_for(future.wait_all(), timeout=60)
        except Exception as error:  # recorded by the exception handler too; keep the first cause
            if not any(error is failure for failure in self.failures):
                self.failures.append(error)
        # Let the exception handler's task (and the recovery it chains) finish.
        for _ in range(50):
            if not self.processor._tasks:
                break
            await asyncio.sleep(0.01)

    async def root_state(self, tab: Tab) -> State:
        return await self.manager.get_state(BaseStateToken(ident=tab.token, cls=State))

    async def assert_state_serialisable(self, tab: Tab) -> None:
        root = await self.root_state(tab)
        pickle.dumps(root)
        json_dumps(root.dict()).encode("utf-8")  # what a hydrate sends: must be valid UTF-8


@pytest.fixture
def portal_env(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The portal's settings and engine pointed at this test's database (SQLite or PostgreSQL)."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("MAIL_BACKEND", "file")
    monkeypatch.setenv("MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.setenv("DOCUMENT_STORE_DIR", str(tmp_path / "documents"))
    monkeypatch.setenv("REQUIRE_TOTP_FOR_STAFF", "false")
    get_settings.cache_clear()
    get_engine.cache_clear()
    with session_scope(engine) as session:
        for list_key, csv_path in SHIPPED_LISTS.items():
            seed_lookup_list(session, list_key, csv_path)
        install_shipped_forms(session)
    yield engine
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def signed_in(engine: Engine, email: str, role: str) -> tuple[str, int]:
    """(a session cookie header for a new signed-in user, the user's id)."""
    with session_scope(engine) as session:
        user = person(session, email, role)
        user.email_verified_at = datetime.now(UTC)
        session.flush()
        assert user.id is not None
        ticket = sessions.issue_ticket(session, user_id=user.id)
        token = sessions.redeem_ticket(session, ticket=ticket, settings=get_settings())
        return f"{sessions.cookie_name(get_settings())}={token}", user.id
