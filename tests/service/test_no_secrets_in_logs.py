"""No password, code, token, ticket or authenticator secret ever reaches a log record.

Every sign-in and account flow runs with every logger at DEBUG, including
SQLAlchemy's engine loggers (off by default; an operator debugging a problem
turns them on), and each secret the flows produced is searched for in every record.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import pyotp
import pytest
from sqlmodel import Session

from sen_portal.services import account, password_reset, sessions, sign_in
from sen_portal.services.staff_accounts import create_staff_user
from tests.service.account_helpers import (
    EMAIL,
    IP,
    OTHER_PASSWORD,
    PASSWORD,
    SETTINGS,
    Clock,
    hash_of,
    latest_code,
    mails,
    make_user,
    other_code,
    token_in,
)

pytestmark = [pytest.mark.service, pytest.mark.usefixtures("fast_bcrypt")]

THIRD_PASSWORD = "the third long passphrase"
SQL_LOGGERS = ("sqlalchemy.engine", "sqlalchemy.pool", "sqlalchemy.orm")


@dataclass
class Secrets:
    values: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)  # 6 digits: matched as a whole number only

    def add(self, *values: str) -> None:
        self.values.extend(v for v in values if v)


def run_every_flow(session: Session, clock: Clock) -> Secrets:
    found = Secrets()
    found.add(PASSWORD, OTHER_PASSWORD, THIRD_PASSWORD, "wrong password typed")
    user = make_user(session)

    # Sign in: a wrong password, a wrong code, a resend, the right code, a ticket, a session.
    sign_in.check_password(session, email=EMAIL, password="wrong password typed", ip=IP, settings=SETTINGS, clock=clock)
    challenge = sign_in.check_password(session, email=EMAIL, password=PASSWORD, ip=IP, settings=SETTINGS, clock=clock)
    first_code = latest_code(session)
    sign_in.verify_code(
        session, challenge_id=challenge.challenge_id, code=other_code(first_code), settings=SETTINGS, clock=clock
    )
    sign_in.resend_code(session, challenge_id=challenge.challenge_id, settings=SETTINGS, clock=clock)
    code = latest_code(session)
    found.codes += [first_code, code, other_code(first_code)]
    sign_in.verify_code(session, challenge_id=challenge.challenge_id, code=code, settings=SETTINGS, clock=clock)
    ticket = sessions.issue_ticket(session, user_id=user.id, clock=clock)
    token = sessions.redeem_ticket(session, ticket=ticket, settings=SETTINGS, clock=clock)
    sessions.resolve(session, token=token, settings=SETTINGS, clock=clock)
    found.add(ticket, token)
    session.commit()

    # Change password, then forget it and reset it.
    account.change_password(
        session,
        user_id=user.id,
        current_password=PASSWORD,
        new_password_hash=hash_of(OTHER_PASSWORD),
        keep_session_token=token,
        settings=SETTINGS,
        clock=clock,
    )
    password_reset.request_reset(session, email=EMAIL, settings=SETTINGS, clock=clock)
    reset_token = token_in(mails(session, category="password_reset")[-1], "/reset-password")
    found.add(reset_token)
    password_reset.check_reset_link(session, token=reset_token, clock=clock)
    password_reset.reset_password(
        session, token=reset_token, password_hash=hash_of(THIRD_PASSWORD), clock=clock, settings=SETTINGS
    )
    sessions.end(session, token=token, clock=clock)
    session.commit()

    # Change of email address.
    account.request_email_change(
        session,
        user_id=user.id,
        new_email="alice@newschool.org",
        current_password=THIRD_PASSWORD,
        settings=SETTINGS,
        clock=clock,
    )
    change_token = token_in(mails(session, category="email_change_confirm")[-1], "/confirm-email-change")
    found.add(change_token)
    account.confirm_email_change(session, token=change_token, clock=clock)
    session.commit()

    # Authenticator app: setup, sign in with the app, then with a recovery code.
    secret, _uri = account.start_totp_setup(session, user_id=user.id, settings=SETTINGS)
    setup_code = pyotp.TOTP(secret).at(clock())
    recovery = account.confirm_totp(
        session, user_id=user.id, secret=secret, code=setup_code, settings=SETTINGS, clock=clock
    )
    found.add(secret, *recovery, *(code.replace("-", "") for code in recovery))
    clock.advance(seconds=30)
    app_code = pyotp.TOTP(secret).at(clock())
    found.codes += [setup_code, app_code]
    for entered in (app_code, recovery[0]):
        challenge = sign_in.check_password(
            session, email="alice@newschool.org", password=THIRD_PASSWORD, ip=IP, settings=SETTINGS, clock=clock
        )
        sign_in.verify_code(session, challenge_id=challenge.challenge_id, code=entered, settings=SETTINGS, clock=clock)
    session.commit()

    # A new member of staff and their set-password link.
    create_staff_user(session, email="cw@council.gov.uk", role="caseworker", settings=SETTINGS, clock=clock)
    session.commit()
    found.add(token_in(mails(session, category="set_password")[-1], "/reset-password"))
    return found


def leaks(records: list[logging.LogRecord], found: Secrets) -> list[str]:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    problems = []
    for record in records:
        text = formatter.format(record) + repr(record.args)
        for secret in found.values:
            if secret in text:
                problems.append(f"{record.name}: {secret[:4]}… appears in {text[:200]!r}")
        for code in found.codes:
            if re.search(rf"(?<!\d){code}(?!\d)", text):
                problems.append(f"{record.name}: a code appears in {text[:200]!r}")
    return problems


def test_application_logs_carry_no_secrets(session: Session, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    clock = Clock()

    found = run_every_flow(session, clock)

    ours = [record for record in caplog.records if not record.name.startswith("sqlalchemy")]
    assert any(record.name.startswith("sen_portal.services") for record in ours), "the flows logged nothing"
    assert len(found.values) > 10 and len(found.codes) >= 5
    assert leaks(ours, found) == []


# SQLAlchemy decides whether to log when a connection opens; the rolled-back session's connection opens
# before caplog turns logging on, so this test takes the engine (fresh connections, real commits).
@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("level", [logging.INFO, logging.DEBUG], ids=["parameters", "rows"])
def test_sql_logs_carry_no_secrets(session: Session, caplog: pytest.LogCaptureFixture, level: int) -> None:
    """With SQLAlchemy's logging on (an operator debugging), no secret may reach the log either."""
    caplog.set_level(logging.DEBUG)
    for name in SQL_LOGGERS:
        caplog.set_level(level, logger=name)
    clock = Clock()

    found = run_every_flow(session, clock)

    sql = [record for record in caplog.records if record.name.startswith("sqlalchemy")]
    assert any("INSERT INTO outbox_message" in record.getMessage() for record in sql), "SQL was not logged"
    assert leaks(sql, found) == []
