"""Virus scanning with ClamAV's clamd, spoken directly over its socket (INSTREAM).

The protocol is small enough not to need a client library: send ``zINSTREAM\\0``, then the file
as chunks each prefixed with its length (4 bytes, big-endian), then a zero length; clamd answers
``stream: OK`` or ``stream: <signature> FOUND`` (or an ``... ERROR``), NUL-terminated.

Anything but a clear answer raises ``ScanUnavailable``: the caller must then refuse the file
(fail closed), because "we could not check it" is not "it is clean".
"""

from __future__ import annotations

import re
import socket
import struct
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 64 * 1024
DEFAULT_TIMEOUT_SECONDS = 60.0
_MAX_REPLY_BYTES = 4096
_FOUND = re.compile(r"stream: (\S.*?) FOUND")


class ScanUnavailable(Exception):
    """clamd could not be reached, timed out, or answered with an error."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""  # the virus name clamd reported, when not clean


def scan_file(path: Path, *, address: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> ScanResult:
    """Stream ``path`` to clamd at ``address`` (unix socket path or host:port) and read its verdict."""
    try:
        with _connect(address, timeout) as connection, path.open("rb") as file:
            connection.sendall(b"zINSTREAM\0")
            while chunk := file.read(CHUNK_BYTES):
                connection.sendall(struct.pack(">I", len(chunk)) + chunk)
            connection.sendall(struct.pack(">I", 0))
            reply = _read_reply(connection)
    except OSError as error:  # refused, missing socket, timeout, reset (e.g. clamd's StreamMaxLength)
        raise ScanUnavailable(f"clamd at {address}: {error.__class__.__name__}: {error}") from error
    return parse_reply(reply)


def parse_reply(reply: str) -> ScanResult:
    """Turn clamd's answer to INSTREAM into a result, or raise ``ScanUnavailable``."""
    reply = reply.strip()
    if reply == "stream: OK":
        return ScanResult(clean=True)
    if found := _FOUND.fullmatch(reply):
        return ScanResult(clean=False, signature=found.group(1))
    raise ScanUnavailable(f"clamd answered {reply[:200]!r}")


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("/"):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        try:
            connection.connect(address)
        except OSError:
            connection.close()
            raise
        return connection
    host, _, port = address.rpartition(":")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


def _read_reply(connection: socket.socket) -> str:
    received = b""
    while b"\0" not in received and len(received) < _MAX_REPLY_BYTES:
        data = connection.recv(1024)
        if not data:
            break
        received += data
    return received.split(b"\0", 1)[0].decode("utf-8", errors="replace")
