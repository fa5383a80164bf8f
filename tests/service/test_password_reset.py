"""Forgotten password and staff set-password links, against real SQLite and PostgreSQL databases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from sen_portal.db import make_engine
from sen_portal.models import OutboxMessage, RateLimitEvent, UserAccount, UserSession
from sen_portal.services import passwords, sessions
from sen_portal.services.password_reset import (
    LinkStatus,
    check_reset_link,
    link_purpose,
    request_reset,
    reset_context_words,
    reset_password,
)
from sen_portal.services.sign_in import PasswordAccepted, PasswordRejected, check_password
from sen_portal.services.staff_accounts import StaffAccountError, create_staff_user
from tests.conftest import PROJECT_ROOT, migrate
from tests.service.account_helpers import (
    EMAIL,
    IP,
    OTHER_PASSWORD,
    PASSWORD,
    SETTINGS,
    Clock,
    hash_of,
    mails,
    make_user,
    token_in,
)

pytestmark = [pytest.mark.service, pytest.mark.usefixtures("fast_bcrypt")]


@pytest.fixture
def clock() -> Clock:
    return Clock()


def request(session: Session, clock: Clock, email: str = EMAIL) -> None:
    assert request_reset(session, email=email, settings=SETTINGS, clock=clock) is None
    session.commit()


def reset_token(session: Session) -> str:
    return token_in(mails(session, category="password_reset")[-1], "/reset-password")


def reset(session: Session, clock: Clock, token: str, password: str = OTHER_PASSWORD) -> LinkStatus:
    status = reset_password(session, token=token, password_hash=hash_of(password), clock=clock, settings=SETTINGS)
    session.commit()
    return status


def test_an_unknown_address_gets_the_same_outcome_and_no_email(session: Session, clock: Clock) -> None:
    make_user(session)

    request(session, clock, "nobody@school.org")
    assert mails(session) == []
    request(session, clock, "Alice.Okafor@School.org")

    [message] = mails(session)
    assert message.to_address == EMAIL and message.category == "password_reset"
    assert "expires in 60 minutes" in message.text_body
    # The same trace either way: one counted request per address, nothing else that differs.
    assert session.exec(select(func.count()).select_from(RateLimitEvent)).one() == 2


def test_a_disabled_account_gets_no_reset_email(session: Session, clock: Clock) -> None:
    make_user(session, active=False)

    request(session, clock)

    assert mails(session) == []


def test_the_link_works_once(session: Session, clock: Clock) -> None:
    make_user(session)
    request(session, clock)
    token = reset_token(session)

    assert check_reset_link(session, token=token, clock=clock) is LinkStatus.VALID
    assert check_reset_link(session, token=token, clock=clock) is LinkStatus.VALID  # looking changes nothing
    assert reset(session, clock, token) is LinkStatus.VALID
    assert reset(session, clock, token, "yet another long passphrase") is LinkStatus.USED
    assert check_reset_link(session, token=token, clock=clock) is LinkStatus.USED


def test_the_new_password_works_and_the_old_one_does_not(session: Session, clock: Clock) -> None:
    make_user(session)
    request(session, clock)
    reset(session, clock, reset_token(session))

    old = check_password(session, email=EMAIL, password=PASSWORD, ip=IP, settings=SETTINGS, clock=clock)
    new = check_password(session, email=EMAIL, password=OTHER_PASSWORD, ip=IP, settings=SETTINGS, clock=clock)

    assert isinstance(old, PasswordRejected)
    assert isinstance(new, PasswordAccepted)  # and the next step still needs the emailed code
    assert new.method == "email"


@pytest.mark.parametrize(("minutes", "expected"), [(59, LinkStatus.VALID), (60, LinkStatus.EXPIRED)])
def test_the_link_lasts_sixty_minutes(session: Session, clock: Clock, minutes: int, expected: LinkStatus) -> None:
    user = make_user(session)
    request(session, clock)
    token = reset_token(session)
    clock.advance(minutes=minutes)

    assert check_reset_link(session, token=token, clock=clock) is expected
    assert reset(session, clock, token) is expected
    session.refresh(user)
    assert passwords.verify_password(
        OTHER_PASSWORD, user.password_hash, pepper=passwords.password_pepper(SETTINGS)
    ) == (expected is LinkStatus.VALID)


def test_a_newer_link_replaces_the_older_one(session: Session, clock: Clock) -> None:
    make_user(session)
    request(session, clock)
    first = reset_token(session)
    request(session, clock)
    second = reset_token(session)

    assert check_reset_link(session, token=first, clock=clock) is LinkStatus.INVALID
    assert check_reset_link(session, token=second, clock=clock) is LinkStatus.VALID


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "../../etc/passwd"])
def test_a_bad_token_is_invalid(session: Session, clock: Clock, token: str) -> None:
    assert check_reset_link(session, token=token, clock=clock) is LinkStatus.INVALID
    assert reset(session, clock, token) is LinkStatus.INVALID


def test_resetting_ends_every_session_and_signs_nobody_in(session: Session, clock: Clock) -> None:
    user = make_user(session)
    tokens = [
        sessions.redeem_ticket(
            session, ticket=sessions.issue_ticket(session, user_id=user.id, clock=clock), settings=SETTINGS, clock=clock
        )
        for _ in range(2)
    ]
    session.commit()
    assert all(sessions.resolve(session, token=t, settings=SETTINGS, clock=clock) is not None for t in tokens)
    request(session, clock)

    reset(session, clock, reset_token(session))

    assert all(sessions.resolve(session, token=t, settings=SETTINGS, clock=clock) is None for t in tokens)
    live = session.exec(select(UserSession).where(col(UserSession.ended_at).is_(None))).all()
    assert live == []


def test_resetting_emails_password_changed(session: Session, clock: Clock) -> None:
    make_user(session)
    request(session, clock)

    reset(session, clock, reset_token(session))

    [changed] = mails(session, category="password_changed")
    assert changed.to_address == EMAIL
    assert "has just been changed" in changed.text_body
    assert "https://portal.example.gov.uk/forgotten-password" in changed.text_body


def test_resetting_lifts_a_sign_in_lock_and_verifies_the_address(session: Session, clock: Clock) -> None:
    user = make_user(session, verified=False)
    for _ in range(5):
        check_password(session, email=EMAIL, password="wrong wrong wrong", ip=IP, settings=SETTINGS, clock=clock)
    request(session, clock)

    reset(session, clock, reset_token(session))

    outcome = check_password(session, email=EMAIL, password=OTHER_PASSWORD, ip=IP, settings=SETTINGS, clock=clock)
    assert isinstance(outcome, PasswordAccepted)
    session.refresh(user)
    assert user.email_verified_at == clock()


def test_requests_are_capped_at_three_an_hour_per_address_silently(session: Session, clock: Clock) -> None:
    make_user(session)
    for _ in range(5):
        request(session, clock)
        clock.advance(minutes=1)
    assert len(mails(session, category="password_reset")) == 3

    clock.advance(minutes=56)
    request(session, clock)

    assert len(mails(session, category="password_reset")) == 4


def test_a_password_hash_is_required_not_a_password(session: Session, clock: Clock) -> None:
    make_user(session)
    request(session, clock)

    with pytest.raises(ValueError, match="bcrypt"):
        reset_password(session, token=reset_token(session), password_hash=OTHER_PASSWORD, clock=clock)


def test_context_words_come_from_a_valid_link_only(session: Session, clock: Clock) -> None:
    make_user(session)
    request(session, clock)

    assert reset_context_words(session, token=reset_token(session), clock=clock) == [EMAIL, "Alice", "Okafor"]
    assert reset_context_words(session, token="x" * 43, clock=clock) == []


# ---- staff accounts: the set-password link ---------------------------------------------------


def test_a_staff_account_gets_a_seventy_two_hour_set_password_link(session: Session, clock: Clock) -> None:
    user = create_staff_user(
        session, email="Case.Worker@Council.gov.uk", role="caseworker", first_name="Cas", settings=SETTINGS, clock=clock
    )
    session.commit()
    [invite] = mails(session, category="set_password")
    token = token_in(invite, "/reset-password")

    assert user.email == "case.worker@council.gov.uk"
    assert user.password_hash is None and user.email_verified_at is not None
    assert "72 hours" in invite.text_body
    assert link_purpose(session, token=token, clock=clock) == "set_password"
    clock.advance(hours=71)
    assert reset(session, clock, token) is LinkStatus.VALID
    outcome = check_password(session, email=user.email, password=OTHER_PASSWORD, ip=IP, settings=SETTINGS, clock=clock)
    assert isinstance(outcome, PasswordAccepted)


def test_a_set_password_link_expires_after_seventy_two_hours(session: Session, clock: Clock) -> None:
    create_staff_user(session, email="cw@council.gov.uk", role="admin", settings=SETTINGS, clock=clock)
    session.commit()
    token = token_in(mails(session, category="set_password")[0], "/reset-password")

    clock.advance(hours=72)

    assert check_reset_link(session, token=token, clock=clock) is LinkStatus.EXPIRED


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [("not-an-email", "caseworker", "correct format"), ("x@council.gov.uk", "professional", "role must be")],
)
def test_create_staff_user_refuses_bad_input(
    session: Session, clock: Clock, email: str, role: str, message: str
) -> None:
    with pytest.raises(StaffAccountError, match=message):
        create_staff_user(session, email=email, role=role, settings=SETTINGS, clock=clock)


def test_create_staff_user_refuses_an_existing_address(session: Session, clock: Clock) -> None:
    make_user(session)

    with pytest.raises(StaffAccountError, match="already an account"):
        create_staff_user(session, email=EMAIL, role="admin", settings=SETTINGS, clock=clock)


def test_the_create_user_command(tmp_path: Path) -> None:
    """Run as an operator would: a subprocess configured by environment variables."""
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    migrate(url)
    keep = {"PATH", "HOME", "LANG", "SYSTEMROOT", "PYTHONPATH"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    env |= {"DATABASE_URL": url, "MAIL_DIR": str(tmp_path / "mail"), "PUBLIC_URL": "https://portal.example.gov.uk"}
    env["SECRET_KEY"] = "c" * 48

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sen_portal.cli", "create-user", *args],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    created = run("officer@council.gov.uk", "--role", "admin", "--first-name", "Olu", "--last-name", "Ade")
    again = run("officer@council.gov.uk", "--role", "caseworker")

    assert created.returncode == 0, created.stderr
    assert "Created a staff account (admin) for officer@council.gov.uk" in created.stdout
    assert again.returncode == 1 and "already an account" in again.stderr
    engine = make_engine(url)
    try:
        with Session(engine) as db:
            user = db.exec(select(UserAccount)).one()
            assert (user.role, user.first_name, user.last_name, user.password_hash) == ("admin", "Olu", "Ade", None)
            [invite] = db.exec(select(OutboxMessage)).all()
            assert invite.category == "set_password" and invite.to_address == "officer@council.gov.uk"
    finally:
        engine.dispose()


def test_a_staff_name_holding_an_address_is_refused(session: Session) -> None:
    with pytest.raises(StaffAccountError, match="First name must not contain a web address"):
        create_staff_user(
            session, email="cw@council.gov.uk", role="caseworker", settings=SETTINGS, first_name="see www.evil.example"
        )
