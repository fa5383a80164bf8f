"""Forms are data: a new version published while the portal runs shows at once, with no rebuild."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import yaml
from playwright.sync_api import Page, expect

from sen_portal.forms import shipped_definition_data
from tests.e2e.harness import PROJECT_ROOT, Mailbox, Portal, create_account
from tests.e2e.test_referral import PASSWORD, sign_in


def test_a_published_field_appears_without_a_rebuild_and_drafts_keep_their_version(
    page: Page, portal: Portal, mailbox: Mailbox, tmp_path: Path
) -> None:
    email = f"senco-{uuid.uuid4().hex[:8]}@school.example.org"
    create_account(portal, email=email, password=PASSWORD)
    sign_in(page, mailbox, email)
    page.goto("/requests/new?form=ehc_needs_assessment")
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    old_draft = page.url
    expect(page.get_by_label("Team or department (optional)")).to_have_count(0)

    # A council officer adds a question by editing the YAML and publishing it: no JavaScript, no rebuild.
    definition = shipped_definition_data("ehc_needs_assessment")
    about_you = next(section for section in definition["sections"] if section["key"] == "about-you")
    about_you["fields"].append(
        {"name": "referrer_team", "type": "text", "label": "Team or department", "required": False}
    )
    changed = tmp_path / "ehc_v2.yaml"
    changed.write_text(yaml.safe_dump(definition, sort_keys=False))
    published = subprocess.run(
        [sys.executable, "-m", "sen_portal.cli", "publish-form", str(changed)],
        cwd=PROJECT_ROOT,
        env=portal.env,
        capture_output=True,
        text=True,
        check=True,
    )
    # Whatever number is next: other modules (the form designer's) may have published versions before.
    assert re.search(r"Published ehc_needs_assessment version \d+", published.stdout), published.stdout

    page.goto("/requests/new?form=ehc_needs_assessment")
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    expect(page.get_by_label("Team or department (optional)")).to_be_visible()

    # The draft started before publishing stays on the version it began with.
    page.goto(old_draft)
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    expect(page.get_by_label("Team or department (optional)")).to_have_count(0)
