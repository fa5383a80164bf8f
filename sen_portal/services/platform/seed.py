"""Demo data for a fresh install (``make run``): idempotent, safe to run every start.

Lookup lists are always seeded (the portal needs them; staff edits survive a
re-seed). Demo addresses go in only while the gazetteer is empty, so a council's
real address import is never mixed with fictional ones and a second start costs
one query. After editing the demo file, load it with
``python -m sen_portal.cli import-addresses sen_portal/data/demo_addresses.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from sen_portal.models.addresses import Address
from sen_portal.services.addresses.address_import import import_addresses_csv
from sen_portal.services.lookups.lists import SHIPPED_LISTS, seed_lookup_list
from sen_portal.services.referrals.drafts import install_form

SHIPPED_FORMS = ("ehc_needs_assessment",)

DEMO_ADDRESSES_CSV = Path(__file__).resolve().parents[2] / "data" / "demo_addresses.csv"


@dataclass
class SeedReport:
    lookups_added: dict[str, int] = field(default_factory=dict)
    addresses_added: int = 0
    forms_installed: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [f"{key} +{count}" for key, count in self.lookups_added.items() if count]
        parts.extend(f"form {key} installed" for key in self.forms_installed)
        if self.addresses_added:
            parts.append(f"addresses +{self.addresses_added}")
        return "seed: " + (", ".join(parts) if parts else "nothing to load")


def seed_demo_data(session: Session, *, demo_addresses: bool = True) -> SeedReport:
    """Load shipped lookup lists and (into an empty gazetteer) the demo addresses; ``str()`` is a one-line report."""
    report = SeedReport()
    for list_key, csv_path in SHIPPED_LISTS.items():
        report.lookups_added[list_key] = seed_lookup_list(session, list_key, csv_path)
    report.forms_installed = install_shipped_forms(session)
    if demo_addresses and session.exec(select(Address.id).limit(1)).first() is None:
        report.addresses_added = import_addresses_csv(session, DEMO_ADDRESSES_CSV).imported
    return report


def install_shipped_forms(session: Session) -> list[str]:
    """Make each shipped form live the first time; later versions come from the form designer."""
    from sen_portal.forms import shipped_definition_data

    return [key for key in SHIPPED_FORMS if install_form(session, definition=shipped_definition_data(key))]
