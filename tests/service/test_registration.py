"""Registration and email verification against real SQLite and PostgreSQL databases."""

from __future__ import annotations

import re
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from sen_portal.config import settings_from_env
from sen_portal.db import session_scope
from sen_portal.models import EmailToken, LookupEntry, OutboxMessage, RateLimitEvent, UserAccount
from sen_portal.services import email_tokens, passwords, registration
from sen_portal.services.registration import (
    LinkStatus,
    RegistrationDetails,
    RegistrationInvalid,
    RegistrationOutcome,
    RegistrationThrottled,
    activate,
    check_verification_link,
    purge_unverified_accounts,
    register,
    resend_verification,
    validate_work_step,
)

pytestmark = [pytest.mark.service, pytest.mark.usefixtures("fast_bcrypt")]

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SETTINGS = settings_from_env({"PUBLIC_URL": "https://portal.example.gov.uk", "SECRET_KEY": "s" * 48})
PASSWORD = "correct horse battery staple"
LINK = re.compile(r"https://portal\.example\.gov\.uk/verify-email\?token=([A-Za-z0-9_-]+)")


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(session: Session) -> Session:
    """The test session with a small professional_role list."""
    session.add(LookupEntry(list_key="professional_role", value="senco", label="SENCO"))
    session.add(LookupEntry(list_key="professional_role", value="other", label="Other"))
    session.add(LookupEntry(list_key="professional_role", value="retired", label="Retired role", is_active=False))
    session.commit()
    return session


def details(**changes: object) -> RegistrationDetails:
    base = RegistrationDetails(
        email="Alice.Okafor@School.org",
        password=PASSWORD,
        title="Dr",
        first_name="Alice",
        last_name="Okafor",
        phone="07700900123",
        professional_role="senco",
        organisation="Hillside Primary School",
        job_title="SENCO",
        work_phone="",
        address_line1="1 School Lane",
        address_town="Stoke-on-Trent",
        address_postcode="st41hh",
        maintenance_emails=True,
    )
    return replace(base, **changes)


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def outbox(session: Session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def link_token(message: OutboxMessage) -> str:
    found = LINK.search(message.text_body)
    assert found, "no verification link in the email"
    assert found.group(0) in message.html_body
    return found.group(1)


def user(session: Session, email: str = "alice.okafor@school.org") -> UserAccount:
    session.expire_all()
    return session.exec(select(UserAccount).where(UserAccount.email == email)).one()


def register_alice(session: Session, clock: Clock, **changes: object) -> str:
    """Register and commit; returns the token from the verification email."""
    register(session, details=details(**changes), ip="192.0.2.1", settings=SETTINGS, clock=clock)
    session.commit()
    return link_token(outbox(session)[-1])


# ---- the happy path ---------------------------------------------------------------------------


def test_register_check_activate(db: Session, clock: Clock) -> None:
    outcome = register(db, details=details(), ip="192.0.2.1", settings=SETTINGS, clock=clock)
    db.commit()
    assert outcome == RegistrationOutcome(email="alice.okafor@school.org")

    account = user(db)
    assert account.email_verified_at is None
    assert account.created_at == START
    assert account.phone == "07700 900123"
    assert account.address_postcode == "ST4 1HH"
    assert account.maintenance_emails is True
    assert passwords.verify_password(PASSWORD, account.password_hash or "", pepper=passwords.password_pepper(SETTINGS))

    [message] = outbox(db)
    assert message.to_address == "alice.okafor@school.org"
    assert message.category == "verify_email"
    assert "Alice" not in message.text_body and "Alice" not in message.html_body  # no name echoed to the address
    token = link_token(message)
    stored = db.exec(select(EmailToken)).one()
    assert stored.token_hash != token and token not in stored.token_hash
    assert stored.expires_at == START + timedelta(hours=48)

    # Opening the link (or a mail scanner prefetching it) changes nothing.
    clock.advance(timedelta(hours=1))
    assert check_verification_link(db, token=token, clock=clock) is LinkStatus.VALID
    assert check_verification_link(db, token=token, clock=clock) is LinkStatus.VALID
    db.commit()
    db.expire_all()
    assert db.exec(select(EmailToken)).one().used_at is None
    assert user(db).email_verified_at is None

    # The button activates, once.
    assert activate(db, token=token, clock=clock) is LinkStatus.VALID
    db.commit()
    assert user(db).email_verified_at == START + timedelta(hours=1)
    assert db.exec(select(EmailToken)).one().used_at == START + timedelta(hours=1)
    assert activate(db, token=token, clock=clock) is LinkStatus.USED
    assert check_verification_link(db, token=token, clock=clock) is LinkStatus.USED


def test_register_accepts_a_password_hashed_earlier(db: Session, clock: Clock) -> None:
    pepper = passwords.password_pepper(SETTINGS)
    hashed = passwords.hash_password(PASSWORD, pepper=pepper)
    register(db, details=details(password="", password_hash=hashed), ip="192.0.2.1", settings=SETTINGS, clock=clock)
    db.commit()
    assert user(db).password_hash == hashed


def test_register_refuses_ambiguous_or_bogus_password_input(db: Session, clock: Clock) -> None:
    hashed = passwords.hash_password(PASSWORD, pepper=passwords.password_pepper(SETTINGS))
    with pytest.raises(ValueError, match="not both"):
        register(db, details=details(password_hash=hashed), ip="192.0.2.1", settings=SETTINGS, clock=clock)
    with pytest.raises(ValueError, match="bcrypt"):
        register(db, details=details(password="", password_hash="plain"), ip="192.0.2.1", settings=SETTINGS)
    with pytest.raises(RegistrationInvalid) as raised:
        register(db, details=details(password=""), ip="192.0.2.1", settings=SETTINGS, clock=clock)
    assert raised.value.errors == {"password": ["Enter a password"]}


def test_details_never_show_the_password() -> None:
    shown = repr(details(password_hash=""))
    assert PASSWORD not in shown
    assert {f.name for f in fields(RegistrationDetails)} >= {
        "email", "password", "password_hash", "title", "first_name", "last_name", "phone", "professional_role",
        "professional_role_other", "organisation", "job_title", "work_phone", "address_line1", "address_line2",
        "address_town", "address_postcode", "address_uprn", "maintenance_emails",
    }  # fmt: skip


# ---- links that do not work ---------------------------------------------------------------------


def test_link_expires_after_48_hours(db: Session, clock: Clock) -> None:
    token = register_alice(db, clock)
    clock.advance(timedelta(hours=48) - timedelta(seconds=1))
    assert check_verification_link(db, token=token, clock=clock) is LinkStatus.VALID
    clock.advance(timedelta(seconds=1))
    assert check_verification_link(db, token=token, clock=clock) is LinkStatus.EXPIRED
    assert activate(db, token=token, clock=clock) is LinkStatus.EXPIRED
    db.commit()
    assert user(db).email_verified_at is None


@pytest.mark.parametrize("mangle", ["tamper", "truncate", "empty", "garbage", "other-purpose"])
def test_tampered_and_malformed_links_are_invalid(db: Session, clock: Clock, mangle: str) -> None:
    token = register_alice(db, clock)
    if mangle == "tamper":
        bad = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif mangle == "truncate":
        bad = token[:30]
    elif mangle == "empty":
        bad = ""
    elif mangle == "garbage":
        bad = "' OR 1=1 --"
    else:
        # A genuine token, but issued for another purpose, must not verify an email.
        bad = email_tokens.issue(
            db, user_id=user(db).id or 0, purpose=email_tokens.RESET_PASSWORD, lifetime=timedelta(hours=1), clock=clock
        )
    assert check_verification_link(db, token=bad, clock=clock) is LinkStatus.INVALID
    assert activate(db, token=bad, clock=clock) is LinkStatus.INVALID
    db.commit()
    assert user(db).email_verified_at is None
    assert activate(db, token=token, clock=clock) is LinkStatus.VALID


def test_link_for_a_disabled_account_is_invalid(db: Session, clock: Clock) -> None:
    token = register_alice(db, clock)
    account = user(db)
    account.is_active = False
    db.add(account)
    db.commit()
    assert check_verification_link(db, token=token, clock=clock) is LinkStatus.INVALID
    assert activate(db, token=token, clock=clock) is LinkStatus.INVALID


def test_only_one_of_two_simultaneous_activations_wins(engine: Engine, clock: Clock) -> None:
    with session_scope(engine) as setup:
        setup.add(LookupEntry(list_key="professional_role", value="senco", label="SENCO"))
    with session_scope(engine) as first_session:
        token = register_alice(first_session, clock)
    with Session(engine) as one, Session(engine) as two:
        row_one = email_tokens.find(one, token=token, purpose=email_tokens.VERIFY_EMAIL)
        row_two = email_tokens.find(two, token=token, purpose=email_tokens.VERIFY_EMAIL)
        assert row_one is not None and row_two is not None
        assert email_tokens.consume(one, row_one, clock=clock)
        one.commit()
        assert not email_tokens.consume(two, row_two, clock=clock)
        two.commit()


# ---- no enumeration ----------------------------------------------------------------------------------


def test_existing_email_gets_a_notice_and_the_same_outcome(db: Session, clock: Clock) -> None:
    first = register(db, details=details(), ip="192.0.2.1", settings=SETTINGS, clock=clock)
    db.commit()
    second = register(
        db,
        details=details(email="  ALICE.OKAFOR@school.ORG", first_name="Mallory", password="another long passphrase"),
        ip="198.51.100.7",
        settings=SETTINGS,
        clock=clock,
    )
    db.commit()
    assert second == first
    assert type(second) is type(first)
    assert count(db, UserAccount) == 1
    assert user(db).first_name == "Alice"
    assert count(db, EmailToken) == 1

    verification, notice = outbox(db)
    assert notice.to_address == "alice.okafor@school.org"
    assert notice.category == "already_registered"
    assert "https://portal.example.gov.uk/sign-in" in notice.text_body
    assert "https://portal.example.gov.uk/forgotten-password" in notice.text_body
    assert "verify-email" not in notice.text_body and "Mallory" not in notice.text_body
    assert verification.category == "verify_email"


def test_owner_notices_are_capped(db: Session, clock: Clock) -> None:
    register_alice(db, clock)
    for _ in range(5):
        register(db, details=details(), ip="192.0.2.2", settings=SETTINGS, clock=clock)
    db.commit()
    categories = [message.category for message in outbox(db)]
    assert categories == ["verify_email"] + ["already_registered"] * registration.NOTICE_LIMIT


# ---- validation ---------------------------------------------------------------------------------------


def test_invalid_details_write_nothing(db: Session, clock: Clock) -> None:
    bad = details(email="alice@", phone="123", address_postcode="XX", professional_role="retired", job_title="")
    with pytest.raises(RegistrationInvalid) as raised:
        register(db, details=bad, ip="192.0.2.1", settings=SETTINGS, clock=clock)
    assert set(raised.value.errors) == {"email", "phone", "address_postcode", "professional_role", "job_title"}
    db.commit()
    assert count(db, UserAccount) == count(db, OutboxMessage) == count(db, RateLimitEvent) == 0


def test_register_rechecks_the_password_policy(db: Session, clock: Clock) -> None:
    with pytest.raises(RegistrationInvalid) as raised:
        register(db, details=details(password="alice okafor rules"), ip="192.0.2.1", settings=SETTINGS, clock=clock)
    assert raised.value.errors == {"password": ["Password must not contain your name or email address"]}


def work(**changes: str) -> dict[str, str]:
    values = {
        "professional_role": "senco",
        "professional_role_other": "",
        "organisation": "Hillside Primary School",
        "job_title": "SENCO",
        "work_phone": "",
        "address_line1": "1 School Lane",
        "address_line2": "",
        "address_town": "Stoke-on-Trent",
        "address_postcode": "ST4 1HH",
        "address_uprn": "",
    }
    values.update(changes)
    return values


def test_work_step_checks_the_role_against_the_active_list(db: Session) -> None:
    assert validate_work_step(db, **work()) == {}
    assert validate_work_step(db, **work(professional_role="")) == {
        "professional_role": ["Select your professional role"]
    }
    for value in ("retired", "made-up", "SENCO"):
        assert validate_work_step(db, **work(professional_role=value)) == {
            "professional_role": ["Select a professional role from the list"]
        }


def test_work_step_other_role_needs_a_description(db: Session) -> None:
    assert validate_work_step(db, **work(professional_role="other")) == {
        "professional_role_other": ["Enter your professional role"]
    }
    assert validate_work_step(db, **work(professional_role="other", professional_role_other="Play therapist")) == {}


def test_work_step_messages(db: Session) -> None:
    errors = validate_work_step(
        db,
        **work(
            organisation="",
            job_title=" ",
            work_phone="999",
            address_line1="",
            address_line2="x" * 201,
            address_town="",
            address_postcode="",
            address_uprn="12AB",
        ),
    )
    assert errors == {
        "organisation": ["Enter the name of your organisation"],
        "job_title": ["Enter your job title"],
        "work_phone": ["Enter a UK phone number, like 01782 234567 or 07700 900123"],
        "address_line1": ["Enter address line 1, typically the building and street"],
        "address_line2": ["Address line 2 must be 200 characters or fewer"],
        "address_town": ["Enter town or city"],
        "address_postcode": ["Enter a postcode"],
        "address_uprn": ["Select an address from the list"],
    }
    assert validate_work_step(db, **work(organisation="x" * 201)) == {
        "organisation": ["Organisation must be 200 characters or fewer"]
    }


def test_stored_values_are_cleaned(db: Session, clock: Clock) -> None:
    register_alice(
        db,
        clock,
        first_name="  Alice\r\n",
        professional_role_other="ignored unless other",
        work_phone="+44 (0)1782 234567",
        address_uprn=" 100031234567 ",
    )
    account = user(db)
    assert account.first_name == "Alice"
    assert account.professional_role_other == ""
    assert account.work_phone == "01782 234567"
    assert account.address_uprn == "100031234567"


# ---- rate limits -------------------------------------------------------------------------------------


def test_registrations_are_limited_per_ip(db: Session, clock: Clock) -> None:
    policy = (registration.REGISTER_LIMIT, registration.REGISTER_WINDOW)
    assert policy == (10, timedelta(hours=1))
    hashed = passwords.hash_password(PASSWORD, pepper=passwords.password_pepper(SETTINGS))
    for number in range(registration.REGISTER_LIMIT):
        register(
            db,
            details=details(email=f"person{number}@school.org", password="", password_hash=hashed),
            ip="203.0.113.9",
            settings=SETTINGS,
            clock=clock,
        )
    db.commit()
    over = details(email="one.more@school.org", password="", password_hash=hashed)
    with pytest.raises(RegistrationThrottled) as raised:
        register(db, details=over, ip="203.0.113.9", settings=SETTINGS, clock=clock)
    assert raised.value.retry_after == timedelta(hours=1)
    db.rollback()
    # Another address is not affected, and the limit lifts after the window.
    register(db, details=over, ip="203.0.113.10", settings=SETTINGS, clock=clock)
    clock.advance(timedelta(hours=1))
    register(db, details=replace(over, email="later@school.org"), ip="203.0.113.9", settings=SETTINGS, clock=clock)
    db.commit()
    assert count(db, UserAccount) == registration.REGISTER_LIMIT + 2


def test_resend_voids_the_old_link(db: Session, clock: Clock) -> None:
    old = register_alice(db, clock)
    clock.advance(timedelta(minutes=5))
    assert resend_verification(db, email="ALICE.OKAFOR@school.org", settings=SETTINGS, clock=clock) is None
    db.commit()
    new = link_token(outbox(db)[-1])
    assert new != old
    assert len(outbox(db)) == 2
    assert check_verification_link(db, token=old, clock=clock) is LinkStatus.INVALID
    assert activate(db, token=old, clock=clock) is LinkStatus.INVALID
    assert activate(db, token=new, clock=clock) is LinkStatus.VALID
    db.commit()
    assert user(db).email_verified_at == START + timedelta(minutes=5)


def test_resend_is_limited_per_address(db: Session, clock: Clock) -> None:
    policy = (registration.RESEND_LIMIT, registration.RESEND_WINDOW)
    assert policy == (3, timedelta(hours=1))
    register_alice(db, clock)
    for _ in range(registration.RESEND_LIMIT + 2):
        resend_verification(db, email="alice.okafor@school.org", settings=SETTINGS, clock=clock)
    db.commit()
    assert len(outbox(db)) == 1 + registration.RESEND_LIMIT
    clock.advance(timedelta(hours=1))
    resend_verification(db, email="alice.okafor@school.org", settings=SETTINGS, clock=clock)
    db.commit()
    assert len(outbox(db)) == 2 + registration.RESEND_LIMIT


@pytest.mark.parametrize("address", ["nobody@school.org", "not an email", "alice.okafor@school.org"])
def test_resend_is_silent_for_unknown_invalid_and_verified_addresses(db: Session, clock: Clock, address: str) -> None:
    token = register_alice(db, clock)
    assert activate(db, token=token, clock=clock) is LinkStatus.VALID
    db.commit()
    assert resend_verification(db, email=address, settings=SETTINGS, clock=clock) is None
    db.commit()
    assert len(outbox(db)) == 1


# ---- transactions ------------------------------------------------------------------------------------


def test_a_rolled_back_registration_leaves_nothing(engine: Engine, clock: Clock) -> None:
    with session_scope(engine) as setup:
        setup.add(LookupEntry(list_key="professional_role", value="senco", label="SENCO"))
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        register(session, details=details(), ip="192.0.2.1", settings=SETTINGS, clock=clock)
        assert count(session, OutboxMessage) == 1  # written, inside the transaction
        raise RuntimeError("the request failed after register")
    with Session(engine) as session:
        assert count(session, OutboxMessage) == 0
        assert count(session, UserAccount) == 0
        assert count(session, EmailToken) == 0
        assert count(session, RateLimitEvent) == 0


def test_unverified_accounts_are_purged_after_a_week(db: Session, clock: Clock) -> None:
    token = register_alice(db, clock)
    register_alice(db, clock, email="bob.jones@school.org", first_name="Bob", last_name="Jones")
    assert activate(db, token=token, clock=clock) is LinkStatus.VALID
    db.commit()
    clock.advance(timedelta(days=6))
    assert purge_unverified_accounts(db, clock=clock) == 0
    clock.advance(timedelta(days=1, seconds=1))
    assert purge_unverified_accounts(db, clock=clock) == 1
    db.commit()
    assert [account.email for account in db.exec(select(UserAccount))] == ["alice.okafor@school.org"]
    assert count(db, EmailToken) == 1  # bob's token went with his account (ON DELETE CASCADE)
