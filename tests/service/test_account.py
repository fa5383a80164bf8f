"""A signed-in user's own account: password, email address, details and authenticator app."""

from __future__ import annotations

import pyotp
import pytest
from sqlmodel import Session, select

from sen_portal.models import LookupEntry, RecoveryCode, UserAccount
from sen_portal.services.accounts import account
from sen_portal.services.accounts.account import TotpSetupError
from sen_portal.services.auth import sessions, totp
from sen_portal.services.auth.email_tokens import LinkStatus
from sen_portal.services.auth.sign_in import AccountLocked, PasswordAccepted, check_password
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

NEW_EMAIL = "alice.okafor@newschool.org"


@pytest.fixture
def clock() -> Clock:
    return Clock()


def start_session(session: Session, user: UserAccount, clock: Clock) -> str:
    ticket = sessions.issue_ticket(session, user_id=user.id, clock=clock)
    token = sessions.redeem_ticket(session, ticket=ticket, settings=SETTINGS, clock=clock)
    session.commit()
    assert token
    return token


def signed_in(session: Session, token: str, clock: Clock) -> bool:
    return sessions.resolve(session, token=token, settings=SETTINGS, clock=clock) is not None


# ---- password --------------------------------------------------------------------------------


def change(session: Session, user: UserAccount, clock: Clock, *, current: str, keep: str | None) -> list[str]:
    errors = account.change_password(
        session,
        user_id=user.id,
        current_password=current,
        new_password_hash=hash_of(OTHER_PASSWORD),
        keep_session_token=keep,
        settings=SETTINGS,
        clock=clock,
    )
    session.commit()
    return errors


def test_changing_the_password_ends_every_other_session_and_emails_the_user(session: Session, clock: Clock) -> None:
    user = make_user(session)
    mine, laptop, phone = (start_session(session, user, clock) for _ in range(3))

    assert change(session, user, clock, current=PASSWORD, keep=mine) == []

    assert signed_in(session, mine, clock)
    assert not signed_in(session, laptop, clock)
    assert not signed_in(session, phone, clock)
    [notice] = mails(session, category="password_changed")
    assert notice.to_address == EMAIL
    assert isinstance(
        check_password(session, email=EMAIL, password=OTHER_PASSWORD, ip=IP, settings=SETTINGS, clock=clock),
        PasswordAccepted,
    )


def test_a_wrong_current_password_changes_nothing(session: Session, clock: Clock) -> None:
    user = make_user(session)
    other = start_session(session, user, clock)
    old_hash = user.password_hash

    assert change(session, user, clock, current="not my password at all", keep=None) == [
        "Your current password is not correct"
    ]
    assert change(session, user, clock, current="", keep=None) == ["Enter your current password"]

    session.refresh(user)
    assert user.password_hash == old_hash
    assert signed_in(session, other, clock)
    assert mails(session) == []


def test_guessing_the_current_password_locks_like_signing_in(session: Session, clock: Clock) -> None:
    user = make_user(session)
    for _ in range(5):
        change(session, user, clock, current="guess guess guess", keep=None)

    errors = change(session, user, clock, current=PASSWORD, keep=None)

    assert errors and errors[0].startswith("Too many wrong passwords")
    outcome = check_password(session, email=EMAIL, password=PASSWORD, ip=IP, settings=SETTINGS, clock=clock)
    assert isinstance(outcome, AccountLocked)
    assert len(mails(session, category="sign_in_locked")) == 1


# ---- email address ---------------------------------------------------------------------------


def ask_for(session: Session, user: UserAccount, clock: Clock, new: str, password: str = PASSWORD) -> list[str]:
    errors = account.request_email_change(
        session, user_id=user.id, new_email=new, current_password=password, settings=SETTINGS, clock=clock
    )
    session.commit()
    return errors


def test_a_new_address_takes_effect_only_after_its_link_and_the_old_one_is_told(session: Session, clock: Clock) -> None:
    user = make_user(session)

    assert ask_for(session, user, clock, "Alice.Okafor@NewSchool.org") == []

    session.refresh(user)
    assert user.email == EMAIL and user.pending_email == NEW_EMAIL
    [confirm] = mails(session, category="email_change_confirm")
    [notice] = mails(session, category="email_change_requested")
    assert confirm.to_address == NEW_EMAIL
    assert notice.to_address == EMAIL and "a•••@newschool.org" in notice.text_body
    assert NEW_EMAIL not in notice.text_body
    token = token_in(confirm, "/confirm-email-change")
    assert account.check_email_change_link(session, token=token, clock=clock) is LinkStatus.VALID

    assert account.confirm_email_change(session, token=token, clock=clock) is LinkStatus.VALID
    session.commit()

    session.refresh(user)
    assert user.email == NEW_EMAIL and user.pending_email is None
    assert account.confirm_email_change(session, token=token, clock=clock) is LinkStatus.USED
    outcome = check_password(session, email=NEW_EMAIL, password=PASSWORD, ip=IP, settings=SETTINGS, clock=clock)
    assert isinstance(outcome, PasswordAccepted)


def test_an_email_change_link_expires_after_a_day(session: Session, clock: Clock) -> None:
    user = make_user(session)
    ask_for(session, user, clock, NEW_EMAIL)
    token = token_in(mails(session, category="email_change_confirm")[0], "/confirm-email-change")

    clock.advance(hours=24)

    assert account.confirm_email_change(session, token=token, clock=clock) is LinkStatus.EXPIRED
    session.refresh(user)
    assert user.email == EMAIL


def test_an_address_with_an_account_is_not_revealed_and_its_owner_is_told(session: Session, clock: Clock) -> None:
    user = make_user(session)
    make_user(session, email=NEW_EMAIL, first_name="Other", last_name="Person")

    assert ask_for(session, user, clock, NEW_EMAIL) == []

    session.refresh(user)
    assert user.pending_email is None
    assert mails(session, category="email_change_confirm") == []
    [in_use] = mails(session, category="email_in_use")
    assert in_use.to_address == NEW_EMAIL
    assert len(mails(session, category="email_change_requested")) == 1


@pytest.mark.parametrize(
    ("new", "password", "message"),
    [
        ("not an email", PASSWORD, "correct format"),
        (EMAIL.upper(), PASSWORD, "different from your current one"),
        (NEW_EMAIL, "wrong password here", "not correct"),
    ],
)
def test_an_email_change_is_refused_when(session: Session, clock: Clock, new: str, password: str, message: str) -> None:
    user = make_user(session)

    errors = ask_for(session, user, clock, new, password)

    assert len(errors) == 1 and message in errors[0]
    assert mails(session) == []


def test_an_address_registered_meanwhile_is_not_taken_over(session: Session, clock: Clock) -> None:
    user = make_user(session)
    ask_for(session, user, clock, NEW_EMAIL)
    token = token_in(mails(session, category="email_change_confirm")[0], "/confirm-email-change")
    make_user(session, email=NEW_EMAIL)

    assert account.confirm_email_change(session, token=token, clock=clock) is LinkStatus.INVALID


# ---- details and notices ---------------------------------------------------------------------


def details(**changes: str) -> dict[str, str]:
    values = {
        "title": "Dr",
        "first_name": " Alice ",
        "last_name": "Okafor-Smith",
        "phone": "07700 900123",
        "professional_role": "senco",
        "organisation": "Hillside Primary School",
        "job_title": "SENCO",
        "work_phone": "",
        "address_line1": "1 School Lane",
        "address_town": "Stoke-on-Trent",
        "address_postcode": "st4 1aa",
    }
    return values | changes


def test_details_are_validated_with_the_registration_rules_and_saved(session: Session, clock: Clock) -> None:
    session.add(LookupEntry(list_key="professional_role", value="senco", label="SENCO"))
    user = make_user(session)

    errors = account.update_details(session, user_id=user.id, clock=clock, **details(first_name="", phone="12"))
    assert set(errors) == {"first_name", "phone"}
    assert account.update_details(session, user_id=user.id, clock=clock, **details()) == {}
    session.commit()

    session.refresh(user)
    assert (user.first_name, user.last_name, user.address_postcode) == ("Alice", "Okafor-Smith", "ST4 1AA")
    assert user.phone.replace(" ", "") in {"07700900123", "+447700900123"}


def test_maintenance_emails_can_be_turned_on_and_off(session: Session, clock: Clock) -> None:
    user = make_user(session)

    account.set_maintenance_emails(session, user_id=user.id, enabled=True, clock=clock)
    session.commit()
    session.refresh(user)
    assert user.maintenance_emails is True
    account.set_maintenance_emails(session, user_id=user.id, enabled=False, clock=clock)
    session.commit()
    session.refresh(user)
    assert user.maintenance_emails is False


# ---- authenticator app -----------------------------------------------------------------------


def test_setting_up_an_app_gives_ten_recovery_codes_stored_hashed(session: Session, clock: Clock) -> None:
    user = make_user(session)
    secret, uri = account.start_totp_setup(session, user_id=user.id, settings=SETTINGS)

    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri and "issuer=SEN" in uri
    session.refresh(user)
    # Pending, encrypted, and nothing signs in with it before the app proves it has the secret.
    assert user.totp_enabled_at is None and user.totp_secret and secret not in user.totp_secret
    pending = check_password(session, email=EMAIL, password=PASSWORD, ip=IP, settings=SETTINGS, clock=clock)
    assert isinstance(pending, PasswordAccepted) and pending.method == "email"

    # The page passes no secret: the pending one on the account is used.
    codes = account.confirm_totp(
        session, user_id=user.id, code=pyotp.TOTP(secret).at(clock()), settings=SETTINGS, clock=clock
    )
    session.commit()

    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(totp.looks_like_recovery_code(code) for code in codes)
    session.refresh(user)
    assert user.totp_enabled_at == clock()
    assert user.totp_secret and secret not in user.totp_secret
    assert totp.decrypt_secret(SETTINGS, user.totp_secret) == secret
    stored = [row.code_hash for row in session.exec(select(RecoveryCode)).all()]
    assert len(stored) == 10
    assert not any(code.replace("-", "") in value for code in codes for value in stored)
    [notice] = mails(session, category="two_factor_enabled")
    assert notice.to_address == EMAIL


def test_a_wrong_setup_code_turns_nothing_on(session: Session, clock: Clock) -> None:
    user = make_user(session)
    secret, _uri = account.start_totp_setup(session, user_id=user.id, settings=SETTINGS)
    right = pyotp.TOTP(secret).at(clock())

    with pytest.raises(TotpSetupError, match="not correct"):
        account.confirm_totp(
            session,
            user_id=user.id,
            secret=secret,
            code=f"{(int(right) + 1) % 10**6:06d}",
            settings=SETTINGS,
            clock=clock,
        )

    session.refresh(user)
    assert user.totp_enabled_at is None
    assert session.exec(select(RecoveryCode)).all() == []


def test_the_secret_is_unreadable_under_another_secret_key(session: Session, clock: Clock) -> None:
    from dataclasses import replace

    encrypted = totp.encrypt_secret(SETTINGS, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")

    assert totp.decrypt_secret(replace(SETTINGS, secret_key="z" * 48), encrypted) is None


def test_turning_the_app_off_removes_secret_and_codes(session: Session, clock: Clock) -> None:
    user = make_user(session)
    secret, _uri = account.start_totp_setup(session, user_id=user.id, settings=SETTINGS)
    account.confirm_totp(
        session, user_id=user.id, secret=secret, code=pyotp.TOTP(secret).at(clock()), settings=SETTINGS, clock=clock
    )
    with pytest.raises(TotpSetupError, match="already set up"):
        account.start_totp_setup(session, user_id=user.id, settings=SETTINGS)

    with pytest.raises(account.CurrentPasswordRejected):
        account.disable_totp(session, user_id=user.id, current_password="not it", settings=SETTINGS, clock=clock)
    session.refresh(user)
    assert user.totp_enabled_at is not None  # a stolen session alone cannot remove the app
    account.disable_totp(session, user_id=user.id, current_password=PASSWORD, settings=SETTINGS, clock=clock)
    session.commit()

    session.refresh(user)
    assert (user.totp_secret, user.totp_enabled_at, user.totp_last_step) == (None, None, None)
    assert session.exec(select(RecoveryCode)).all() == []
    assert len(mails(session, category="two_factor_disabled")) == 1
    outcome = check_password(session, email=EMAIL, password=PASSWORD, ip=IP, settings=SETTINGS, clock=clock)
    assert isinstance(outcome, PasswordAccepted) and outcome.method == "email"


def test_regenerated_recovery_codes_replace_the_old_ones(session: Session, clock: Clock) -> None:
    user = make_user(session)
    secret, _uri = account.start_totp_setup(session, user_id=user.id, settings=SETTINGS)
    old = account.confirm_totp(
        session, user_id=user.id, secret=secret, code=pyotp.TOTP(secret).at(clock()), settings=SETTINGS, clock=clock
    )

    with pytest.raises(account.CurrentPasswordRejected):
        account.regenerate_recovery_codes(
            session, user_id=user.id, current_password="not it", settings=SETTINGS, clock=clock
        )
    new = account.regenerate_recovery_codes(
        session, user_id=user.id, current_password=PASSWORD, settings=SETTINGS, clock=clock
    )

    assert set(new).isdisjoint(old)
    assert not totp.use_recovery_code(session, user_id=user.id, code=old[0], settings=SETTINGS, clock=clock)
    assert totp.use_recovery_code(session, user_id=user.id, code=new[0], settings=SETTINGS, clock=clock)
