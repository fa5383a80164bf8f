"""The hidden field a link page's load writes the emailed token into (``state.link_tokens``)."""

from __future__ import annotations

import reflex as rx

from sen_portal.state.link_tokens import FIELD


def link_token_field() -> rx.Component:
    return rx.el.input(type="hidden", name=FIELD, id=FIELD)
