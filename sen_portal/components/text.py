"""Typography helpers so pages use one heading and paragraph style."""

from __future__ import annotations

import reflex as rx


def heading(text: str | rx.Var, *, level: int = 1, size: str = "l") -> rx.Component:
    tag = {1: rx.el.h1, 2: rx.el.h2, 3: rx.el.h3}[level]
    return tag(text, class_name=f"heading-{size}")


def paragraph(*children: rx.Component | str, lead: bool = False) -> rx.Component:
    return rx.el.p(*children, class_name="body-l" if lead else "body")


def button_link(text: str, href: str, *, secondary: bool = False) -> rx.Component:
    return rx.el.a(text, href=href, role="button", class_name="button button-secondary" if secondary else "button")
