"""``/documents/{public_id}``: download a stored document, for its owner and council staff only.

Staff may download the documents of any *sent* referral (a professional's draft is still theirs
alone) and message attachments. Every download is audited (DOCUMENT_DOWNLOADED).
Every refusal looks like "not found" (no hint whether the document exists).
Headers make the browser save the file rather than render it in our origin.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from sen_portal import client_ip as client_address
from sen_portal import routes
from sen_portal.api.session_cookie import token_from_cookie_header
from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.models import StoredDocument
from sen_portal.models.accounts import STAFF_ROLES
from sen_portal.services import audit, document_access, documents, sessions
from sen_portal.services.two_factor_policy import must_set_up_authenticator

NOT_FOUND_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _resolve(token: str, public_id: str, client_ip: str = "") -> tuple[StoredDocument, str] | None:
    settings = get_settings()
    with session_scope() as db:
        user = sessions.resolve(db, token=token, settings=settings)
        if user is None or user.id is None:
            return None
        # Staff who still owe the required authenticator app are not staff yet (REQUIRE_TOTP_FOR_STAFF).
        is_staff = user.role in STAFF_ROLES and not must_set_up_authenticator(user, settings)
        user_id = user.id
        try:
            document, path = documents.open_for_download(
                db,
                settings,
                public_id=public_id,
                requester_user_id=user_id,
                requester_is_staff=is_staff,
                can_access=lambda doc: document_access.may_download(db, doc, user_id=user_id, is_staff=is_staff),
            )
        except documents.DocumentNotFound:
            # Someone signed in asked for a document that is not theirs to see (or does not exist):
            # staff should see such attempts, so the refusal is audited (ids only).
            audit.record(
                db,
                action=audit.AuditAction.ACCESS_REFUSED,
                actor_user_id=user_id,
                actor_email=user.email,
                object_type="document",
                object_id=public_id,
                client_ip=client_ip,
                outcome="refused",
            )
            return None
        document_access.record_download(db, document, user_id=user_id, email=user.email, client_ip=client_ip)
        return document, str(path)


async def download(request: Request) -> Response:
    token = token_from_cookie_header(request.headers.get("cookie", ""))
    client_ip = client_address.of_request(request)
    public_id = str(request.path_params["public_id"])[:40]
    found = await asyncio.to_thread(_resolve, token, public_id, client_ip) if token else None
    if found is None:
        return Response("Not found", status_code=404, headers=NOT_FOUND_HEADERS)
    document, path = found
    # RFC 6266: an ASCII fallback plus the UTF-8 name; the name was sanitised at upload.
    ascii_name = document.original_name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(document.original_name)}"
    return FileResponse(
        path,
        media_type=document.content_type,
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


def document_routes() -> list[Route]:
    return [Route(routes.DOCUMENT_DOWNLOAD, download, methods=["GET"])]
