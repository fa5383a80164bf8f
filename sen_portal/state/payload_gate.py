"""The event layer's gate: every event's arguments are checked before any handler runs.

A browser can call any handler with anything (GUIDE §3). Rather than every handler
guarding its own arguments, this middleware (``app.add_middleware(PayloadGate())``) runs
before each event, for every handler of every state:

* every string in the payload (and in the event's router data) has lone surrogates and NUL
  replaced by U+FFFD, so no state can hold text that UTF-8 cannot send or PostgreSQL cannot
  store (a lone surrogate in a tab's state broke every later update of that tab and made the
  page re-send ``hydrate_and_load`` in a loop); the field gate then reports the field;
* a payload holding a non-finite number, absurd nesting or a huge string is refused;
* for our own handlers, the payload is bound to the handler's signature: a missing or extra
  argument, or a value of the wrong type for its annotation, is refused; Reflex's generic
  ``setvar`` on our states (which sets any var a browser names) is refused outright.

A refusal is quiet to the user (the event simply does nothing) and one log line, no traceback.
"""

from __future__ import annotations

import inspect
import logging
import math
import re
import types
import typing
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Literal

from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event, EventHandler
from reflex_base.event.processor.base_state_processor import _transform_event_arg
from reflex_base.registry import RegistrationContext
from reflex_base.utils.form import FormData

from sen_portal.inbound import make_payload_safe, payload_problem
from sen_portal.inbound.text import make_sendable

log = logging.getLogger(__name__)

_OWN_MODULES = "sen_portal."


def _handler(name: str) -> tuple[EventHandler | None, bool]:
    """(the handler, whether it belongs to one of our states)."""
    try:
        registered = RegistrationContext.get().event_handlers.get(name)
    except LookupError:
        return None, False
    if registered is None:
        return None, False
    return registered.handler, registered.states[0].__module__.startswith(_OWN_MODULES)


@lru_cache(maxsize=1024)
def _parameters(fn: Any) -> tuple[dict[str, inspect.Parameter], bool]:
    """The handler's parameters after ``self`` (name -> Parameter), and whether it takes ``**kwargs``."""
    params = list(inspect.signature(fn).parameters.values())[1:]
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
    named = {p.name: p for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    return named, takes_any


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool | int | float)


def conforms(value: Any, hint: Any) -> bool:
    """Whether ``value`` (already converted as Reflex converts it) fits the annotation ``hint``.

    Annotations this does not know (classes of Reflex's own, type variables) are accepted and
    left to Reflex's conversion; everything our handlers use is checked exactly.
    """
    if hint is Any or hint is inspect.Parameter.empty:
        return True
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is None or hint is type(None):
        return value is None
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, arg) for arg in args)
    if origin is Literal:
        return value in args
    if origin is typing.Annotated:
        return conforms(value, args[0])
    if hint is str:
        return isinstance(value, str)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if hint is list or origin is list:
        return isinstance(value, list) and (not args or all(conforms(item, args[0]) for item in value))
    if hint is dict or origin is dict:
        if not isinstance(value, dict):
            return False
        key_hint, value_hint = args if len(args) == 2 else (Any, Any)
        return all(conforms(k, key_hint) and conforms(v, value_hint) for k, v in value.items())
    if isinstance(hint, type) and issubclass(hint, FormData):
        return isinstance(value, FormData) and all(isinstance(k, str) and _scalar(v) for k, v in value.multi_items())
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def signature_problem(handler: EventHandler, payload: Mapping[str, Any]) -> str | None:
    """Why ``payload`` cannot be given to ``handler`` (for the log line), or None when it fits."""
    params, takes_any = _parameters(handler.fn)
    extra = [key for key in payload if key not in params]
    if extra and not takes_any:
        return f"unexpected argument(s) {', '.join(repr(str(k)[:40]) for k in extra[:3])}"
    missing = [name for name, p in params.items() if p.default is inspect.Parameter.empty and name not in payload]
    if missing:
        return f"missing argument(s) {', '.join(missing)}"
    hints = handler._get_type_hints()
    for name, value in payload.items():
        hint = hints.get(name, Any)
        try:
            converted = _transform_event_arg(value, hint)
        except Exception:  # Reflex could not convert it: the handler would get it raw
            return f"argument {name!r} cannot be read as {hint}"
        if not conforms(converted, hint):
            return f"argument {name!r} is a {type(value).__name__}, not {hint}"
    return None


_ENCODED_NUL = re.compile(r"%00")


def _router_safe(value: Any) -> Any:
    """Router data made sendable, with "%00" in URLs (which decodes to NUL) made an encoded U+FFFD."""
    if isinstance(value, str):
        return _ENCODED_NUL.sub("%EF%BF%BD", make_sendable(value))
    if isinstance(value, dict):
        return {k: _router_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_router_safe(v) for v in value]
    return value


class PayloadGate(Middleware):
    """Checks and makes safe every event's payload before its handler runs (see the module docstring)."""

    async def preprocess(self, app: Any, state: BaseState, event: Event) -> StateUpdate | None:
        if state.router_data and (safe_router := _router_safe(state.router_data)) != state.router_data:
            # The URL and headers are input too, and Reflex merges them into the state before any
            # middleware runs: rebuild the router vars from a safe copy, refused event or not.
            state.router_data = state._update_router_vars(safe_router, {})
        handler, ours = _handler(event.name)
        short = event.name.rsplit(".", 2)[-2:]
        problem = payload_problem(event.payload)
        if problem is None and handler is not None and ours:
            if handler.fn.__module__.startswith(_OWN_MODULES):
                problem = signature_problem(handler, event.payload)
            else:
                # Reflex's generic ``setvar`` would let a browser set any var of our states
                # (``is_staff``, ``refused`` ...); no page uses it: explicit setters only (GUIDE §3).
                problem = "generic handlers are not offered on our states"
        if problem is not None:
            log.warning("refused event %s: %s", make_sendable(".".join(short)), problem)
            return StateUpdate()
        safe = make_payload_safe(event.payload)
        if safe != event.payload:
            event.payload.clear()
            event.payload.update(safe)
        return None
