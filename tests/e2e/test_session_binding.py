"""The exact attacks of issue 12 against a running portal: a tab token is an address, never an identity.

A victim's tab types into a request; whoever later presents that tab's Reflex client token (it
travels in the websocket URL) gets nothing of it without the victim's own session cookie: not on
a cookie-less websocket, not after sign-out, not with another user's cookie, and not through
``POST /_upload``. The positive controls show the same requests *with* the cookie do work, so the
refusals are not an artefact of the test client. Sockets speak what the page script speaks
(benchmarks/_socket_client.py): exactly what an attacker's script would send.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reflex.state import State
from sqlmodel import Session, select

from benchmarks._socket_client import ReflexClient
from sen_portal.state.referral import ReferralState
from tests.e2e.harness import Portal
from tests.run_async import run_async

SECTION_PATH = "/requests/section"
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _engine(portal: Portal):
    from sen_portal.db import make_engine

    return make_engine(portal.env["DATABASE_URL"])


def signed_in_user_with_draft(
    portal: Portal, *, first_name: str = "Sam", role: str = "professional"
) -> tuple[str, str, str, int]:
    """A verified account with a draft request and a live session: (email, cookie, draft id, user id)."""
    from sen_portal.config import settings_from_env
    from sen_portal.db import session_scope
    from sen_portal.models import UserAccount
    from sen_portal.services.auth import sessions
    from sen_portal.services.referrals import drafts as referrals

    settings = settings_from_env(portal.env)
    engine = _engine(portal)
    email = f"{role}-{uuid.uuid4().hex[:8]}@school.example.org"
    with session_scope(engine) as db:
        user = UserAccount(
            email=email, first_name=first_name, last_name="Okafor", role=role, email_verified_at=datetime.now(UTC)
        )
        db.add(user)
        db.flush()
        assert user.id is not None
        user_id = user.id
        ticket = sessions.issue_ticket(db, user_id=user_id)
        public_id = referrals.start_draft(db, user_id=user_id, form_key="ehc_needs_assessment").public_id
    with session_scope(engine) as db:
        token = sessions.redeem_ticket(db, ticket=ticket, settings=settings)
    engine.dispose()
    assert token
    return email, f"{sessions.cookie_name(settings)}={token}", public_id, user_id


def _state_name() -> str:
    return ReferralState.get_full_name()


async def _tab(portal: Portal, *, token: str, cookie: str) -> ReflexClient:
    from reflex_base.constants import Reflex

    port = int(portal.url.rsplit(":", 1)[1])
    client = ReflexClient("127.0.0.1", port, cookie=cookie, origin=portal.url, version=Reflex.VERSION)
    client.token = token
    await client.connect()
    return client


async def _frames_until(client: ReflexClient, done) -> str:
    """Every update frame, as text, up to the one for which ``done(text so far)`` holds."""
    seen = ""
    while not done(seen):
        seen += json.dumps(await asyncio.wait_for(client.until_final(), 60))
    return seen


def _page_loaded(text: str) -> bool:
    return '"section_key_rx_state_": "child"' in text


def _sent_to_sign_in(text: str) -> bool:
    return "/sign-in?next=" in text


def victim_opens_the_request(portal: Portal, *, cookie: str, public_id: str, marker: str) -> str:
    """The victim's tab opens their draft (their name is on the page), then closes; returns the tab's token."""
    token = str(uuid.uuid4())

    async def visit() -> None:
        client = await _tab(portal, token=token, cookie=cookie)
        query = {"id": public_id, "section": "child"}
        await client.send_event(f"{State.get_full_name()}.hydrate_and_load", {}, SECTION_PATH, query)
        assert marker in await _frames_until(client, _page_loaded)
        await client.close()  # the tab is closed; its state stays on the server, keyed by the token

    run_async(visit())
    return token


def _marker() -> str:
    """A first name nobody else has (letters only, as a name is)."""
    return "Wilhelmina" + "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:8])


def hydrate_with(portal: Portal, *, token: str, cookie: str, public_id: str, done) -> str:
    """What a socket presenting ``token`` (and ``cookie``, if any) is sent when it opens the victim's page."""

    async def visit() -> str:
        client = await _tab(portal, token=token, cookie=cookie)
        query = {"id": public_id, "section": "child"}
        await client.send_event(f"{State.get_full_name()}.hydrate_and_load", {}, SECTION_PATH, query)
        text = await _frames_until(client, done)
        await client.close()
        return text

    return run_async(visit())


def test_a_cookieless_socket_with_a_signed_in_users_token_gets_none_of_their_page(portal: Portal) -> None:
    marker = _marker()
    email, cookie, public_id, _ = signed_in_user_with_draft(portal, first_name=marker)
    token = victim_opens_the_request(portal, cookie=cookie, public_id=public_id, marker=marker)

    # Positive control: the victim's own cookie gets their page back, typed name included.
    assert marker in hydrate_with(portal, token=token, cookie=cookie, public_id=public_id, done=lambda t: marker in t)

    stolen = hydrate_with(portal, token=token, cookie="", public_id=public_id, done=_sent_to_sign_in)
    for personal in (marker, email, f'"referral_id_rx_state_": "{public_id}"', "Okafor"):
        assert personal not in stolen


def test_after_sign_out_the_token_gets_nothing(portal: Portal) -> None:
    marker = _marker()
    email, cookie, public_id, _ = signed_in_user_with_draft(portal, first_name=marker)
    token = victim_opens_the_request(portal, cookie=cookie, public_id=public_id, marker=marker)
    request = urllib.request.Request(
        f"{portal.url}/api/session/end", method="POST", headers={"Cookie": cookie, "Origin": portal.url}
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 204

    # Even presenting the old (now ended) cookie: the session is over, so is the page.
    for presented in ("", cookie):
        stolen = hydrate_with(portal, token=token, cookie=presented, public_id=public_id, done=_sent_to_sign_in)
        for personal in (marker, email, "Okafor"):
            assert personal not in stolen


def test_another_users_cookie_with_the_victims_token_gets_nothing(portal: Portal) -> None:
    marker = _marker()
    email, cookie, public_id, _ = signed_in_user_with_draft(portal, first_name=marker)
    _, mallory_cookie, _, _ = signed_in_user_with_draft(portal, first_name="Mallory")
    token = victim_opens_the_request(portal, cookie=cookie, public_id=public_id, marker=marker)

    # Mallory is signed in, but the draft is not hers: the page refuses her (back to the dashboard
    # or sign-in, whichever the page chooses), and nothing of the victim's state reaches her.
    stolen = hydrate_with(
        portal,
        token=token,
        cookie=mallory_cookie,
        public_id=public_id,
        done=lambda text: "_redirect" in text or '"not_found_rx_state_": true' in text,
    )
    for personal in (marker, email):
        assert personal not in stolen


# ---- POST /_upload ---------------------------------------------------------------------------------


def _post_upload(portal: Portal, *, token: str, cookie: str, name: str) -> int:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + MINIMAL_PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Reflex-Client-Token": token,
        "Reflex-Event-Handler": f"{_state_name()}.upload",
        "Origin": portal.url,
    }
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(f"{portal.url}/_upload", data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def victim_on_the_documents_page(portal: Portal, *, cookie: str, public_id: str) -> str:
    token = str(uuid.uuid4())

    async def visit() -> None:
        client = await _tab(portal, token=token, cookie=cookie)
        query = {"id": public_id, "section": "documents"}
        await client.send_event(f"{State.get_full_name()}.hydrate_and_load", {}, SECTION_PATH, query)
        await _frames_until(client, lambda text: "sen_support_plans" in text)
        await client.send_event(
            f"{_state_name()}.choose_upload_slot", {"slot": "sen_support_plans"}, SECTION_PATH, query
        )
        # The page already chose the first slot, so the answer may change nothing: wait for it, whatever it is.
        await _frames_until(client, lambda text: text != "")
        await client.close()

    run_async(visit())
    return token


def _documents_of(portal: Portal, user_id: int) -> list:
    from sen_portal.models import StoredDocument

    engine = _engine(portal)
    with Session(engine) as session:
        rows = list(session.exec(select(StoredDocument).where(StoredDocument.owner_user_id == user_id)))
    engine.dispose()
    return rows


def _upload_refusals(portal: Portal) -> list:
    from sen_portal.models import AuditEvent

    engine = _engine(portal)
    with Session(engine) as session:
        rows = list(
            session.exec(
                select(AuditEvent).where(AuditEvent.action == "access_refused", AuditEvent.object_type == "upload")
            )
        )
    engine.dispose()
    return rows


def _stored_files(portal: Portal) -> set[Path]:
    store = Path(portal.env["DOCUMENT_STORE_DIR"])
    return {path for path in store.rglob("*") if path.is_file()} if store.exists() else set()


@pytest.mark.parametrize("who", ["no cookie", "another user's cookie"])
def test_upload_with_the_victims_token_but_not_their_cookie_is_refused_and_audited(portal: Portal, who: str) -> None:
    _, cookie, public_id, user_id = signed_in_user_with_draft(portal)
    token = victim_on_the_documents_page(portal, cookie=cookie, public_id=public_id)
    attacker_cookie = "" if who == "no cookie" else signed_in_user_with_draft(portal)[1]
    files_before, refusals_before = _stored_files(portal), len(_upload_refusals(portal))

    assert _post_upload(portal, token=token, cookie=attacker_cookie, name="planted.pdf") == 401

    assert _documents_of(portal, user_id) == []
    assert _stored_files(portal) == files_before
    refusals = _upload_refusals(portal)
    assert len(refusals) == refusals_before + 1
    assert refusals[-1].detail["reason"] in ("no session", "not this tab's session")


def test_upload_with_the_owners_cookie_is_stored(portal: Portal) -> None:
    """Positive control: the same request, with the tab owner's cookie, stores the file as theirs."""
    _, cookie, public_id, user_id = signed_in_user_with_draft(portal)
    token = victim_on_the_documents_page(portal, cookie=cookie, public_id=public_id)

    assert _post_upload(portal, token=token, cookie=cookie, name="plan.pdf") in (200, 202)

    # The handler finishes its database write just after the response; wait for it (bounded).
    deadline = time.monotonic() + 30
    while not (rows := _documents_of(portal, user_id)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [row.original_name for row in rows] == ["plan.pdf"]
