"""The registration password hash waits in the database under a handle, not in page state (issue 12)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from sen_portal.models import PendingPasswordHash
from sen_portal.services.accounts import pending_password
from sen_portal.services.platform import housekeeping
from tests.service.account_helpers import SETTINGS, Clock, hash_of

pytestmark = pytest.mark.service


def test_a_kept_hash_is_found_by_its_handle_only_and_the_row_holds_no_handle(session: Session) -> None:
    clock = Clock()
    kept = hash_of("violet tractor harbour")
    handle = pending_password.keep(session, password_hash=kept, clock=clock)
    other = pending_password.keep(session, password_hash=hash_of("another one entirely"), clock=clock)
    session.commit()

    assert pending_password.look_up(session, handle=handle, clock=clock) == kept
    assert pending_password.look_up(session, handle=other, clock=clock) != kept
    assert pending_password.look_up(session, handle="", clock=clock) is None
    assert (
        pending_password.look_up(session, handle=handle[:-1] + ("A" if handle[-1] != "A" else "B"), clock=clock) is None
    )
    assert all(handle not in row.handle_hash for row in session.exec(select(PendingPasswordHash)).all())


def test_a_hash_expires_is_forgotten_and_pruned(session: Session) -> None:
    clock = Clock()
    handle = pending_password.keep(session, password_hash=hash_of("violet tractor harbour"), clock=clock)
    used = pending_password.keep(session, password_hash=hash_of("another one entirely"), clock=clock)
    pending_password.forget(session, handle=used)
    session.commit()
    assert pending_password.look_up(session, handle=used, clock=clock) is None

    clock.advance(pending_password.LIFETIME + timedelta(seconds=1))
    assert pending_password.look_up(session, handle=handle, clock=clock) is None
    report = housekeeping.run_housekeeping(session, SETTINGS, clock=clock)
    session.commit()
    assert report.removed["pending registration passwords"] == 1
    assert session.exec(select(PendingPasswordHash)).all() == []
