"""The Reflex app: page registration and wiring only."""

import reflex as rx

from sen_portal import routes
from sen_portal.api.app import build_api
from sen_portal.config import get_settings
from sen_portal.pages.home import home_page
from sen_portal.pages.info import accessibility_page, contact_page, not_found_page, privacy_page
from sen_portal.services.outbox_runner import run_outbox_forever

settings = get_settings()

app = rx.App(
    api_transformer=build_api(),
    stylesheets=["/portal.css"],
    html_lang="en-GB",
    head_components=[rx.el.meta(name="robots", content="noindex")],
)
app.register_lifespan_task(run_outbox_forever)

app.add_page(home_page, route=routes.HOME, title=f"{settings.service_name} – {settings.council_name}")
app.add_page(accessibility_page, route=routes.ACCESSIBILITY, title=f"Accessibility statement – {settings.service_name}")
app.add_page(privacy_page, route=routes.PRIVACY, title=f"Privacy notice – {settings.service_name}")
app.add_page(contact_page, route=routes.CONTACT, title=f"Contact the SEN team – {settings.service_name}")
app.add_page(not_found_page, route="404", title=f"Page not found – {settings.service_name}")
