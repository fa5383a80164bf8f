"""GOV.UK character count for a text box with a limit.

Without scripts the message says the limit; ``assets/portal.js`` turns it into a live count
("You have 12 characters remaining" / "... too many", in red when over) and tells screen
readers politely once typing pauses. No ``maxlength``: pasting beyond the limit is allowed,
and the server's check then says clearly how long the answer may be.
"""

from __future__ import annotations

import reflex as rx


def character_count_message(field_id: rx.Var | str, max_length: rx.Var | int) -> rx.Component:
    """The message under the box (its id is ``<field_id>-info``; add it to aria-describedby)."""
    limit = rx.Var.create(max_length).to(int)
    field = rx.Var.create(field_id).to(str)
    return rx.el.div(
        "You can enter up to " + limit.to_string() + " characters",
        id=field + "-info",
        class_name="hint character-count-message",
        custom_attrs={"data-character-count-for": field, "data-max": limit.to_string()},
    )
