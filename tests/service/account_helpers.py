"""Shared pieces for the sign-in and account service tests: a movable clock, users, the outbox."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from sen_portal.config import settings_from_env
from sen_portal.models import OutboxMessage, UserAccount
from sen_portal.services.auth import passwords

START = datetime(2026, 3, 2, 9, 0, 7, tzinfo=UTC)
SETTINGS = settings_from_env({"PUBLIC_URL": "https://portal.example.gov.uk", "SECRET_KEY": "k" * 48})
PASSWORD = "correct horse battery staple"
OTHER_PASSWORD = "a different long passphrase"
EMAIL = "alice.okafor@school.org"
IP = "192.0.2.10"

_CODE = re.compile(r"^(\d{6})$", re.MULTILINE)


class Clock:
    """A clock the test moves by hand (services take ``clock=``)."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta | None = None, **parts: float) -> None:
        self.now += delta if delta is not None else timedelta(**parts)


def make_user(
    session: Session,
    *,
    email: str = EMAIL,
    password: str | None = PASSWORD,
    verified: bool = True,
    active: bool = True,
    role: str = "professional",
    first_name: str = "Alice",
    last_name: str = "Okafor",
) -> UserAccount:
    pepper = passwords.password_pepper(SETTINGS)
    user = UserAccount(
        email=email,
        password_hash=passwords.hash_password(password, pepper=pepper) if password else None,
        role=role,
        email_verified_at=START - timedelta(days=30) if verified else None,
        is_active=active,
        first_name=first_name,
        last_name=last_name,
    )
    session.add(user)
    session.commit()
    return user


def hash_of(password: str) -> str:
    return passwords.hash_password(password, pepper=passwords.password_pepper(SETTINGS))


def mails(session: Session, *, to: str | None = None, category: str | None = None) -> list[OutboxMessage]:
    statement = select(OutboxMessage).order_by(col(OutboxMessage.id))
    if to is not None:
        statement = statement.where(col(OutboxMessage.to_address) == to)
    if category is not None:
        statement = statement.where(col(OutboxMessage.category) == category)
    return list(session.exec(statement))


def code_in(message: OutboxMessage) -> str:
    """The 6-digit code on a line of its own in a login_code email."""
    found = _CODE.findall(message.text_body)
    assert len(found) == 1, message.text_body
    return found[0]


def latest_code(session: Session, *, to: str = EMAIL) -> str:
    sent = mails(session, to=to, category="login_code")
    assert sent, "no code was emailed"
    return code_in(sent[-1])


def token_in(message: OutboxMessage, path: str) -> str:
    found = re.findall(rf"https://portal\.example\.gov\.uk{re.escape(path)}\?token=([A-Za-z0-9_-]+)", message.text_body)
    assert found, message.text_body
    return found[0]


def other_code(code: str) -> str:
    """A 6-digit code that is certainly not ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"
