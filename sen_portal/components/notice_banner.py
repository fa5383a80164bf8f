"""The maintenance banner every page shows before and during a planned window.

A labelled region with a heading (found by landmark and heading navigation), and the words
"Happening now" / "Planned" rather than a colour alone. Loaded when the shell mounts, from a
short per-worker cache (services.maintenance.banner_notices), so pages cost no query for it.
"""

from __future__ import annotations

import reflex as rx

from sen_portal.state.notices import NoticeBannerState as B


def _notice(row: rx.Var) -> rx.Component:
    return rx.el.div(
        rx.el.h3(
            rx.cond(row["state"] == "active", "Happening now: ", "Planned: "),
            row["title"],
            class_name="heading-s",
        ),
        rx.el.p(row["when"], class_name="body"),
        rx.el.p(row["body"], class_name="body", style={"white_space": "pre-line"}),
        rx.cond(
            row["pause"] != "",
            rx.el.p("You will not be able to sign in during this time.", class_name="body"),
        ),
        class_name="notice-banner-item",
    )


def maintenance_banner() -> rx.Component:
    return rx.el.div(
        rx.cond(
            B.banner.length() > 0,
            rx.el.section(
                rx.el.h2("Planned maintenance", id="maintenance-banner-title", class_name="notice-banner-title"),
                rx.foreach(B.banner, _notice),
                role="region",
                aria_labelledby="maintenance-banner-title",
                id="maintenance-banner",
                class_name="notice-banner width-container",
            ),
        ),
        on_mount=B.load_banner,
    )
