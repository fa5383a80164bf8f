"""After a handler fails, the tab is put back in a working state instead of staying broken.

Reflex keeps a tab's state on the server for an hour and sends it on every (re)connect. If a
handler fails half-way, whatever it left in its state stays there: a value that makes the next
page's ``on_load`` fail again, or one the tab cannot even be sent, and the tab is stuck (in
issue 20 it re-sent ``hydrate_and_load`` ~75 times a second, and reloading did not help).

So: ``RememberEvent`` (a middleware) notes which event each transaction ran; the backend
exception handler (state/errors.py) asks ``failed_event()`` for it and chains
``TabRecoveryState.recover``, which resets the state whose handler failed -- or every page
state of the tab when the failure was in Reflex's own events (hydrate, page load). The
session cookie is untouched, so a signed-in user stays signed in; the next page loads afresh.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event
from reflex_base.event.context import EventContext
from reflex_base.registry import RegistrationContext

log = logging.getLogger(__name__)

_OWN_MODULES = "sen_portal."
_REMEMBERED = 2_000  # events in flight at once across all tabs of one worker, with room to spare
_events_by_txid: OrderedDict[str, str] = OrderedDict()


def _current_txid() -> str | None:
    try:
        return EventContext.get().txid
    except LookupError:
        return None


class RememberEvent(Middleware):
    """Notes the event each transaction runs, for ``failed_event`` (never changes or stops an event)."""

    async def preprocess(self, app: Any, state: BaseState, event: Event) -> StateUpdate | None:
        txid = _current_txid()
        if txid:
            _events_by_txid[txid] = event.name
            while len(_events_by_txid) > _REMEMBERED:
                _events_by_txid.popitem(last=False)
        return None


def failed_event() -> str | None:
    """The name of the event whose transaction is current (the backend exception handler runs in it)."""
    txid = _current_txid()
    return _events_by_txid.pop(txid, None) if txid else None


def _state_class(event_name: str) -> type[BaseState] | None:
    try:
        return RegistrationContext.get().base_states.get(event_name.rpartition(".")[0])
    except LookupError:
        return None


class TabRecoveryState(rx.State):
    """Resets what a failed handler may have left broken (see the module docstring)."""

    @rx.event
    async def recover(self, failed: str):
        """Reset the failed handler's state, or every page state when the failure was Reflex's own."""
        target = _state_class(failed)
        if target is not None and target.__module__.startswith(_OWN_MODULES) and target is not TabRecoveryState:
            (await self.get_state(target)).reset()
            log.info("reset %s after a failed event", target.__name__)
            return
        root = self._get_root_state()
        for substate in list(root.substates.values()):
            if type(substate).__module__.startswith(_OWN_MODULES):
                substate.reset()
        log.info("reset every page state of a tab after a failed event")
