"""Demo data for a fresh install (``make run``): idempotent, safe to run every start."""

from __future__ import annotations

from sqlmodel import Session


def seed_demo_data(session: Session) -> str:
    """Load shipped lookup lists and demo addresses; returns a one-line report."""
    parts: list[str] = []
    return "seed: " + (", ".join(parts) if parts else "nothing to load")
