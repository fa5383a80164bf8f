"""Maintenance notices: the banner on every page, and the staff page that schedules and emails them."""

from __future__ import annotations

import asyncio

import reflex as rx

from sen_portal import client_ip
from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.email.notice_emails import local_time
from sen_portal.services import maintenance
from sen_portal.services.clock import system_clock
from sen_portal.services.maintenance import NoticeView
from sen_portal.state.auth import STAFF_ROLES, NotSignedIn, sign_in_redirect
from sen_portal.state.form_errors import FormErrorsMixin
from sen_portal.state.staff_base import StaffState


def _banner_row(notice: NoticeView) -> dict[str, str]:
    return {
        "id": str(notice.id),
        "title": notice.title,
        "body": notice.body,
        "when": f"From {local_time(notice.starts_at)} until {local_time(notice.ends_at)}",
        "state": notice.state,
        "pause": "yes" if notice.pause_sign_in else "",
    }


def _load_current() -> list[NoticeView]:
    with session_scope() as db:
        return maintenance.current_and_upcoming(db)


def banner_rows() -> list[dict[str, str]]:
    """From the per-worker cache: a page load does not cost a query (services.maintenance)."""
    return [_banner_row(n) for n in maintenance.banner_notices(_load_current, now=system_clock())]


class NoticeBannerState(rx.State):
    """Not an AuthState: the banner shows to everyone, signed in or not."""

    banner: list[dict[str, str]] = []

    @rx.event
    async def load_banner(self) -> None:
        """Run when the page shell mounts."""
        self.banner = await asyncio.to_thread(banner_rows)


class StaffNoticesState(FormErrorsMixin, StaffState):
    """/staff/notices: schedule a notice, list them, email one to opted-in users (with a confirmation)."""

    loaded: bool = False
    notices: list[dict[str, str]] = []
    title: str = ""
    body: str = ""
    starts_at: str = ""
    ends_at: str = ""
    pause_sign_in: bool = False
    confirm_id: str = ""
    notice: str = ""

    async def _list(self) -> None:
        views = await asyncio.to_thread(_all_notices)
        self.notices = [{**_banner_row(v), "emailed": local_time(v.emailed_at) if v.emailed_at else ""} for v in views]

    @rx.event
    async def load(self):
        """Staff only; list the notices."""
        user, redirect = await self._open()
        if user is None:
            return redirect
        self.errors, self.confirm_id, self.notice = {}, "", ""
        await self._list()
        self.loaded = True
        return None

    @rx.event
    def set_title(self, value: str) -> None:
        """Title field."""
        self.title = value[:200]
        self.clear_error("title")

    @rx.event
    def set_body(self, value: str) -> None:
        """Notice text field."""
        self.body = value[:3000]
        self.clear_error("body")

    @rx.event
    def set_starts_at(self, value: str) -> None:
        """Start field."""
        self.starts_at = value[:40]
        self.clear_error("starts_at")

    @rx.event
    def set_ends_at(self, value: str) -> None:
        """End field."""
        self.ends_at = value[:40]
        self.clear_error("ends_at")

    @rx.event
    def set_pause_sign_in(self, checked: bool) -> None:
        """Pause sign-in tick box."""
        self.pause_sign_in = bool(checked)

    @rx.event
    async def schedule(self, _form: dict | None = None):
        """Schedule the notice (the service checks it); the banner shows at once on this worker."""
        try:
            user = await self._require_user(*STAFF_ROLES)
        except NotSignedIn:
            yield sign_in_redirect(self.router.url.path)
            return
        fields = (
            self.title,
            self.body,
            maintenance.parse_uk_time(self.starts_at),
            maintenance.parse_uk_time(self.ends_at),
            self.pause_sign_in,
        )
        errors = await asyncio.to_thread(_schedule, user.id, user.email, client_ip.of_router(self.router), *fields)
        if errors:
            for event in self.show_errors(errors):
                yield event
            return
        self.errors = {}
        self.title = self.body = self.starts_at = self.ends_at = ""
        self.pause_sign_in = False
        self.notice = "The notice has been scheduled."
        await self._list()
        yield NoticeBannerState.load_banner

    @rx.event
    async def end_notice(self, notice_id: str):
        """End a notice now (or cancel an upcoming one): the banner goes, sign-in resumes."""
        try:
            user = await self._require_user(*STAFF_ROLES)
        except NotSignedIn:
            yield sign_in_redirect(self.router.url.path)
            return
        if not _is_id(str(notice_id)):
            return
        ended = await asyncio.to_thread(_end, int(notice_id), user.id, user.email, client_ip.of_router(self.router))
        self.notice = "The notice has ended." if ended else "That notice had already ended."
        await self._list()
        yield NoticeBannerState.load_banner

    @rx.event
    def ask_to_email(self, notice_id: str) -> None:
        """First click: show the confirmation for this notice."""
        self.confirm_id = str(notice_id)[:12]
        self.notice = ""

    @rx.event
    def cancel_email(self) -> None:
        """Do not email after all."""
        self.confirm_id = ""

    @rx.event
    async def email_users(self):
        """Confirmed: queue the notice to every opted-in user (once per notice)."""
        try:
            user = await self._require_user(*STAFF_ROLES)
        except NotSignedIn:
            return sign_in_redirect(self.router.url.path)
        if not _is_id(self.confirm_id):
            return None
        count = await asyncio.to_thread(
            _broadcast, int(self.confirm_id), user.id, user.email, client_ip.of_router(self.router)
        )
        self.confirm_id = ""
        self.notice = (
            "This notice has already been emailed, or has ended."
            if count is None
            else f"The notice is being emailed to {count} portal user{'s' if count != 1 else ''}."
        )
        await self._list()
        return None


def _end(notice_id: int, user_id: int, email: str, ip: str) -> bool:
    with session_scope() as db:
        try:
            return maintenance.end_now(db, notice_id=notice_id, actor_user_id=user_id, actor_email=email, client_ip=ip)
        except maintenance.NoticeNotFound:
            return False


def _all_notices() -> list[NoticeView]:
    with session_scope() as db:
        return maintenance.all_notices(db)


def _schedule(user_id: int, email: str, ip: str, title, body, starts, ends, pause) -> dict[str, list[str]]:
    with session_scope() as db:
        try:
            maintenance.schedule(
                db,
                title=title,
                body=body,
                starts_at=starts,
                ends_at=ends,
                pause_sign_in=pause,
                created_by_user_id=user_id,
                actor_email=email,
                client_ip=ip,
            )
        except maintenance.NoticeInvalid as invalid:
            return invalid.errors
    return {}


def _broadcast(notice_id: int, user_id: int, email: str, ip: str) -> int | None:
    with session_scope() as db:
        try:
            return maintenance.broadcast(
                db, notice_id=notice_id, settings=get_settings(), actor_user_id=user_id, actor_email=email, client_ip=ip
            )
        except (maintenance.NoticeNotFound, maintenance.NoticeEnded):
            return None


def _is_id(value: str) -> bool:
    """A row id from the page: plain ASCII digits that fit an integer column ("²".isdigit() is true)."""
    return value.isascii() and value.isdecimal() and len(value) < 10
