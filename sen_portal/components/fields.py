"""Form fields with label, hint and error message (GOV.UK pattern).

The input's id is the field name, so the error summary can link to ``#name``.
``aria-describedby`` ties hint and error to the input so screen readers read
them with it; ``aria-invalid`` marks the field in error.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

# Marks an uncontrolled input whose server copy portal.js reconciles (see text_input).
LOSSLESS = {"data-lossless": ""}


def _described_by(name: str, hint: str | None, error: rx.Var) -> rx.Var | str:
    hint_id = f"{name}-hint " if hint else ""
    return rx.cond(error != "", f"{hint_id}{name}-error", hint_id.strip())


def hint_text(name: str, hint: str | None) -> rx.Component:
    return rx.el.div(hint, id=f"{name}-hint", class_name="hint") if hint else rx.fragment()


def error_text(name: str, error: rx.Var) -> rx.Component:
    return rx.cond(
        error != "",
        rx.el.p(
            rx.el.span("Error: ", class_name="visually-hidden"), error, id=f"{name}-error", class_name="error-message"
        ),
    )


def form_group(*children: rx.Component, error: rx.Var) -> rx.Component:
    return rx.el.div(*children, class_name=rx.cond(error != "", "form-group form-group-error", "form-group"))


def text_input(
    *,
    name: str,
    label: str | rx.Component,
    value: rx.Var | None,
    on_change: Any,
    error: rx.Var,
    hint: str | None = None,
    input_type: str = "text",
    autocomplete: str | None = None,
    width_class: str = "",
    spellcheck: bool | None = None,
    **extra: Any,
) -> rx.Component:
    """A labelled text input that reports each change to a state var, losslessly.

    A controlled input re-rendered with the server's copy, which lags the keyboard by a
    round trip, dropped the keys typed in between ('Jogifaver' kept as 'Jgfvr' on a slow
    line). So the browser owns what is typed (``default_value``), and ``LOSSLESS`` lets
    ``assets/portal.js`` tell the server's echo of earlier keys (ignored) from a value the
    server set itself (a chosen address: shown). ``value=None``: the field is not a state var
    at all (passwords: the form's submitted data is read once, never held in page state).
    """
    attributes: dict[str, Any] = {"on_change": on_change}
    if value is not None:
        attributes |= {"default_value": value, "custom_attrs": {**LOSSLESS}}
    if autocomplete:
        attributes["auto_complete"] = autocomplete
    if spellcheck is not None:
        attributes["spell_check"] = spellcheck
    return form_group(
        rx.el.label(label, html_for=name, class_name="label"),
        hint_text(name, hint),
        error_text(name, error),
        rx.el.input(
            id=name,
            name=name,
            type=input_type,
            aria_describedby=_described_by(name, hint, error),
            aria_invalid=rx.cond(error != "", "true", "false"),
            class_name=rx.cond(error != "", f"input input-error {width_class}", f"input {width_class}"),
            **attributes,
            **extra,
        ),
        error=error,
    )


def code_input(*, label: str, value: rx.Var | None, on_change: Any, error: rx.Var) -> rx.Component:
    """A one-time code box (emailed sign-in code, authenticator app): digits, autofill from SMS/apps.

    ``value=None`` (as every code box should be): the code is read from the submitted form, never a var.
    """
    return text_input(
        name="code",
        label=label,
        value=value,
        on_change=on_change,
        error=error,
        autocomplete="one-time-code",
        width_class="input-width-10",
        input_mode="numeric",
        spellcheck=False,
    )


def select_input(
    *,
    name: str,
    label: str,
    value: rx.Var,
    on_change: Any,
    error: rx.Var,
    options: list[tuple[str, str]],
    hint: str | None = None,
) -> rx.Component:
    """A labelled native select (keyboard and screen-reader friendly by default)."""
    return form_group(
        rx.el.label(label, html_for=name, class_name="label"),
        hint_text(name, hint),
        error_text(name, error),
        rx.el.select(
            *[rx.el.option(text, value=option_value) for option_value, text in options],
            id=name,
            name=name,
            value=value,
            on_change=on_change,
            aria_describedby=_described_by(name, hint, error),
            aria_invalid=rx.cond(error != "", "true", "false"),
            class_name="select",
        ),
        error=error,
    )


def checkbox(*, name: str, label: str, checked: rx.Var, on_change: Any, hint: str | None = None) -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.input(
                id=name,
                name=name,
                type="checkbox",
                checked=checked,
                on_change=on_change,
                aria_describedby=f"{name}-hint" if hint else None,
            ),
            rx.el.label(label, html_for=name),
            class_name="checkbox",
        ),
        hint_text(name, hint),
        class_name="form-group",
    )


def labelled_file_input(upload: rx.Component, label: str) -> rx.Component:
    """The dropzone makes its own hidden file input; give it an accessible name."""
    pending = [upload]
    while pending:
        component = pending.pop()
        if getattr(component, "tag", "") == "input" and "file" in str(getattr(component, "type", "")):
            component.custom_attrs = {**component.custom_attrs, "aria-label": label}
        pending.extend(getattr(component, "children", []))
    return upload


def status_message(message: rx.Var) -> rx.Component:
    """Announced to screen readers when it changes (the result of the last action)."""
    return rx.el.div(
        rx.cond(message != "", rx.el.div(rx.el.p(message, class_name="body"), class_name="inset")),
        role="status",
        aria_live="polite",
    )


def field_error(errors: rx.Var, name: str) -> rx.Component:
    return rx.cond(
        errors.contains(name),
        rx.el.p(
            rx.el.span("Error: ", class_name="visually-hidden"),
            errors.get(name, "").to(str),
            id=f"{name}-error",
            class_name="error-message",
        ),
    )


def labelled_input(
    name: str, label: str, errors: rx.Var, hint: str = "", submit_as: str = "", **attributes
) -> rx.Component:
    """A text input with its label, hint and error; ``submit_as`` when the form field name differs from the id."""
    return rx.el.div(
        rx.el.label(label, html_for=name, class_name="label"),
        rx.el.div(hint, id=f"{name}-hint", class_name="hint") if hint else rx.fragment(),
        field_error(errors, name),
        rx.el.input(**({"id": name, "name": submit_as or name, "type": "text", "class_name": "input"} | attributes)),
        class_name=rx.cond(errors.contains(name), "form-group form-group-error", "form-group"),
    )
