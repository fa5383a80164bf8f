"""A database outage in any event handler shows "try again"; other errors keep Reflex's handling."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from sen_portal.state.errors import TRY_AGAIN_TOAST, backend_exception_handler

pytestmark = pytest.mark.unit


def test_a_database_outage_says_try_again() -> None:
    outage = OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))
    spec = backend_exception_handler(outage)
    assert TRY_AGAIN_TOAST in str(spec)
    assert "Please try again" in str(spec)


def test_other_errors_get_the_generic_message() -> None:
    spec = backend_exception_handler(IntegrityError("INSERT", {}, ValueError("duplicate")))
    assert TRY_AGAIN_TOAST not in str(spec)
    assert "Something went wrong" in str(spec)
    assert "this page has been reset" in str(spec)
    # The failed state is reset (issue 20).
    assert spec[-1].handler.fn.__qualname__ == "TabRecoveryState.recover"
