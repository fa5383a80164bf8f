"""A blank Reflex page with one trivial event handler: the floor of the event round-trip benchmark.

Never part of the portal: ``benchmarks/event_round_trip.py`` adds it to its *private copy* of the
tree only (``add_blank_page(app)`` appended to the copy's ``sen_portal/sen_portal.py``), so the
floor runs in the same server process, on the same Reflex, state manager and transport as the
form page it is compared with. The difference between the two is what the portal's own handler
and page state cost.
"""

import reflex as rx

ROUTE = "/bench-blank"


class BenchBlankState(rx.State):
    """One string, set by one event: Reflex's own cost of an event and its delta."""

    text: str = ""

    @rx.event
    def set_text(self, value: str) -> None:
        """Keep what was typed."""
        self.text = value[:200]


def blank_page() -> rx.Component:
    return rx.el.main(
        rx.el.label("Text", html_for="text"),
        rx.el.input(id="text", value=BenchBlankState.text, on_change=BenchBlankState.set_text),
    )


def add_blank_page(app: rx.App) -> None:
    app.add_page(blank_page, route=ROUTE, title="blank")
