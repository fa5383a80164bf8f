"""The message object that builders return and transports send."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str
    category: str
    # Extra headers such as List-Unsubscribe; never anything secret.
    headers: dict[str, str] = field(default_factory=dict)
