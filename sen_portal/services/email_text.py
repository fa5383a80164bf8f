"""Checks for the few free texts that end up in emails we send: names, notice titles, reasons.

Anyone can register any address, so a name is a stranger's words sent from the council's mail
server ("Hello Visit evil.example to keep your account,"): a name that holds a web or email
address is refused, as is one with control characters inside it. Text that becomes an email
header (a notice title is the subject line) must not hold a line break, which would start a new
header. These are refusals beside the field, not silent clean-ups: the person sees what is wrong.
The generic inbound-text gate (bidi, zero-width, lone surrogates) lives elsewhere.
"""

from __future__ import annotations

import re

# Scheme URLs, www. hosts, email addresses, and bare host names ending in a common top-level
# domain or a two-letter country code ("evil.example.com", "bit.ly", "portal.co.uk").
_ADDRESS = re.compile(
    r"[a-z][a-z0-9+.-]*://|\bwww\.|[^\s@]@[^\s@]+\.[^\s@]"
    r"|\b[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|org|net|info|biz|gov|edu|io|app|dev|xyz|top|site|online|link|click|"
    r"shop|club|live|me|ly|[a-z]{2})\b",
    re.IGNORECASE,
)
_LINE_BREAK = re.compile(r"[\r\n\u0085\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def holds_address(text: str) -> bool:
    """True when ``text`` contains something a mail client would show as a link."""
    return bool(_ADDRESS.search(text or ""))


def has_line_break(text: str) -> bool:
    return bool(_LINE_BREAK.search(text or ""))


def has_inner_control(text: str) -> bool:
    """Control characters (line breaks included) anywhere but at the ends, which are trimmed."""
    return bool(_CONTROL.search((text or "").strip()))


def name_error(value: str, *, label: str) -> str | None:
    """The message for a name that must not reach an email, or None."""
    if has_inner_control(value):
        return f"{label} must not contain line breaks or special control characters"
    if holds_address(value):
        return f"{label} must not contain a web address or email address"
    return None


def header_text_error(value: str, *, label: str) -> str | None:
    """For text that becomes (part of) an email header: one line, no addresses."""
    if has_line_break((value or "").strip()) or has_inner_control(value):
        return f"{label} must be on one line"
    if holds_address(value):
        return f"{label} must not contain a web address or email address"
    return None


def body_text_error(value: str, *, label: str) -> str | None:
    """For text that becomes an email's body: line breaks are fine, addresses are not."""
    if holds_address(value):
        return f"{label} must not contain a web address or email address"
    return None
