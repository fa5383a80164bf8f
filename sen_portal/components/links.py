"""Plain ``<a>`` links for targets on the same page.

``rx.el.a`` is React Router's ``Link``: it resolves ``#field`` against the path alone,
so on ``/requests/section?id=..&section=..`` an error-summary link went to the section
page *without its query* ("Request not found", unsaved answers gone). A plain anchor
keeps the URL, and ``assets/portal.js`` moves focus to the target (GOV.UK error
summary behaviour: the field itself, its label or legend scrolled into view).
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.el.elements.inline import A

# A status region that takes focus when its message changes after something the user pressed
# (upload, remove, approve, status change, message sent), so focus is never dropped to <body>;
# see assets/portal.js. Copied per use: Reflex adds other attributes to this dict.
FOCUS_ON_CHANGE = {"data-focus-on-change": ""}


def confirmation_region(*children: rx.Component, **props) -> rx.Component:
    """``role="status"`` region, focusable, focused by portal.js when its message changes."""
    return rx.el.div(
        *children, role="status", aria_live="polite", tab_index=-1, custom_attrs={**FOCUS_ON_CHANGE}, **props
    )


def in_page_link(*children: rx.Component | rx.Var | str, target: str | rx.Var, **props) -> rx.Component:
    """``<a href="#target">``: no router, the page's query stays; focus goes to the target."""
    return A.create(*children, href="#" + target, **props)
