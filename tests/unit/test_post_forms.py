"""Every form posts (components/post_form.py), and its fallback route reads nothing and links only home."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from sen_portal.config import get_settings

pytestmark = pytest.mark.unit
PACKAGE = Path(__file__).resolve().parents[2] / "sen_portal"


def test_no_page_draws_a_form_that_could_submit_as_a_get() -> None:
    bare = re.compile(r"\brx\.(el\.)?form\(")
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "post_form.py" and bare.search(path.read_text())
    ]
    assert offenders == []


def test_post_form_renders_method_post_with_the_harmless_action() -> None:
    import reflex as rx

    from sen_portal.components.post_form import post_form

    rendered = str(post_form(rx.el.input(name="password")).render())
    assert '"post"' in rendered and '"/form-not-sent"' in rendered


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    from sen_portal.api.form_not_sent import form_not_sent_routes

    monkeypatch.setenv("PUBLIC_URL", "http://localhost:3000")
    get_settings.cache_clear()
    yield TestClient(Starlette(routes=form_not_sent_routes()))
    get_settings.cache_clear()


def test_a_native_submission_is_told_nothing_was_sent_and_the_body_is_not_echoed(client: TestClient) -> None:
    response = client.post(
        "/form-not-sent",
        data={"email": "sam@school.example.org", "password": "Tangerine-Walrus-4411"},
        headers={"Referer": "http://localhost:3000/sign-in"},
    )
    assert response.status_code == 200
    assert "Your answers were not sent" in response.text
    assert "Tangerine" not in response.text and "sam@" not in response.text
    assert 'href="/sign-in"' in response.text
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "referer",
    ["https://evil.example/phish", "http://localhost:3000//evil.example/x", "javascript:alert(1)", ""],
)
def test_the_back_link_never_leaves_the_portal(client: TestClient, referer: str) -> None:
    response = client.post("/form-not-sent", headers={"Referer": referer})
    assert 'href="/"' in response.text
