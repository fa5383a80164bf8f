"""Sign-in with a password and a second factor, against real SQLite and PostgreSQL databases."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import bcrypt
import pyotp
import pytest
from sqlmodel import Session, col, select

from sen_portal.models import LoginChallenge, RecoveryCode, UserAccount
from sen_portal.services import account, passwords, sign_in, sign_in_throttle
from sen_portal.services.sign_in import (
    AccountLocked,
    ChallengeEnded,
    CodeAccepted,
    CodeRejected,
    EmailNotVerified,
    PasswordAccepted,
    PasswordRejected,
    check_password,
    resend_code,
    verify_code,
)
from tests.service.account_helpers import (
    EMAIL,
    IP,
    OTHER_PASSWORD,
    PASSWORD,
    SETTINGS,
    Clock,
    code_in,
    latest_code,
    mails,
    make_user,
    other_code,
)

pytestmark = [pytest.mark.service, pytest.mark.usefixtures("fast_bcrypt")]


@pytest.fixture
def clock() -> Clock:
    return Clock()


def sign_in_with(session: Session, clock: Clock, *, email: str = EMAIL, password: str = PASSWORD, ip: str = IP):
    outcome = check_password(session, email=email, password=password, ip=ip, settings=SETTINGS, clock=clock)
    session.commit()
    return outcome


def verify(session: Session, clock: Clock, challenge_id: int, code: str):
    outcome = verify_code(session, challenge_id=challenge_id, code=code, settings=SETTINGS, clock=clock)
    session.commit()
    return outcome


def resend(session: Session, clock: Clock, challenge_id: int) -> sign_in.ResendResult:
    result = resend_code(session, challenge_id=challenge_id, settings=SETTINGS, clock=clock)
    session.commit()
    return result


def accepted(outcome: object) -> PasswordAccepted:
    assert isinstance(outcome, PasswordAccepted), outcome
    return outcome


# ---- the emailed code ------------------------------------------------------------------------


def test_correct_password_emails_a_fresh_code_stored_only_as_a_keyed_hash(session: Session, clock: Clock) -> None:
    user = make_user(session)

    outcome = accepted(sign_in_with(session, clock))

    assert outcome.method == "email"
    assert outcome.masked_email == "a•••@school.org"
    [message] = mails(session, category="login_code")
    assert message.to_address == EMAIL
    code = code_in(message)
    assert code not in message.subject
    assert "expires in 10 minutes" in message.text_body
    assert code in message.html_body
    challenge = session.get(LoginChallenge, outcome.challenge_id)
    assert challenge is not None and challenge.user_id == user.id
    assert challenge.sends == 1
    assert code not in challenge.code_hash
    assert challenge.code_hash != hashlib.sha256(code.encode()).hexdigest()
    assert challenge.code_hash != hashlib.sha256(f"{challenge.id}:{code}".encode()).hexdigest()


def test_each_sign_in_gets_a_different_random_code(session: Session, clock: Clock) -> None:
    make_user(session)
    codes = set()
    for _ in range(3):
        sign_in_with(session, clock)
        codes.add(latest_code(session))
        clock.advance(minutes=6)  # keep within three sends per 15 minutes
    assert len(codes) == 3


def test_the_code_signs_in_once_only(session: Session, clock: Clock) -> None:
    user = make_user(session)
    challenge_id = accepted(sign_in_with(session, clock)).challenge_id
    code = latest_code(session)

    assert verify(session, clock, challenge_id, code) == CodeAccepted(user_id=user.id)
    assert verify(session, clock, challenge_id, code) == ChallengeEnded("unknown")


@pytest.mark.parametrize(
    ("wait", "expected"),
    [(timedelta(minutes=9, seconds=59), "accepted"), (timedelta(minutes=10), "expired")],
)
def test_the_code_expires_after_ten_minutes(session: Session, clock: Clock, wait: timedelta, expected: str) -> None:
    make_user(session)
    challenge_id = accepted(sign_in_with(session, clock)).challenge_id
    code = latest_code(session)

    clock.advance(wait)
    outcome = verify(session, clock, challenge_id, code)

    if expected == "accepted":
        assert isinstance(outcome, CodeAccepted)
    else:
        assert outcome == ChallengeEnded("expired")
        assert verify(session, clock, challenge_id, code) == ChallengeEnded("expired")


def test_a_resend_voids_the_old_code(session: Session, clock: Clock) -> None:
    make_user(session)
    challenge_id = accepted(sign_in_with(session, clock)).challenge_id
    old = latest_code(session)

    result = resend(session, clock, challenge_id)
    new = latest_code(session)

    assert result.sent is True
    assert "a•••@school.org" in result.message
    assert len(mails(session, category="login_code")) == 2
    if new != old:  # one in a million: the new random code may equal the old one
        assert isinstance(verify(session, clock, challenge_id, old), CodeRejected)
    assert isinstance(verify(session, clock, challenge_id, new), CodeAccepted)


def test_a_resent_code_gets_its_own_ten_minutes(session: Session, clock: Clock) -> None:
    make_user(session)
    challenge_id = accepted(sign_in_with(session, clock)).challenge_id
    clock.advance(minutes=8)
    resend(session, clock, challenge_id)
    code = latest_code(session)

    clock.advance(minutes=9)

    assert isinstance(verify(session, clock, challenge_id, code), CodeAccepted)


def test_at_most_three_codes_are_sent_in_fifteen_minutes_counting_the_first(session: Session, clock: Clock) -> None:
    make_user(session)
    challenge_id = accepted(sign_in_with(session, clock)).challenge_id
    clock.advance(minutes=1)
    assert resend(session, clock, challenge_id).sent is True
    clock.advance(minutes=1)
    assert resend(session, clock, challenge_id).sent is True
    clock.advance(minutes=1)

    refused = resend(session, clock, challenge_id)

    assert refused.sent is False
    assert "too many codes" in refused.message
    assert len(mails(session, category="login_code")) == 3
    # Starting again at the password step does not reset the count: the live challenge carries on.
    again = accepted(sign_in_with(session, clock))
    assert again.challenge_id == challenge_id
    assert len(mails(session, category="login_code")) == 3
    assert isinstance(verify(session, clock, challenge_id, latest_code(session)), CodeAccepted)


def test_when_sends_are_used_up_and_no_code_is_usable_the_password_step_says_wait(
    session: Session, clock: Clock
) -> None:
    make_user(session)
    challenge_id = accepted(sign_in_with(session, clock)).challenge_id
    resend(session, clock, challenge_id)
    resend(session, clock, challenge_id)
    clock.advance(minutes=11)  # the last code has expired

    outcome = sign_in_with(session, clock)

    assert isinstance(outcome, AccountLocked) and outcome.scope == "code_sends"
    assert 0 < outcome.retry_after_seconds <= 4 * 60
    clock.advance(seconds=outcome.retry_after_seconds)
    assert accepted(sign_in_with(session, clock)).challenge_id != challenge_id
    assert len(mails(session, category="login_code")) == 4


def test_five_wrong_codes_end_the_challenge(session: Session, clock: Clock) -> None:
    make_user(session)
    challenge_id = accepted(sign_in_with(session, clock)).challenge_id
    code = latest_code(session)
    wrong = other_code(code)

    answers = [verify(session, clock, challenge_id, wrong) for _ in range(4)]
    fifth = verify(session, clock, challenge_id, wrong)

    assert [a.attempts_left for a in answers if isinstance(a, CodeRejected)] == [4, 3, 2, 1]
    assert "not correct" in answers[0].message
    assert fifth == ChallengeEnded("too_many_attempts")
    assert verify(session, clock, challenge_id, code) == ChallengeEnded("too_many_attempts")
    assert resend(session, clock, challenge_id).sent is False


def test_something_that_is_not_a_code_is_not_counted(session: Session, clock: Clock) -> None:
    make_user(session)
    challenge_id = accepted(sign_in_with(session, clock)).challenge_id

    outcome = verify(session, clock, challenge_id, "12ab")

    assert outcome == CodeRejected(sign_in.CODE_FORMAT, attempts_left=5)
    assert isinstance(verify(session, clock, challenge_id, latest_code(session)), CodeAccepted)


def test_an_unknown_challenge_has_ended(session: Session, clock: Clock) -> None:
    assert verify(session, clock, 999_999, "123456") == ChallengeEnded("unknown")
    assert resend(session, clock, 999_999).sent is False


def test_a_new_sign_in_supersedes_the_previous_challenge(session: Session, clock: Clock) -> None:
    make_user(session)
    first = accepted(sign_in_with(session, clock)).challenge_id
    first_code = latest_code(session)
    second = accepted(sign_in_with(session, clock)).challenge_id

    assert second != first
    assert verify(session, clock, first, first_code) == ChallengeEnded("unknown")
    assert isinstance(verify(session, clock, second, latest_code(session)), CodeAccepted)


# ---- the password step -----------------------------------------------------------------------


def test_unknown_email_and_wrong_password_get_the_same_answer_and_the_same_work(
    session: Session, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(session)
    checks: list[int] = []
    real_checkpw = bcrypt.checkpw

    def counting_checkpw(password: bytes, hashed: bytes) -> bool:
        checks.append(1)
        return real_checkpw(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting_checkpw)

    unknown = sign_in_with(session, clock, email="nobody@school.org")
    checks_for_unknown = len(checks)
    wrong = sign_in_with(session, clock, password=OTHER_PASSWORD)

    assert unknown == wrong == PasswordRejected("Enter a correct email address and password")
    assert checks_for_unknown == 1
    assert len(checks) == 2
    assert mails(session) == []


def test_at_the_real_cost_the_dummy_check_is_as_slow_as_a_real_one(
    session: Session, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one test at bcrypt cost 12: the unknown-address check must use the same cost as stored hashes."""
    monkeypatch.setattr(passwords, "BCRYPT_COST", 12)
    make_user(session)
    costs: list[int | None] = []
    real_checkpw = bcrypt.checkpw

    def recording_checkpw(password: bytes, hashed: bytes) -> bool:
        costs.append(passwords.hash_cost(hashed.decode("ascii")))
        return real_checkpw(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", recording_checkpw)

    sign_in_with(session, clock, email="nobody@school.org")
    sign_in_with(session, clock, password=OTHER_PASSWORD)

    assert costs == [12, 12]


def test_a_hash_made_at_an_older_cost_is_upgraded_at_the_next_right_password(
    session: Session, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(session)  # at cost 4 (fast_bcrypt)
    monkeypatch.setattr(passwords, "BCRYPT_COST", 5)

    sign_in_with(session, clock, password=OTHER_PASSWORD)
    session.refresh(user)
    assert passwords.hash_cost(user.password_hash or "") == 4  # a wrong password changes nothing

    assert isinstance(sign_in_with(session, clock), PasswordAccepted)
    session.refresh(user)
    assert passwords.hash_cost(user.password_hash or "") == 5
    assert passwords.verify_password(PASSWORD, user.password_hash or "", pepper=passwords.password_pepper(SETTINGS))


def test_an_unverified_address_is_mentioned_only_after_the_right_password(session: Session, clock: Clock) -> None:
    make_user(session, verified=False)

    wrong = sign_in_with(session, clock, password=OTHER_PASSWORD)
    right = sign_in_with(session, clock)

    assert wrong == PasswordRejected(sign_in.WRONG_EMAIL_OR_PASSWORD)
    assert right == EmailNotVerified(email=EMAIL)
    assert mails(session, category="login_code") == []
    assert session.exec(select(LoginChallenge)).all() == []


def test_a_disabled_account_is_refused_like_a_wrong_password(session: Session, clock: Clock) -> None:
    make_user(session, active=False)

    assert sign_in_with(session, clock) == PasswordRejected(sign_in.WRONG_EMAIL_OR_PASSWORD)
    assert mails(session) == []


def test_a_staff_account_without_a_password_yet_cannot_sign_in(session: Session, clock: Clock) -> None:
    make_user(session, password=None, role="caseworker")

    assert sign_in_with(session, clock, password="") == PasswordRejected(sign_in.WRONG_EMAIL_OR_PASSWORD)


def test_the_address_is_matched_in_its_normal_form(session: Session, clock: Clock) -> None:
    make_user(session)

    assert isinstance(sign_in_with(session, clock, email="  Alice.Okafor@School.ORG "), PasswordAccepted)


# ---- throttling ------------------------------------------------------------------------------


def fail(session: Session, clock: Clock, times: int, *, email: str = EMAIL, ip: str = IP) -> list[object]:
    return [sign_in_with(session, clock, email=email, password=OTHER_PASSWORD, ip=ip) for _ in range(times)]


def test_five_failures_slow_the_account_with_a_doubling_wait_and_one_email(session: Session, clock: Clock) -> None:
    make_user(session)

    assert all(isinstance(outcome, PasswordRejected) for outcome in fail(session, clock, 5))
    locked = sign_in_with(session, clock)  # even the right password
    assert locked == AccountLocked(retry_after_seconds=2, scope="account")
    [notice] = mails(session, category="sign_in_locked")
    assert notice.to_address == EMAIL
    assert "reset your password" in notice.text_body
    assert "https://portal.example.gov.uk/forgotten-password" in notice.text_body

    waits = []
    for _ in range(4):
        clock.advance(seconds=locked.retry_after_seconds)
        assert isinstance(fail(session, clock, 1)[0], PasswordRejected)
        locked = sign_in_with(session, clock)
        assert isinstance(locked, AccountLocked)
        waits.append(locked.retry_after_seconds)

    assert waits == [4, 8, 16, 32]
    assert len(mails(session, category="sign_in_locked")) == 1  # once per lock
    assert mails(session, category="login_code") == []
    clock.advance(seconds=waits[-1])
    assert isinstance(sign_in_with(session, clock), PasswordAccepted)


def test_the_wait_grows_but_is_capped_at_a_minute_so_it_is_never_a_lock_out() -> None:
    waits = [sign_in_throttle.wait_after(n) for n in range(1, 200)]

    assert waits[:4] == [timedelta(0)] * 4
    assert waits[4:9] == [timedelta(seconds=s) for s in (2, 4, 8, 16, 32)]
    assert max(waits) == timedelta(minutes=1)
    assert waits[-1] == timedelta(minutes=1)


def test_a_colleague_guessing_all_day_cannot_keep_the_owner_out(session: Session, clock: Clock) -> None:
    make_user(session)
    # Someone on the same office network fails as fast as the throttle lets them, for hours.
    for _ in range(300):
        outcome = sign_in_with(session, clock, password=OTHER_PASSWORD, ip="")  # (no IP limit: worst case)
        clock.advance(seconds=outcome.retry_after_seconds if isinstance(outcome, AccountLocked) else 1)

    assert isinstance(sign_in_with(session, clock, password=OTHER_PASSWORD, ip=""), PasswordRejected)

    owner = sign_in_with(session, clock, ip="")  # straight after the colleague's latest failure
    assert isinstance(owner, AccountLocked) and owner.retry_after_seconds <= 60  # a delay, not a lock-out
    clock.advance(seconds=owner.retry_after_seconds)
    assert isinstance(sign_in_with(session, clock, ip=""), PasswordAccepted)


def test_lock_messages_say_whether_it_is_the_account_or_the_network() -> None:
    account_wait = sign_in.lock_message(AccountLocked(retry_after_seconds=8, scope="account"))
    network_wait = sign_in.lock_message(AccountLocked(retry_after_seconds=600, scope="ip"))

    assert account_wait == "Too many wrong passwords for this account. Wait 8 seconds, then try again."
    assert "network" in network_wait and "not about your account" in network_wait and "10 minutes" in network_wait


def test_attempts_while_locked_are_not_checked_or_counted(session: Session, clock: Clock) -> None:
    make_user(session)
    fail(session, clock, 5)

    for _ in range(10):
        assert isinstance(sign_in_with(session, clock, password=OTHER_PASSWORD), AccountLocked)
    clock.advance(seconds=2)

    assert isinstance(sign_in_with(session, clock), PasswordAccepted)


def test_a_quiet_quarter_of_an_hour_after_the_wait_starts_the_count_again(session: Session, clock: Clock) -> None:
    make_user(session)
    fail(session, clock, 5)
    clock.advance(minutes=1, seconds=15 * 60 + 1)

    fail(session, clock, 4)

    assert isinstance(sign_in_with(session, clock), PasswordAccepted)


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(session: Session, clock: Clock) -> None:
    make_user(session)
    for _ in range(6):
        fail(session, clock, 1)
        clock.advance(minutes=4)

    assert isinstance(sign_in_with(session, clock), PasswordAccepted)


def test_changing_ip_does_not_reset_the_account_count(session: Session, clock: Clock) -> None:
    make_user(session)
    for number in range(5):
        fail(session, clock, 1, ip=f"198.51.100.{number}")

    outcome = sign_in_with(session, clock, ip="203.0.113.99")

    assert isinstance(outcome, AccountLocked) and outcome.scope == "account"


def test_unknown_addresses_lock_too_so_a_lock_reveals_nothing(session: Session, clock: Clock) -> None:
    fail(session, clock, 5, email="nobody@school.org")

    outcome = sign_in_with(session, clock, email="nobody@school.org")

    assert outcome == AccountLocked(retry_after_seconds=2, scope="account")
    assert mails(session) == []


def test_one_ip_is_refused_after_fifty_failures_across_accounts(session: Session, clock: Clock) -> None:
    make_user(session)
    for number in range(50):
        fail(session, clock, 1, email=f"guess{number}@school.org", ip="203.0.113.7")

    from_that_ip = sign_in_with(session, clock, ip="203.0.113.7")
    from_elsewhere = sign_in_with(session, clock, ip="203.0.113.8")

    assert isinstance(from_that_ip, AccountLocked) and from_that_ip.scope == "ip"
    assert 0 < from_that_ip.retry_after_seconds <= 15 * 60
    assert isinstance(from_elsewhere, PasswordAccepted)


def test_an_ipv6_client_is_counted_by_its_slash_64(session: Session, clock: Clock) -> None:
    make_user(session)
    for number in range(50):
        fail(session, clock, 1, email=f"guess{number}@school.org", ip=f"2001:db8:1:2::{number + 1:x}")

    outcome = sign_in_with(session, clock, ip="2001:db8:1:2:ffff::1")

    assert isinstance(outcome, AccountLocked) and outcome.scope == "ip"


def test_a_completed_sign_in_clears_the_account_failures(session: Session, clock: Clock) -> None:
    make_user(session)
    fail(session, clock, 4)
    challenge_id = accepted(sign_in_with(session, clock)).challenge_id
    assert isinstance(verify(session, clock, challenge_id, latest_code(session)), CodeAccepted)

    fail(session, clock, 4)

    assert isinstance(sign_in_with(session, clock), PasswordAccepted)


def test_a_right_password_without_the_code_does_not_clear_failures(session: Session, clock: Clock) -> None:
    make_user(session)
    fail(session, clock, 4)
    accepted(sign_in_with(session, clock))

    fail(session, clock, 1)

    assert isinstance(sign_in_with(session, clock), AccountLocked)


def test_guessing_codes_counts_against_the_account(session: Session, clock: Clock) -> None:
    make_user(session)
    fail(session, clock, 4)
    challenge_id = accepted(sign_in_with(session, clock)).challenge_id
    wrong = other_code(latest_code(session))

    for _ in range(5):
        verify(session, clock, challenge_id, wrong)

    assert isinstance(sign_in_with(session, clock), AccountLocked)
    assert len(mails(session, category="sign_in_locked")) == 1


# ---- authenticator app -----------------------------------------------------------------------


def with_app(session: Session, clock: Clock) -> tuple[UserAccount, str, list[str]]:
    user = make_user(session)
    secret, _uri = account.start_totp_setup(session, user_id=user.id, settings=SETTINGS)
    codes = account.confirm_totp(
        session, user_id=user.id, secret=secret, code=pyotp.TOTP(secret).at(clock()), settings=SETTINGS, clock=clock
    )
    session.commit()
    clock.advance(seconds=30)  # the setup code's step is spent
    return user, secret, codes


def test_with_an_app_no_code_is_emailed_and_the_app_code_signs_in(session: Session, clock: Clock) -> None:
    user, secret, _codes = with_app(session, clock)

    outcome = accepted(sign_in_with(session, clock))

    assert outcome.method == "totp"
    assert mails(session, category="login_code") == []
    assert verify(session, clock, outcome.challenge_id, pyotp.TOTP(secret).at(clock())) == CodeAccepted(user.id)


def test_an_app_code_works_once_even_within_its_window(session: Session, clock: Clock) -> None:
    _user, secret, _codes = with_app(session, clock)
    code = pyotp.TOTP(secret).at(clock())
    first = accepted(sign_in_with(session, clock)).challenge_id
    assert isinstance(verify(session, clock, first, code), CodeAccepted)

    second = accepted(sign_in_with(session, clock)).challenge_id
    clock.advance(seconds=20)  # still inside the accepted window

    assert isinstance(verify(session, clock, second, code), CodeRejected)


def test_the_previous_and_next_steps_are_accepted_but_not_further(session: Session, clock: Clock) -> None:
    _user, secret, _codes = with_app(session, clock)
    app = pyotp.TOTP(secret)
    challenge_id = accepted(sign_in_with(session, clock)).challenge_id
    clock.advance(seconds=120)

    assert isinstance(verify(session, clock, challenge_id, app.at(clock() - timedelta(seconds=90))), CodeRejected)
    assert isinstance(verify(session, clock, challenge_id, app.at(clock() - timedelta(seconds=30))), CodeAccepted)


def test_a_recovery_code_signs_in_once_and_the_owner_is_told(session: Session, clock: Clock) -> None:
    user, _secret, codes = with_app(session, clock)
    first = accepted(sign_in_with(session, clock)).challenge_id

    assert verify(session, clock, first, codes[0].upper().replace("-", " ")) == CodeAccepted(user.id)
    [notice] = mails(session, category="two_factor_recovery_code_used")
    assert "9 unused recovery codes" in notice.text_body

    second = accepted(sign_in_with(session, clock)).challenge_id
    assert isinstance(verify(session, clock, second, codes[0]), CodeRejected)
    assert isinstance(verify(session, clock, second, codes[1]), CodeAccepted)
    used = session.exec(select(RecoveryCode).where(col(RecoveryCode.used_at).is_not(None))).all()
    assert len(used) == 2


def test_five_wrong_app_codes_end_the_challenge(session: Session, clock: Clock) -> None:
    _user, secret, _codes = with_app(session, clock)
    challenge_id = accepted(sign_in_with(session, clock)).challenge_id
    right = pyotp.TOTP(secret).at(clock())
    wrong = other_code(right)

    for _ in range(4):
        assert isinstance(verify(session, clock, challenge_id, wrong), CodeRejected)

    assert verify(session, clock, challenge_id, wrong) == ChallengeEnded("too_many_attempts")
    assert verify(session, clock, challenge_id, right) == ChallengeEnded("too_many_attempts")
