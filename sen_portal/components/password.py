"""Password entry with a live rules checklist and a show/hide toggle."""

from __future__ import annotations

from typing import Any

import reflex as rx

from sen_portal.components.fields import text_input


def password_rules_checklist(rules: rx.Var) -> rx.Component:
    """``rules``: list of ``{"label", "met"}`` recomputed on the server as the user types."""
    return rx.el.div(
        rx.el.p("Your password must be:", class_name="hint", id="password-rules-title"),
        rx.el.ul(
            rx.foreach(
                rules,
                lambda rule: rx.el.li(
                    rule["label"],
                    rx.el.span(rx.cond(rule["met"], " – done", " – not yet"), class_name="visually-hidden"),
                    class_name=rx.cond(rule["met"], "met", "unmet"),
                ),
            ),
            class_name="checklist",
            aria_labelledby="password-rules-title",
            id="password-rules",
        ),
    )


def password_input(
    *,
    name: str,
    label: str,
    value: rx.Var | None,
    on_change: Any,
    error: rx.Var,
    shown: rx.Var,
    hint: str | None = None,
    autocomplete: str = "new-password",
) -> rx.Component:
    return text_input(
        name=name,
        label=label,
        value=value,
        on_change=on_change,
        error=error,
        hint=hint,
        input_type=rx.cond(shown, "text", "password"),
        autocomplete=autocomplete,
        spellcheck=False,
    )


def show_password_toggle(*, shown: rx.Var, on_click: Any, controls: str) -> rx.Component:
    return rx.el.button(
        rx.cond(shown, "Hide password", "Show password"),
        type="button",
        on_click=on_click,
        aria_controls=controls,
        aria_pressed=rx.cond(shown, "true", "false"),
        class_name="button button-secondary",
    )
