"""HTTP routes record the address sen_portal.client_ip resolves, never a client-chosen one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from sen_portal.config import get_settings
from sen_portal.db import get_engine, session_scope
from sen_portal.models import AuditEvent, UserAccount
from sen_portal.services import unsubscribe

pytestmark = pytest.mark.service


@pytest.fixture
def behind_one_proxy(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield engine
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_one_click_unsubscribe_audits_the_proxy_given_address_not_the_spoofed_one(behind_one_proxy: Engine) -> None:
    from sen_portal.api.app import build_api

    with session_scope(behind_one_proxy) as db:
        user = UserAccount(email="sam@school.example.org", first_name="Sam", last_name="Jones", maintenance_emails=True)
        db.add(user)
        db.flush()
        token = unsubscribe.token_for(get_settings(), user_id=user.id or 0)

    client = TestClient(build_api(), client=("10.0.0.2", 40000))
    response = client.post(f"/api/unsubscribe?token={token}", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.9"})

    assert response.status_code == 200
    with Session(behind_one_proxy) as db:
        assert [e.client_ip for e in db.exec(select(AuditEvent))] == ["203.0.113.9"]
