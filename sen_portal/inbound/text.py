"""Text from outside (a page, an event, a file, the command line) made safe in one place.

The rules, in order:

1. **Refuse** what cannot be stored or only arrives by accident or attack: lone surrogates
   (UTF-8 cannot encode them, so a tab holding one cannot even be sent its own page), NUL
   (PostgreSQL refuses it in text and JSON), other C0/C1 control characters, the Unicode
   non-characters, and U+FFFD (the event layer puts it where one of the others was).
   Tab and line breaks are ordinary white space, not refused.
2. **Remove** characters that change how text *looks* without being part of it: bidirectional
   controls (a right-to-left override shows "gro.elpmaxe" for "example.org") and zero-width
   characters (a name of zero-width spaces looks empty yet passes *required*). Zero-width
   joiners between two visible characters stay: Indic and Persian spellings and emoji need them.
3. **Normalise** to NFC, so the same name typed on two keyboards is the same string.
4. **Check the length** of that text, never cut it: the user keeps what they typed and is told
   how long it may be.

Nothing here imports reflex or the database: the form engine, the state handlers, the event
layer and the CSV/YAML loaders all use these functions.
"""

from __future__ import annotations

import re
import unicodedata

CANNOT_STORE = "{label} contains characters we cannot store"
TOO_LONG = "{label} must be {max} characters or fewer"

# Lone surrogates (a str from JSON can hold them), NUL and C0 controls other than tab/newline/CR,
# DEL and C1 controls, U+FFFD, and the non-characters U+FFFE/U+FFFF.
_UNSTORABLE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ufffe\uffff]")
# What the event layer replaces before any handler sees it: a tab's state must always be
# sendable (UTF-8) and storable (no NUL). The rest of _UNSTORABLE is harmless in state.
_UNSENDABLE = re.compile(r"[\ud800-\udfff\x00]")
REPLACEMENT = "\ufffd"

# Bidi embeddings/overrides/isolates, LRM/RLM/ALM, and invisible characters with no width.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVISIBLE = "\u200b\u2060-\u2064\ufeff\u180e\u00ad"
_DECEPTIVE = re.compile(f"[{_BIDI}{_INVISIBLE}]")
_JOINERS = re.compile(r"[\u200c\u200d]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_SPACES = re.compile(r"\s+")


class InboundRefused(ValueError):
    """The value cannot be accepted; ``message`` is for the user, beside the field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def has_unstorable(value: str) -> bool:
    """True when ``value`` holds a character refused by rule 1 above."""
    return _UNSTORABLE.search(value) is not None


def make_sendable(value: str) -> str:
    """Lone surrogates and NUL replaced by U+FFFD (the event layer; the field gate then refuses it)."""
    return _UNSENDABLE.sub(REPLACEMENT, value) if _UNSENDABLE.search(value) else value


def _drop_stray_joiners(value: str) -> str:
    """ZWJ/ZWNJ stay only between two visible characters; anywhere else they only hide things."""
    if not _JOINERS.search(value):
        return value
    kept = []
    for index, char in enumerate(value):
        if char in "\u200c\u200d":
            before = value[index - 1] if index else " "
            after = value[index + 1] if index + 1 < len(value) else " "
            if before.isspace() or after.isspace() or before in "\u200c\u200d" or after in "\u200c\u200d":
                continue
        kept.append(char)
    return "".join(kept)


def tidy(value: str, *, multiline: bool = False) -> str:
    """Rules 2 and 3 plus white space: one line (runs of space made one) or paragraphs (\\n endings).

    Idempotent. Does not refuse anything: call ``check_text`` for that.
    """
    text = _drop_stray_joiners(_DECEPTIVE.sub("", value))
    text = unicodedata.normalize("NFC", text)
    if multiline:
        return _LINE_BREAKS.sub("\n", text).strip()
    return _SPACES.sub(" ", text).strip()


def check_text(value: str, *, label: str, max_length: int | None = None, multiline: bool = False) -> str:
    """The tidied text, or ``InboundRefused`` with the message to show beside the field.

    The length is that of the tidied text, checked before anything could cut it. An empty
    result means "not answered" (for *required* to report).
    """
    if has_unstorable(value):
        raise InboundRefused(CANNOT_STORE.format(label=label))
    text = tidy(value, multiline=multiline)
    if max_length is not None and len(text) > max_length:
        raise InboundRefused(TOO_LONG.format(label=label, max=max_length))
    return text


def text_error(value: str, *, label: str, max_length: int | None = None, multiline: bool = False) -> str | None:
    """``check_text``'s message, or None when the value is acceptable."""
    try:
        check_text(value, label=label, max_length=max_length, multiline=multiline)
    except InboundRefused as refused:
        return refused.message
    return None
