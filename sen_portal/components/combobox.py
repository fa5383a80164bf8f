"""An accessible type-ahead (ARIA 1.2 combobox with a listbox popup).

Keyboard: type to filter, Down/Up move through the options, Enter picks the
highlighted one, Escape closes the list. ``aria-activedescendant`` tells screen
readers which option is highlighted, and a polite live region announces how
many suggestions there are. State handlers do the filtering on the server.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from sen_portal.components.fields import LOSSLESS, error_text, form_group, hint_text


def combobox(
    *,
    name: str,
    label: str,
    query: rx.Var,
    options: rx.Var,
    expanded: rx.Var,
    active_index: rx.Var,
    status: rx.Var,
    error: rx.Var,
    on_change: Any,
    on_key_down: Any,
    on_pick: Any,
    hint: str | None = None,
) -> rx.Component:
    """``options``: list of ``{"value", "label"}``; ``on_pick`` is called with the chosen value."""
    listbox_id = f"{name}-listbox"
    described = rx.cond(
        error != "", f"{name}-hint {name}-error" if hint else f"{name}-error", f"{name}-hint" if hint else ""
    )
    return form_group(
        rx.el.label(label, html_for=name, class_name="label"),
        hint_text(name, hint),
        error_text(name, error),
        rx.el.div(
            rx.el.input(
                id=name,
                name=name,
                type="text",
                role="combobox",
                default_value=query,  # lossless like every text input (see fields.text_input)
                custom_attrs={**LOSSLESS},  # a copy: Reflex adds aria-* props to this dict
                on_change=on_change,
                on_key_down=on_key_down,
                auto_complete="off",
                aria_autocomplete="list",
                aria_expanded=rx.cond(expanded, "true", "false"),
                aria_controls=listbox_id,
                aria_activedescendant=rx.cond(
                    expanded & (active_index >= 0), f"{name}-option-" + active_index.to_string(), ""
                ),
                aria_describedby=described,
                aria_invalid=rx.cond(error != "", "true", "false"),
                class_name=rx.cond(error != "", "input input-error", "input"),
            ),
            rx.el.ul(
                rx.foreach(
                    options,
                    lambda option, index: rx.el.li(
                        option["label"],
                        id=f"{name}-option-" + index.to_string(),
                        role="option",
                        aria_selected=rx.cond(index == active_index, "true", "false"),
                        on_click=on_pick(option["value"]),
                        class_name="combobox-option",
                    ),
                ),
                id=listbox_id,
                role="listbox",
                aria_label=f"{label} suggestions",
                hidden=~expanded,
                class_name="combobox-list",
            ),
            rx.el.div(status, role="status", aria_live="polite", class_name="visually-hidden"),
            class_name="combobox",
        ),
        error=error,
    )
