"""Active content in a PDF: JavaScript, launch actions, actions on opening, embedded files.

Like macros in a Word file, these run (or carry) code on the reader's machine, and the SEN team
opens every document it is sent. We refuse them rather than try to clean them.

The check reads names, not a parse tree, and errs towards refusing:

* PDF names may hide behind ``#xx`` escapes (``/J#61vaScript``); names are decoded first.
* Objects may sit inside compressed object streams (``/ObjStm``), where the raw bytes show
  nothing; those are inflated (with a cap, against decompression bombs) and read too. An object
  stream that inflates past the cap, or uses a filter other than Flate, is refused: it cannot be
  checked. Page content and images are not inflated: no object (so no action) can live there.
* ``/OpenAction`` is allowed only when it is a plain destination (``[page /Fit]``); a
  dictionary or a reference may be an action, so it is refused.
"""

from __future__ import annotations

import mmap
import re
import zlib
from typing import BinaryIO

# name -> the reason, worded for the person who chose the file
_ACTIVE_NAMES = {
    b"JavaScript": "JavaScript",
    b"JS": "JavaScript",
    b"Launch": "a command that starts a program",
    b"EmbeddedFile": "files hidden inside it",
    b"EmbeddedFiles": "files hidden inside it",
}
_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|OpenAction)(?![A-Za-z0-9_.+#-])")
_ESCAPED_NAME = re.compile(rb"/((?:[A-Za-z0-9_.+\-]*#[0-9A-Fa-f]{2})(?:[A-Za-z0-9_.+\-]|#[0-9A-Fa-f]{2})*)")
_OPEN_ACTION = re.compile(rb"/OpenAction\s*(.)", re.DOTALL)
_STREAM_START = re.compile(rb"(?<!end)stream\r?\n")
_DICT_WINDOW = 4096  # how far before "stream" its dictionary (and /FlateDecode) is looked for
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Per stream and in total: a real report's streams inflate to far less; a bomb stops here.
_MAX_INFLATED = 50 * 1024 * 1024
_UNCHECKABLE = "compressed objects we cannot check"


def _decoded(name: bytes) -> bytes:
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)


_OPENS = "an action that runs when it is opened"
_PRIORITY = ("JavaScript", "a command that starts a program", "files hidden inside it", _OPENS)


def _reason_in(data: bytes | mmap.mmap) -> str | None:
    """The most telling reason found (JavaScript before "an action" that may be the JavaScript's wrapper).

    The plain names are found by one regular expression (fast on a 25 MB file); only names
    written with ``#xx`` escapes, which no ordinary producer writes, are decoded one by one.
    """
    found: set[str] = set()
    candidates = [(m.group(1), m.start()) for m in _ACTIVE.finditer(data)]
    candidates += [(_decoded(m.group(1)), -1) for m in _ESCAPED_NAME.finditer(data)]
    for name, start in candidates:
        if name in _ACTIVE_NAMES:
            found.add(_ACTIVE_NAMES[name])
        elif name == b"OpenAction":
            after = _OPEN_ACTION.match(data, start) if start >= 0 else None
            if after is None or after.group(1) != b"[":
                found.add(_OPENS)
    return next((reason for reason in _PRIORITY if reason in found), None)


def _inflated_streams(data: mmap.mmap | bytes) -> tuple[list[bytes], bool]:
    """(the inflated contents of object streams, whether one could not be checked)."""
    found: list[bytes] = []
    budget = _MAX_INFLATED
    for match in _STREAM_START.finditer(data):
        window = data[max(0, match.start() - _DICT_WINDOW) : match.start()]
        window = window[window.rfind(b" obj") + 1 :]
        if b"/ObjStm" not in window:
            continue  # page content and images: objects (and so actions) cannot live there
        if b"/FlateDecode" not in window or re.search(rb"/(LZW|ASCII85|ASCIIHex|RunLength)Decode", window):
            return found, True  # an object stream we cannot read: refuse rather than guess
        inflater = zlib.decompressobj()
        try:
            # endstream bounds the data; reading up to budget+1 bytes of output tells a bomb apart.
            end = data.find(b"endstream", match.end())
            raw = data[match.end() : end if end != -1 else len(data)]
            out = inflater.decompress(raw, budget + 1)
        except zlib.error:
            continue  # not really Flate (or damaged): its raw bytes were read already
        if len(out) > budget or inflater.unconsumed_tail:
            return found, True
        budget -= len(out)
        found.append(out)
    return found, False


def _outside_streams(data: bytes | mmap.mmap) -> bytes:
    """The file without its stream bodies: the dictionaries, where every action's name must stand.

    A stream body is compressed image or page data, random to the eye: in a large scan, "/JS" turns up
    there by chance (a 20 MB random body held one), and would refuse a harmless document. Object
    streams, which can hold dictionaries, are inflated and read separately (``_inflated_streams``).
    """
    parts: list[bytes] = []
    position = 0
    for match in _STREAM_START.finditer(data):
        if match.start() < position:
            continue  # "stream" inside a body already skipped
        parts.append(bytes(data[position : match.end()]))
        end = data.find(b"endstream", match.end())
        if end < 0:
            return b"".join(parts)
        position = end
    parts.append(bytes(data[position:]))
    return b"".join(parts)


def active_content(file: BinaryIO) -> str | None:
    """Why the PDF in ``file`` is refused ("JavaScript", ...), or None when no active content was found."""
    try:
        data: mmap.mmap | bytes = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, AttributeError):  # not a real file (tests, empty files)
        data = file.read()
    try:
        reason = _reason_in(_outside_streams(data))
        if reason:
            return reason
        streams, too_big = _inflated_streams(data)
        if too_big:
            return _UNCHECKABLE
        for inflated in streams:
            reason = _reason_in(inflated)
            if reason:
                return reason
        return None
    finally:
        if isinstance(data, mmap.mmap):
            data.close()
