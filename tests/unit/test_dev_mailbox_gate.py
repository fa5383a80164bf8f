"""/dev/mailbox holds sign-in codes: it answers loopback callers only, and only on a localhost portal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from sen_portal.config import get_settings, settings_from_env

pytestmark = pytest.mark.unit


@pytest.fixture
def local_portal(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[None]:
    monkeypatch.setenv("PUBLIC_URL", "http://localhost:3000")
    monkeypatch.setenv("MAIL_BACKEND", "file")
    monkeypatch.setenv("MAIL_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def mailbox_app() -> Starlette:
    from sen_portal.api.mailbox import mailbox_routes

    return Starlette(routes=mailbox_routes())


def test_a_loopback_caller_reads_the_mailbox(local_portal: None) -> None:
    for peer in ("127.0.0.1", "::1", "127.0.0.53"):
        response = TestClient(mailbox_app(), client=(peer, 5000)).get("/dev/mailbox")
        assert response.status_code == 200, peer
        assert "Development mailbox" in response.text


def test_a_caller_from_the_network_is_not_answered(local_portal: None) -> None:
    # `reflex run` used to bind 0.0.0.0: anyone on the office network could read sign-in codes.
    for peer in ("192.168.1.20", "10.0.0.2", "2001:db8::1"):
        client = TestClient(mailbox_app(), client=(peer, 5000))
        assert client.get("/dev/mailbox").status_code == 404, peer
        assert client.get("/dev/mailbox/00000000000000000001-0123abcd.eml").status_code == 404, peer


def test_a_proxied_request_is_not_local_even_from_a_loopback_peer(local_portal: None) -> None:
    # A proxy on the same machine connects from 127.0.0.1 on behalf of someone else.
    client = TestClient(mailbox_app(), client=("127.0.0.1", 5000))
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        assert client.get("/dev/mailbox", headers={header: "203.0.113.9"}).status_code == 404, header


def test_the_mailbox_does_not_exist_on_a_public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_URL", "https://portal.example.gov.uk")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("MAIL_BACKEND", "file")
    get_settings.cache_clear()
    try:
        response = TestClient(mailbox_app(), client=("127.0.0.1", 5000)).get("/dev/mailbox")
        assert response.status_code == 404
    finally:
        get_settings.cache_clear()


def test_the_portal_binds_to_loopback_unless_told_otherwise() -> None:
    assert settings_from_env({}).bind_address == "127.0.0.1"
    assert settings_from_env({"BIND_ADDRESS": "0.0.0.0"}).bind_address == "0.0.0.0"
    assert settings_from_env({"BIND_ADDRESS": "::1"}).bind_address == "::1"


def test_a_bind_address_that_is_not_an_ip_is_refused_by_name() -> None:
    from sen_portal.config import SettingsError

    with pytest.raises(SettingsError, match="BIND_ADDRESS"):
        settings_from_env({"BIND_ADDRESS": "localhost; rm -rf /"})


def test_reflex_is_configured_with_the_bind_address(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import rxconfig

    monkeypatch.setenv("BIND_ADDRESS", "127.0.0.1")
    get_settings.cache_clear()
    try:
        assert importlib.reload(rxconfig).config.backend_host == "127.0.0.1"
    finally:
        get_settings.cache_clear()
