"""Portal messages: the list (/messages) and one referral's thread (/messages/thread?id=...).

Both pages serve professionals (their own referrals) and staff (any submitted referral); the
service decides who may see what, from the signed-in user's id, on every event.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import reflex as rx

from sen_portal import client_ip, routes
from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.email.notice_emails import local_time
from sen_portal.services import documents, message_attachments, messages
from sen_portal.state.auth import AuthState, CurrentUser, NotSignedIn, sign_in_redirect, unread_for
from sen_portal.state.form_errors import FormErrorsMixin


def _thread_rows(user_id: int) -> list[dict[str, str]]:
    with session_scope() as db:
        threads = messages.list_threads(db, user_id=user_id)
    return [
        {
            "public_id": t.referral_public_id,
            "reference": t.reference,
            "child": t.child_name or "Not given",
            "messages": str(t.message_count),
            "unread": str(t.unread) if t.unread else "",
            "last": local_time(t.last_message_at) if t.last_message_at else "No messages yet",
            "href": routes.message_thread_path(t.referral_public_id),
        }
        for t in threads
    ]


def _open_thread(user_id: int, public_id: str, client_ip: str) -> tuple[dict[str, str], list[dict]] | None:
    """Load the thread and mark it read for the reader's side (None: not found / not allowed)."""
    with session_scope() as db:
        try:
            messages.mark_read(db, referral_public_id=public_id, user_id=user_id, client_ip=client_ip)
            referral, thread = messages.thread_for(db, referral_public_id=public_id, user_id=user_id)
        except messages.ThreadNotFound:
            return None
        views = messages.messages_in(db, thread=thread)
        header = {"reference": referral.reference or "", "child": referral.child_name or "Not given"}
    rows = [
        {
            "id": str(v.id),
            "side": v.side,
            "author": v.author_name,
            "when": local_time(v.created_at),
            "body": v.body,
            "attachments": [{"name": a.name, "href": routes.document_path(a.public_id)} for a in v.attachments],
        }
        for v in views
    ]
    return header, rows


def _post(user_id: int, public_id: str, body: str, client_ip: str, attachment_ids: list[int]) -> dict[str, list[str]]:
    with session_scope() as db:
        try:
            messages.post_message(
                db,
                referral_public_id=public_id,
                author_user_id=user_id,
                body=body,
                settings=get_settings(),
                attachment_ids=attachment_ids,
                client_ip=client_ip,
            )
        except messages.MessageInvalid as invalid:
            return invalid.errors
        except messages.ThreadNotFound:
            return {"body": ["You cannot send messages about this request"]}
        except documents.DocumentNotFound:
            return {"attachment": ["A file you attached is no longer available – remove it and attach it again"]}
    return {}


class MessagesAuthState(AuthState):
    """Staff who still owe the required authenticator app (REQUIRE_TOTP_FOR_STAFF) are not staff
    yet, here as on staff pages and downloads: they are sent to set it up."""

    async def _reader(self) -> CurrentUser | None:
        user = await self._signed_in()
        return None if user is None or user.needs_authenticator else user

    async def _writer(self) -> CurrentUser:
        user = await self._require_user()
        if user.needs_authenticator:
            raise NotSignedIn
        return user

    def _go_sign_in(self, path: str):
        if self.signed_in:  # signed in, but owes the authenticator app
            return rx.redirect(routes.ACCOUNT_AUTHENTICATOR)
        return rx.redirect(f"{routes.SIGN_IN}?next={quote(path)}")


class MessagesState(MessagesAuthState):
    """/messages: the conversations this user can see, unread first."""

    loaded: bool = False
    threads: list[dict[str, str]] = []

    @rx.event
    async def load(self):
        """Check the session, then list the threads."""
        user = await self._reader()
        if user is None:
            return self._go_sign_in(routes.MESSAGES)
        self.threads = await asyncio.to_thread(_thread_rows, user.id)
        self.loaded = True
        return None


class ThreadState(FormErrorsMixin, MessagesAuthState):
    """One referral's messages, marked read on opening, and the reply box."""

    loaded: bool = False
    not_found: bool = False
    reference: str = ""
    child: str = ""
    items: list[dict] = []
    body: str = ""
    sent_notice: str = ""
    public_id: str = ""
    # Files uploaded for the message being written; their ids stay server-side.
    pending_files: list[dict[str, str]] = []
    uploading: bool = False
    upload_message: str = ""
    _pending_ids: dict[str, int] = {}  # public id -> row id

    async def _refresh(self, user_id: int) -> bool:
        found = await asyncio.to_thread(_open_thread, user_id, self.public_id, client_ip.of_router(self.router))
        self.not_found = found is None
        if found is not None:
            header, self.items = found
            self.reference, self.child = header["reference"], header["child"]
        return found is not None

    @rx.event
    async def load(self):
        """Check the session, show the thread (marking it read)."""
        self.public_id = self.router.url.query_parameters.get("id", "")[:32]
        user = await self._reader()
        if user is None:
            return self._go_sign_in(routes.message_thread_path(self.public_id))
        self.errors, self.body, self.sent_notice, self.items = {}, "", "", []
        self.pending_files, self._pending_ids, self.upload_message, self.uploading = [], {}, "", False
        await self._refresh(user.id)
        # Opening the thread read it: the header count follows at once.
        self.unread_messages = await asyncio.to_thread(unread_for, user.id)
        await self._show_in_header(user, unread=self.unread_messages)
        self.loaded = True
        return None

    @rx.event
    def set_body(self, value: str) -> None:
        """The message box."""
        self.body = value[: messages.MESSAGE_MAX_CHARS + 100]
        self.clear_error("body")

    @rx.event
    async def send(self, _form: dict | None = None):
        """Post the message (the service re-checks access), then show the thread with it."""
        try:
            user = await self._writer()
        except NotSignedIn:
            yield sign_in_redirect(routes.MESSAGES)
            return
        ip = client_ip.of_router(self.router)
        attachment_ids = list(self._pending_ids.values())
        errors = await asyncio.to_thread(_post, user.id, self.public_id, self.body, ip, attachment_ids)
        if errors:
            for event in self.show_errors(errors):
                yield event
            return
        self.body = ""
        self.pending_files, self._pending_ids, self.upload_message = [], {}, ""
        self.errors = {}
        self.sent_notice = "Your message has been sent."
        await self._refresh(user.id)

    @rx.event(background=True)
    async def attach(self, chunks: rx.UploadChunkIterator):
        """Stream a file for the message being written (checked like referral documents)."""
        async with self:
            user = await self._reader()
            public_id, pending = self.public_id, list(self._pending_ids.values())
            self.uploading = True
            self.upload_message = ""
        if user is None:
            async with self:
                self.uploading = False
            return
        outcome = await message_attachments.receive_attachment(user.id, public_id, pending, chunks)
        async with self:
            self.uploading = False
            self.upload_message = outcome.message
            self.errors = {"attachment": outcome.message} if outcome.refused else {}
            if outcome.file is not None:
                self._pending_ids = {**self._pending_ids, outcome.file.public_id: outcome.file.id}
                self.pending_files = [
                    *self.pending_files,
                    {"public_id": outcome.file.public_id, "name": outcome.file.name},
                ]

    @rx.event
    async def remove_file(self, document_public_id: str):
        """Take a file off the message before it is sent."""
        try:
            user = await self._writer()
        except NotSignedIn:
            return sign_in_redirect(routes.MESSAGES)
        document_public_id = str(document_public_id)[:40]
        if document_public_id not in self._pending_ids:
            return None
        await asyncio.to_thread(message_attachments.remove_pending, user.id, document_public_id)
        self._pending_ids = {k: v for k, v in self._pending_ids.items() if k != document_public_id}
        self.pending_files = [f for f in self.pending_files if f["public_id"] != document_public_id]
        self.upload_message = "The file has been removed."
        return None
