"""Tokens from emailed links (reset password, activate, confirm a new address) kept out of page state.

Reflex stores each tab's state server-side, including its copy of the page address. So a page
opened from a link reads the token once, on load, hands it to the page's form (a hidden field,
``components.link_token.link_token_field``) and takes it out of the address bar; the next event's
address no longer holds it, and the handler that uses it reads it back from the submitted form.
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

FIELD = "link_token"
_MAX = 200


def token_from_address(router: Any) -> str:
    return str(router.url.query_parameters.get("token", ""))[:_MAX]


def token_from_form(form: dict | None, router: Any) -> str:
    """The form's copy; the address's while the load's script has not yet moved it (a quick click)."""
    return str((form if isinstance(form, dict) else {}).get(FIELD) or "")[:_MAX] or token_from_address(router)


def move_token_into_page(token: str) -> rx.event.EventSpec | None:
    """A one-off script: the token into the form's hidden field (once drawn), out of the address bar."""
    if not token:
        return None
    return rx.call_script(
        "(function move(tries) { const field = document.getElementById(" + json.dumps(FIELD) + "); "
        "if (!field) { if (tries < 400) setTimeout(() => move(tries + 1), 25); return; } "
        f"field.value = {json.dumps(token)}; "
        "history.replaceState(history.state, '', location.pathname); })(0)"
    )
