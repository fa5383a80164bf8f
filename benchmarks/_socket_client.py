"""A minimal asyncio Socket.IO-over-websocket client, speaking what Reflex's page script speaks.

Only what the event benchmark needs: open ``/_event`` as the browser does (token in the query, the
Reflex version as subprotocol, the session cookie and the page's Origin in the headers), connect
the ``/_event`` namespace, send ``event`` frames and read the server's ``event`` frames, answering
Engine.IO pings. Built on ``wsproto`` (already installed with Reflex's Socket.IO stack), so the
benchmark needs no extra package and one process can hold 50 connections on one event loop.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, BytesMessage, CloseConnection, Message, Ping, Request, TextMessage

NAMESPACE = "/_event"


class RawWebSocket:
    """A text websocket over asyncio streams (client side)."""

    def __init__(self) -> None:
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._messages: asyncio.Queue[str] = asyncio.Queue()
        self._pending: list[str] = []

    async def connect(
        self, host: str, port: int, target: str, headers: dict[str, str], subprotocols: list[str]
    ) -> None:
        self._reader, self._writer = await asyncio.open_connection(host, port)
        extra = [(k.encode(), v.encode()) for k, v in headers.items()]
        self._send(Request(host=f"{host}:{port}", target=target, extra_headers=extra, subprotocols=subprotocols))
        while True:
            data = await self._reader.read(65536)
            if not data:
                raise ConnectionError("closed during the websocket handshake")
            self._ws.receive_data(data)
            for event in self._ws.events():
                if isinstance(event, AcceptConnection):
                    self._task = asyncio.create_task(self._read_forever())
                    return
                if not isinstance(event, Message):
                    raise ConnectionError(f"websocket handshake refused: {event!r}")

    def _send(self, event: Any) -> None:
        self._writer.write(self._ws.send(event))

    async def send(self, text: str) -> None:
        self._send(TextMessage(data=text))
        await self._writer.drain()

    async def _read_forever(self) -> None:
        # Frames that came in the same read as the handshake answer are already in wsproto's
        # buffer: take them first (else they wait for the next read - the next ping, 25 s later).
        if not self._take_events():
            return
        while data := await self._reader.read(1 << 20):
            self._ws.receive_data(data)
            if not self._take_events():
                return
        self._messages.put_nowait("")

    def _take_events(self) -> bool:
        """Queue the complete messages wsproto has parsed; False once the server closed."""
        for event in self._ws.events():
            if isinstance(event, TextMessage):
                self._pending.append(event.data)
                if event.message_finished:
                    self._messages.put_nowait("".join(self._pending))
                    self._pending = []
            elif isinstance(event, BytesMessage):
                pass
            elif isinstance(event, Ping):
                self._send(event.response())
            elif isinstance(event, CloseConnection):
                self._messages.put_nowait("")
                return False
        return True

    async def receive(self) -> str:
        text = await self._messages.get()
        if text == "":
            raise ConnectionError("websocket closed")
        return text

    async def close(self) -> None:
        try:
            self._send(CloseConnection(code=1000))
            await self._writer.drain()
        except Exception:  # best effort: the benchmark is over
            pass
        self._task.cancel()
        self._writer.close()


class ReflexClient:
    """One browser tab's websocket to a Reflex backend."""

    def __init__(self, host: str, port: int, *, cookie: str = "", origin: str = "", version: str = "") -> None:
        self.host, self.port = host, port
        self.token = str(uuid.uuid4())
        self.cookie, self.origin, self.version = cookie, origin, version
        self.socket = RawWebSocket()

    async def connect(self) -> None:
        headers = {"Origin": self.origin} if self.origin else {}
        if self.cookie:
            headers["Cookie"] = self.cookie
        target = f"{NAMESPACE}/?token={self.token}&EIO=4&transport=websocket"
        await self.socket.connect(self.host, self.port, target, headers, [self.version] if self.version else [])
        opened = await self.socket.receive()
        assert opened.startswith("0"), opened  # Engine.IO open packet
        await self.socket.send(f"40{NAMESPACE},")  # Socket.IO CONNECT to the namespace
        while not (answer := await self._next()).startswith(f"40{NAMESPACE},"):
            if answer.startswith(f"44{NAMESPACE}"):
                raise ConnectionError(f"namespace refused: {answer}")

    async def _next(self) -> str:
        while True:
            frame = await self.socket.receive()
            if frame == "2":  # Engine.IO ping: answer, keep waiting
                await self.socket.send("3")
                continue
            return frame

    async def send_event(self, name: str, payload: dict[str, Any], path: str, query: dict[str, str]) -> None:
        query_string = "&".join(f"{k}={v}" for k, v in query.items())
        event = {
            "name": name,
            "payload": payload,
            "router_data": {"pathname": path, "query": query, "asPath": path + (f"?{query_string}" if query else "")},
        }
        await self.socket.send(f"42{NAMESPACE}," + json.dumps(["event", event]))

    async def until_final(self) -> list[dict[str, Any]]:
        """The server's updates up to and including the one marked final (the event is fully handled)."""
        updates = []
        while True:
            frame = await self._next()
            if not frame.startswith(f"42{NAMESPACE},"):
                continue
            kind, update = json.loads(frame[len(NAMESPACE) + 3 :])[:2]
            if kind != "event":
                continue
            if isinstance(update, str):
                update = json.loads(update)
            updates.append(update)
            if update.get("final") is not False:  # Reflex 0.10 sends one update per event, "final" unset
                return updates

    async def close(self) -> None:
        await self.socket.close()
