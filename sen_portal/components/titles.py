"""Page titles: unique, saying where the user is, with "Error: " in front while errors show.

GOV.UK pattern: ``Section – Request for an EHC needs assessment – SEN Professional Portal``.
A screen reader announces the title first on every page change, so a title that stays
"Your request" on all ten sections, or says "Activate your account" over "This link has
expired", tells the user nothing. Titles are Vars, so they follow the page's state.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from sen_portal.config import get_settings

SEPARATOR = " – "


def title(text: str) -> str:
    """A fixed title: ``text – service``."""
    return f"{text}{SEPARATOR}{get_settings().service_name}"


def _with_error_prefix(text: rx.Var | str, state: Any) -> rx.Var:
    text_var = rx.Var.create(text).to(str)
    if not hasattr(state, "error_items"):  # a page without a form
        return text_var
    return rx.cond(state.error_items.length() > 0, "Error: " + text_var, text_var)


def form_title(text: str, state: Any) -> rx.Var:
    """A form page's title, ``Error: `` in front while ``state`` (a FormErrorsMixin) shows errors."""
    return _with_error_prefix(title(text), state)


def link_page_title(state: Any, by_status: dict[str, str], default: str) -> rx.Var:
    """An emailed-link page: titled like the ``h1`` its ``state.status`` shows (expired, used, not valid)."""
    cases = [(status, title(text)) for status, text in by_status.items()]
    return _with_error_prefix(rx.match(state.status, *cases, title(default)), state)


# The h1s every emailed-link page shares; anything unrecognised is "not valid".
EXPIRED_OR_USED = {"expired": "This link has expired", "used": "This link has already been used"}
NOT_VALID = "This link is not valid"


def request_title(state: Any, page: str | rx.Var) -> rx.Var:
    """``page – form title – service`` for the request pages (the form title once it has loaded)."""
    service = get_settings().service_name
    full = rx.Var.create(page).to(str) + SEPARATOR + state.form_title + SEPARATOR + service
    text = rx.cond(state.form_title != "", full, title("Your request")).to(str)
    # Send refused lists unfinished sections (``incomplete``) rather than field errors.
    has_errors = (state.error_items.length() > 0) | (state.incomplete.length() > 0)
    return rx.cond(has_errors, "Error: " + text, text)
