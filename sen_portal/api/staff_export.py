"""``/api/staff/inbox.csv``: the filtered inbox as a CSV file, for council staff only.

A plain GET the browser saves (a link on the inbox page), so it re-checks the session cookie
and the role itself. A signed-in professional who asks is refused *and* audited, like a
professional reaching a staff event handler (state.auth).
"""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sen_portal import client_ip as client_address
from sen_portal.api.session_cookie import token_from_cookie_header
from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.routes import STAFF_INBOX_CSV
from sen_portal.services import audit, sessions, staff_cases
from sen_portal.services.audit import Actor
from sen_portal.services.referral_workflow import STAFF_ROLES, WorkflowRefused
from sen_portal.services.staff_inbox import InboxQuery
from sen_portal.services.statutory_dates import council_today
from sen_portal.services.two_factor_policy import must_set_up_authenticator

log = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _staff_actor(token: str, client_ip: str, path: str) -> Actor | None:
    """The staff member behind the cookie, or None (a signed-in non-staff caller is audited)."""
    settings = get_settings()
    with session_scope() as db:
        user = sessions.resolve(db, token=token, settings=settings) if token else None
        if user is None or user.id is None:
            return None
        if user.role in STAFF_ROLES and not must_set_up_authenticator(user, settings):
            return Actor(user_id=user.id, email=user.email, client_ip=client_ip)
        audit.record(
            db,
            action=audit.AuditAction.ACCESS_REFUSED,
            actor_user_id=user.id,
            actor_email=user.email,
            object_type="route",
            object_id=path,
            client_ip=client_ip,
            outcome="refused",
            detail={"needs_role": ",".join(sorted(STAFF_ROLES)), "role": user.role},
        )
        log.warning("refused user %s (role %s) at %s", user.id, user.role, path)
        return None


async def inbox_csv(request: Request) -> Response:
    token = token_from_cookie_header(request.headers.get("cookie", ""))
    client_ip = client_address.of_request(request)
    actor = await asyncio.to_thread(_staff_actor, token, client_ip, request.url.path)
    if actor is None:
        return Response("Forbidden", status_code=403, headers=NO_STORE)
    query = InboxQuery.from_params(staff_cases.params_of(request.query_params), me=actor.user_id, today=council_today())
    try:
        text = await asyncio.to_thread(staff_cases.export, actor, query)
    except WorkflowRefused:
        return Response("Forbidden", status_code=403, headers=NO_STORE)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="referrals-{council_today()}.csv"'},
    )


def staff_export_routes() -> list[Route]:
    return [Route(STAFF_INBOX_CSV, inbox_csv, methods=["GET"])]
