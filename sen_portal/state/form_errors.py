"""Error handling shared by every form page (a Reflex mixin, so each page keeps its own errors)."""

from __future__ import annotations

import reflex as rx

# The error summary's element id (components/error_summary.py draws it; handlers focus it).
ERROR_SUMMARY_ID = "error-summary"

# After the DOM has the summary, move focus to it so screen readers read it
# and keyboard users start from the list of problems (GOV.UK pattern).
_FOCUS_SUMMARY = f"setTimeout(() => document.getElementById('{ERROR_SUMMARY_ID}')?.focus(), 50)"


def focus_error_summary() -> rx.event.EventSpec:
    """For a page that shows its own summary items (not ``errors``)."""
    return rx.call_script(_FOCUS_SUMMARY)


class FormErrorsMixin(rx.State, mixin=True):
    """``errors`` maps a field name to the message shown beside it and in the summary."""

    errors: dict[str, str] = {}

    @rx.var
    def error_items(self) -> list[dict[str, str]]:
        return [{"field": field, "message": message} for field, message in self.errors.items()]

    def show_errors(self, errors: dict[str, list[str]]) -> list[rx.event.EventSpec]:
        """Keep the first message per field (WTForms shape in, one message out) and focus the summary."""
        self.errors = {field: messages[0] for field, messages in errors.items() if messages}
        return [focus_error_summary()] if self.errors else []

    def clear_error(self, field: str) -> None:
        if field in self.errors:
            self.errors = {name: message for name, message in self.errors.items() if name != field}
