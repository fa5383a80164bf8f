"""Use cases behind the lookup lists page: staff add, rename, retire and bring back entries.

Each change is audited (LOOKUP_CHANGED) in the same transaction. Entries are never
deleted and their stored value never changes, so a retired entry still reads with
its label on every request that chose it.
"""

from __future__ import annotations

from sen_portal.db import session_scope
from sen_portal.services.lookups import lists as lookups
from sen_portal.services.lookups.lists import LookupChangeRefused
from sen_portal.services.platform import audit
from sen_portal.services.platform.audit import Actor
from sen_portal.services.platform.clock import Clock, system_clock

__all__ = ["LookupChangeRefused", "change", "lists_view"]


def lists_view() -> list[dict[str, str]]:
    """Every list's entries as flat rows (a heading row per list) for one foreach on the page."""
    rows: list[dict[str, str]] = []
    with session_scope() as session:
        for list_key in lookups.list_keys(session):
            rows.append({"kind": "list", "list_key": list_key, "value": "", "label": _list_title(list_key)})
            rows.extend(
                {
                    "kind": "entry",
                    "list_key": list_key,
                    "value": entry.value,
                    "label": entry.label,
                    "retired": "" if entry.is_active else "yes",
                }
                for entry in lookups.all_entries(session, list_key)
            )
    return [{"retired": "", **row} for row in rows]


def _list_title(list_key: str) -> str:
    return list_key.replace("_", " ").capitalize()


def change(
    actor: Actor, *, operation: str, list_key: str, value: str = "", label: str = "", clock: Clock = system_clock
) -> str:
    """Apply one change; returns what happened in words (LookupChangeRefused says why not)."""
    with session_scope() as session:
        now = clock()
        if operation == "add":
            entry = lookups.add_entry(session, list_key=list_key.strip(), label=label, now=now)
            said = f"{entry.label} added to {_list_title(entry.list_key)}"
        elif operation == "rename":
            entry = lookups.rename_entry(session, list_key=list_key, value=value, label=label, now=now)
            said = f"Renamed to {entry.label}"
        elif operation in ("retire", "restore"):
            entry = lookups.set_retired(session, list_key=list_key, value=value, retired=operation == "retire", now=now)
            said = f"{entry.label} {'retired' if operation == 'retire' else 'brought back'}"
        else:
            raise LookupChangeRefused("That change is not possible")
        audit.record(
            session,
            action=audit.AuditAction.LOOKUP_CHANGED,
            actor_user_id=actor.user_id,
            actor_email=actor.email,
            object_type="lookup",
            object_id=f"{entry.list_key}:{entry.value}"[:64],
            client_ip=actor.client_ip,
            detail={"change": operation, "list": entry.list_key, "active": entry.is_active},
            clock=clock,
        )
        return said
