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


def in_page_link(*children: rx.Component | rx.Var | str, target: str | rx.Var, **props) -> rx.Component:
    """``<a href="#target">``: no router, the page's query stays; focus goes to the target."""
    return A.create(*children, href="#" + target, **props)
