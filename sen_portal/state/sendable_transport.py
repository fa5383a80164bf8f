"""Defence in depth for the tab loop of issue 20: every websocket packet can be encoded as UTF-8.

Found in the browser: a tab whose state held a lone surrogate could not be sent any update --
Reflex writes its JSON with ``ensure_ascii=False``, so the websocket's UTF-8 encoding failed,
the connection dropped, and the page reconnected (re-sending ``hydrate_and_load``) about 75
times a second, for ever. The inbound gate (payload_gate.py) keeps such text out of every
state; this makes the transport itself safe too: a lone surrogate that still reaches a packet
is written as a JSON ``\\udXXX`` escape (ASCII, and the same string to the browser's JSON.parse).
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from reflex.utils.format import json_dumps

_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def make_packets_sendable(sio: Any) -> None:
    """Wrap the Socket.IO server's JSON encoder (``rx.App().sio``) so its output is always valid UTF-8."""
    json_module = sio.packet_class.json
    dumps = json_module.dumps
    if getattr(dumps, "sendable", False):
        return  # already wrapped (the module is imported once per worker, but be safe)

    def sendable_dumps(obj: Any, **kwargs: Any) -> str:
        try:
            text = dumps(obj, **kwargs)
        except UnicodeEncodeError:
            # Reflex's own encoder measures the packet's UTF-8 size when its timing hook is on
            # (/metrics turns it on), which fails on the very text we are here to escape.
            text = json_dumps(obj, **kwargs)
        # Only inside JSON strings can a surrogate appear, where its escape means the same.
        return _LONE_SURROGATE.sub(_escaped, text) if _LONE_SURROGATE.search(text) else text

    sendable_dumps.sendable = True  # type: ignore[attr-defined]
    sio.packet_class.json = SimpleNamespace(dumps=sendable_dumps, loads=json_module.loads)
