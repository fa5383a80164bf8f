"""The request journey: any live form, drawn section by section from its definition.

Every handler re-checks the session and passes the signed-in user's id to the
service, which refuses anything the user does not own: a page URL or a
hand-made event naming someone else's request gets "not found".
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlencode

import reflex as rx
from reflex_base.utils.form import FormData
from sqlalchemy.exc import DBAPIError

from sen_portal import routes
from sen_portal.config import get_settings
from sen_portal.forms import FormDefinition, add_group_item, remove_group_item, render_plan, set_answer, steps
from sen_portal.forms.conditions import may_change_visibility
from sen_portal.models import ApprovalStatus
from sen_portal.services.referrals import drafts as referrals
from sen_portal.services.referrals import referral_journey as journey
from sen_portal.services.referrals.referral_workflow import status_label
from sen_portal.state.auth import AuthState, CurrentUser, NotSignedIn, sign_in_redirect
from sen_portal.state.form_errors import FormErrorsMixin, focus_error_summary

log = logging.getLogger(__name__)


NOT_APPROVED = (
    "You cannot send requests until the SEN team has approved your account. "
    "Your answers are saved: you will get an email when you can send this request."
)


class ReferralState(FormErrorsMixin, AuthState):
    """One request being filled in (or read back)."""

    referral_id: str = ""
    not_found: bool = False
    form_title: str = ""
    section_key: str = ""
    section_title: str = ""
    section_description: str = ""
    step_number: int = 0
    step_count: int = 0
    plan: list[dict[str, Any]] = []
    summary: list[dict[str, str]] = []
    documents: list[dict[str, str]] = []
    document_slots: list[dict[str, str]] = []
    upload_slot: str = ""
    upload_message: str = ""
    # Said from the first section on, not first at Send (issue 13): the SEN team must approve them.
    awaiting_approval: bool = False
    upload_error_slot: str = ""  # the slot whose upload was refused, and why (shown beside it)
    upload_error: str = ""
    uploading: bool = False
    reference: str = ""
    status: str = ""
    status_label: str = ""
    # Send refused: each unfinished section as an error-summary item linking to it.
    incomplete: list[dict[str, str]] = []
    address_options: dict[str, list[dict[str, str]]] = {}
    address_messages: dict[str, str] = {}
    _found_addresses: dict[str, dict[str, dict[str, str]]] = {}
    _answers: dict[str, Any] = {}
    _errors: dict[str, list[str]] = {}

    @rx.var
    def summary_sections(self) -> list[dict[str, str]]:
        """The sections the summary rows come from, in order (one check-answers card each)."""
        seen: dict[str, str] = {}
        for row in self.summary:
            seen.setdefault(row["section_key"], row["section_title"])
        return [{"key": key, "title": title} for key, title in seen.items()]

    # ---- helpers ------------------------------------------------------------------------------
    def _query(self, key: str) -> str:
        return self.router.url.query_parameters.get(key, "")[:64]

    def _show(self, view: journey.SectionView) -> None:
        self.not_found = False
        self.form_title = view.form_title
        self.section_key = view.section_key
        self.section_title = view.section_title
        self.section_description = view.section_description
        self.step_number = view.step_number
        self.step_count = view.step_count
        self.status = view.status
        self._answers = view.answers
        self.documents = view.documents
        self.document_slots = view.document_slots
        if not self.upload_slot and view.document_slots:
            self.upload_slot = view.document_slots[0]["value"]
        self._replan(view.definition, view.lookups)

    def _replan(self, definition: FormDefinition, lookups: dict[str, dict[str, str]]) -> None:
        self.plan = render_plan(definition, self.section_key, self._answers, errors=self._errors, lookups=lookups)

    async def _definition(self, user: CurrentUser) -> tuple[FormDefinition, dict[str, dict[str, str]]] | None:
        """The request's form (checking it is this user's), or None after showing "not found"."""
        if (cached := journey.cached_definition_for(user.id, self.referral_id)) is not None:
            return cached  # ownership already checked in this process: no thread hop, no query
        try:
            return await asyncio.to_thread(journey.definition_for, user.id, self.referral_id)
        except referrals.ReferralNotFound:
            log.warning("request %s refused to user %s", self.referral_id[:12], user.id)
            self._not_found()
            return None

    def _here(self) -> str:
        """This page with its query: signing in again must return to the same request and section."""
        url = self.router.url
        return f"{url.path}?{url.query}" if url.query else url.path

    def _section_href(self, section_key: str) -> str:
        return f"{routes.REFERRAL_SECTION}?{urlencode({'id': self.referral_id, 'section': section_key})}"

    def _not_found(self) -> None:
        self.not_found = True
        self.plan = []
        self.summary = []

    # ---- starting and loading -----------------------------------------------------------------
    @rx.event
    async def start(self):
        """/requests/new?form=KEY: start a draft pre-filled from the account, go to its first section."""
        user = await self._signed_in()
        if user is None:
            return sign_in_redirect(self._here())
        form_key = self._query("form") or "ehc_needs_assessment"
        try:
            public_id, first_section = await asyncio.to_thread(journey.start, user.id, form_key)
        except referrals.ReferralNotFound:
            self._not_found()
            return None
        # replace: Back from the first section must not land on /requests/new and start another draft.
        return rx.redirect(f"{routes.REFERRAL_SECTION}?id={public_id}&section={first_section}", replace=True)

    @rx.event
    async def load_section(self):
        """/requests/section?id=..&section=..: draw the section from the draft's own form version."""
        user = await self._signed_in()
        if user is None:
            return sign_in_redirect(self._here())
        self.referral_id = self._query("id")
        self._errors = {}
        self.errors = {}
        self.upload_message = ""
        self.upload_error_slot = self.upload_error = ""
        self.address_options = {}
        self.address_messages = {}
        try:
            view = await asyncio.to_thread(journey.section_view, user.id, self.referral_id, self._query("section"))
        except referrals.ReferralNotFound:
            self._not_found()
            return None
        if view.status != "draft":
            return rx.redirect(f"{routes.REFERRAL_VIEW}?id={self.referral_id}")
        self.awaiting_approval = user.approval_status == ApprovalStatus.PENDING
        self._show(view)
        return None

    # ---- answering ------------------------------------------------------------------------------
    @rx.event
    async def set_value(self, path: str, value: str) -> None:
        """A text answer left its field: keep the server copy current (nothing is saved yet)."""
        await self._apply(path, value, replan=False)

    @rx.event
    async def choose(self, path: str, value: str) -> None:
        """A choice changed: re-plan at once when some question depends on it, so it shows or hides.

        Other choices re-plan nothing: their inputs already show what was chosen, and re-sending
        the whole plan (≈15 KB on the heaviest section) for them bought nothing.
        """
        await self._apply(path, value, replan=None)

    async def _field_change_user(self) -> CurrentUser | None:
        """The session check for a change within the page: the header is the page load's business
        (``_signed_in`` also re-reads the unread-message count, a query this event does not need)."""
        try:
            return await self._require_user()
        except NotSignedIn:
            return None

    async def _apply(self, path: str, value: Any, *, replan: bool | None) -> None:
        """Set one answer; ``replan`` None = only when some condition names the field."""
        user = await self._field_change_user()
        if user is None or not self.section_key:
            return
        loaded = await self._definition(user)
        if loaded is None:
            return None
        definition, lookups = loaded
        try:
            self._answers = set_answer(definition, self._answers, str(path)[:200], _as_answer(value))
        except (ValueError, KeyError, IndexError, TypeError):
            return  # a hand-made event naming a field the form does not have
        if replan or (replan is None and may_change_visibility(definition, str(path)[:200])):
            self._replan(definition, lookups)

    @rx.event
    async def add_item(self, group: str) -> None:
        """ "Add another ..." in a repeatable group."""
        user = await self._field_change_user()
        if user is None:
            return
        loaded = await self._definition(user)
        if loaded is None:
            return None
        definition, lookups = loaded
        try:
            self._answers = add_group_item(definition, self._answers, group)
        except (ValueError, KeyError):
            return
        self._replan(definition, lookups)

    @rx.event
    async def remove_item(self, group: str, index: int) -> None:
        """Remove one item of a repeatable group."""
        user = await self._field_change_user()
        if user is None:
            return
        loaded = await self._definition(user)
        if loaded is None:
            return None
        definition, lookups = loaded
        try:
            self._answers = remove_group_item(definition, self._answers, group, int(index))
        except (ValueError, KeyError, IndexError):
            return
        self._replan(definition, lookups)

    @rx.event
    async def save_and_continue(self, form_data: FormData):
        """Save the section (even with errors: nothing is lost), then show errors or go on."""
        user = await self._signed_in()
        if user is None:
            return sign_in_redirect(self._here())
        try:
            result = await asyncio.to_thread(
                journey.save, user.id, self.referral_id, self.section_key, self._answers, _form_entries(form_data)
            )
        except (referrals.ReferralNotFound, KeyError):
            self._not_found()
            return None
        self._answers = result.answers
        self._errors = result.errors
        if result.errors:
            self._replan(result.definition, result.lookups)
            return self.show_errors(result.errors)
        self.errors = {}
        target = (
            f"{routes.REFERRAL_SECTION}?id={self.referral_id}&section={result.next_section}"
            if result.next_section and self._query("return") != "check"  # came from a Change link
            else f"{routes.REFERRAL_CHECK}?id={self.referral_id}"
        )
        return rx.redirect(target)

    # ---- address fields: the same postcode lookup as registration ------------------------------
    @rx.event
    async def find_address(self, path: str):
        """Look up the postcode typed into an address field and offer its addresses."""
        user = await self._signed_in()
        if user is None:
            return None
        path = str(path)[:200]
        loaded = await self._definition(user)
        if loaded is None:
            return None
        definition, lookups = loaded
        found = await asyncio.to_thread(journey.find_addresses, self._answers, path)
        self.address_options = {**self.address_options, path: found.options}
        self.address_messages = {**self.address_messages, path: found.message}
        self._found_addresses = {**self._found_addresses, path: found.by_uprn}
        if found.error:
            self._errors = {**self._errors, path: [found.error]}
            self._replan(definition, lookups)
            return self.show_errors({path: [found.error]})
        self._errors = {key: value for key, value in self._errors.items() if key != path}
        self.clear_error(path)
        self._replan(definition, lookups)
        return None

    @rx.event
    async def choose_address(self, path: str, uprn: str) -> None:
        """Fill an address field from the chosen address (only one the server offered)."""
        user = await self._signed_in()
        chosen = self._found_addresses.get(str(path), {}).get(str(uprn))
        if user is None or chosen is None:
            return
        loaded = await self._definition(user)
        if loaded is None:
            return None
        definition, lookups = loaded
        for part, value in {**chosen, "uprn": str(uprn)}.items():
            try:
                self._answers = set_answer(definition, self._answers, f"{path}.{part}", value)
            except (ValueError, KeyError, IndexError, TypeError):
                return
        self._replan(definition, lookups)

    # ---- documents ------------------------------------------------------------------------------
    @rx.event
    def choose_upload(self, slot: str) -> None:
        """A slot's "Choose a file" was pressed: the next upload goes into that slot."""
        if any(option["value"] == slot for option in self.document_slots):
            self.upload_slot = slot

    @rx.event(background=True)
    async def upload(self, chunks: rx.UploadChunkIterator):
        """Stream the chosen file to the document store, counting bytes as they arrive."""
        async with self:
            user = await self._signed_in()
            referral_id, slot = self.referral_id, self.upload_slot
            self.uploading = True
            self.upload_message = ""
        if user is None:
            async with self:
                self.uploading = False
            return
        outcome = await journey.receive_upload(user.id, referral_id, slot, chunks)
        async with self:
            self.uploading = False
            self.upload_message = "" if outcome.refused else outcome.message
            if outcome.documents is not None:
                self.documents = outcome.documents
            # A refusal shows beside the slot's own button and, linked to the slot, in the summary.
            self.upload_error_slot = slot if outcome.refused else ""
            self.upload_error = outcome.message if outcome.refused else ""
            self.errors = {slot: outcome.message} if outcome.refused else {}
        if outcome.refused:
            yield focus_error_summary()

    @rx.event
    async def remove_document(self, document_id: str) -> None:
        """Remove an uploaded file before the request is sent."""
        user = await self._signed_in()
        if user is None:
            return
        try:
            self.documents = await asyncio.to_thread(
                journey.remove_document, user.id, self.referral_id, str(document_id)[:40]
            )
        except referrals.ReferralNotFound:
            return
        self.upload_message = "The file has been removed."

    # ---- check, submit, read back ---------------------------------------------------------------------
    async def _read_back(self):
        """Load the request's answers as summary rows (check page, confirmation, read back)."""
        user = await self._signed_in()
        if user is None:
            return sign_in_redirect(self._here())
        self.referral_id = self._query("id")
        self.errors = {}
        self.incomplete = []
        try:
            check = await asyncio.to_thread(journey.check_view, user.id, self.referral_id)
        except referrals.ReferralNotFound:
            self._not_found()
            return None
        self.not_found = False
        self.awaiting_approval = user.approval_status == ApprovalStatus.PENDING
        self.form_title = check.form_title
        self.summary = check.rows
        self.status = check.status
        self.status_label = status_label(check.status)
        self.reference = check.reference
        self.documents = check.documents
        return None

    @rx.event
    async def load_check(self):
        """Check your answers."""
        return await self._read_back()

    @rx.event
    async def submit(self, _form: dict | None = None):
        """Send the request (idempotent: a double click sends one)."""
        self.errors = {}
        try:
            user = await self._signed_in()
        except DBAPIError as error:  # the session check already needs the database: same words as below
            if not journey.database_unreachable(error):
                raise
            return self.show_errors({"send-request": [journey.TRY_AGAIN]})
        if user is None:
            return sign_in_redirect(self._here())
        # A restarted worker (state kept in memory) or a session reset may have emptied the page's state
        # while the page still shows the request: its address says which one (ownership is checked).
        self.referral_id = self.referral_id or self._query("id")
        try:
            reference = await asyncio.to_thread(journey.submit, user.id, self.referral_id, get_settings())
        except referrals.ReferralNotFound:
            self._not_found()
            return None
        except referrals.AccountNotApproved:
            return self.show_errors({"send-request": [NOT_APPROVED]})
        except journey.TryAgainLater:
            # Never a false success: the page stays, with the reason in the error summary.
            return self.show_errors({"send-request": [journey.TRY_AGAIN]})
        except referrals.ReferralInvalid as invalid:
            # GOV.UK task list: say which sections are unfinished, each a link, rather than open one.
            sections = await asyncio.to_thread(
                journey.incomplete_sections, user.id, self.referral_id, list(invalid.errors)
            )
            self.incomplete = [
                {"field": key, "message": f"Complete the section ‘{title}’", "href": self._section_href(key)}
                for key, title in sections
            ]
            return focus_error_summary()
        self.reference = reference
        return rx.redirect(f"{routes.REFERRAL_CONFIRMATION}?id={self.referral_id}")

    @rx.event
    async def load_view(self):
        """A submitted request read back (also the confirmation page)."""
        return await self._read_back()


def _as_answer(value: Any) -> Any:
    if isinstance(value, str):
        return value[:20_000]
    if isinstance(value, list):
        return [str(item)[:500] for item in value[:100]]
    return value


def _form_entries(form_data: FormData) -> dict[str, list[str]]:
    """Every submitted value per name (checkboxes share a name)."""
    entries: dict[str, list[str]] = {}
    for name, value in form_data.multi_items():
        if isinstance(value, str) and len(entries) < 500:
            entries.setdefault(str(name)[:200], []).append(value[:20_000])
    return entries


__all__ = ["ReferralState", "steps"]
