"""Every form the portal draws: ``post_form`` instead of ``rx.el.form``.

Reflex submits forms over the websocket once the page's JavaScript runs. Before that (a slow
connection, Enter pressed at once) or with JavaScript off, the browser submits natively, and a
bare ``<form>`` does that as a GET to the page itself: the email, password or code lands in the
address bar, the history and every access log on the way. ``method="post"`` keeps what is
typed in the request body, and the action is a route that reads nothing and explains that
nothing was sent (api/form_not_sent.py). Once hydrated, Reflex's own submit handler prevents
the native submission as before.
"""

from __future__ import annotations

import reflex as rx

from sen_portal import routes


def post_form(*children: rx.Component, **props) -> rx.Component:
    """``rx.el.form`` that can never put its fields into a URL."""
    return rx.el.form(*children, method="post", action=routes.FORM_NOT_SENT, **props)
