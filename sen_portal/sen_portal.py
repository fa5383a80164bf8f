"""The Reflex app: page registration and wiring only."""

import reflex as rx


def index() -> rx.Component:
    return rx.el.main(rx.el.h1("SEN Professional Portal"), id="main-content")


app = rx.App()
app.add_page(index, route="/", title="Home")
