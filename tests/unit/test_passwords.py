"""Password policy (NIST 800-63B / NCSC) and peppered bcrypt hashing."""

from __future__ import annotations

import pytest

from sen_portal.config import settings_from_env
from sen_portal.services import passwords
from sen_portal.services.passwords import (
    HAS_CONTEXT,
    TOO_COMMON,
    TOO_LONG,
    TOO_SHORT,
    hash_password,
    password_errors,
    password_rule_status,
    verify_dummy,
    verify_password,
)

pytestmark = pytest.mark.unit

CONTEXT = ["alice.smith@school.org", "Alice", "Okafor"]
GOOD = "correct horse battery staple"


def long_text(length: int) -> str:
    """Non-repeating, non-dictionary text of exactly ``length`` characters."""
    return "".join(f"lamp{i}-" for i in range(length))[:length]


# ---- deny list ----------------------------------------------------------------------------


def test_deny_list_is_large_and_loaded_once() -> None:
    listed = passwords.common_passwords()
    assert len(listed) >= 10_000
    assert passwords.common_passwords() is listed
    assert "password1234" in listed


@pytest.mark.parametrize(
    "password",
    [
        "password1234",  # in the list as is
        "PASSWORD1234",  # case does not help
        "Liverpool2024!",  # a listed word with digits and symbols around it
        "iloveyou1234",
        "qwertyuiopasdf",  # keyboard run
        "123456789012",  # digit run
        "zyxwvutsrqponm",  # alphabet backwards
        "aaaaaaaaaaaa",  # one character
        "abcabcabcabc",  # a repeated unit
        "stoke city fan forever",  # the service's own words
        "my portal login 2024",
        "ｐａｓｓｗｏｒｄ１２３４",  # full-width: NFKC makes it password1234
    ],
)
def test_common_passwords_are_refused(password: str) -> None:
    assert TOO_COMMON in password_errors(password, context_words=[])


@pytest.mark.parametrize("password", [GOOD, "Tr0ub4dor&3xyz", "bobcat-lantern-river", "sen and the city of tea"])
def test_unusual_passwords_are_accepted(password: str) -> None:
    assert password_errors(password, context_words=CONTEXT) == []


# ---- length ---------------------------------------------------------------------------------


def test_length_limits_are_12_to_128() -> None:
    assert password_errors(long_text(11), context_words=[]) == [TOO_SHORT]
    assert password_errors(long_text(12), context_words=[]) == []
    assert password_errors(long_text(128), context_words=[]) == []
    assert password_errors(long_text(129), context_words=[]) == [TOO_LONG]


def test_length_is_counted_after_nfkc() -> None:
    # "ﬁ" is one code point that NFKC turns into "fi": 11 typed, 12 counted.
    typed = "ﬁrst tram h"
    assert len(typed) == 11
    assert password_errors(typed, context_words=[]) == []


def test_empty_password_asks_for_one() -> None:
    assert password_errors("", context_words=[]) == ["Enter a password"]


def test_messages_are_the_govuk_wording() -> None:
    assert TOO_SHORT == "Password must be 12 characters or more"
    assert TOO_LONG == "Password must be 128 characters or fewer"
    assert TOO_COMMON == "Password is too common – choose one that is harder to guess"
    assert HAS_CONTEXT == "Password must not contain your name or email address"


# ---- context words --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "ThisIsAliceLongPassphrase",  # first name, any case
        "okafor rides the bus",  # last name
        "the smith family tree",  # a piece of the email local part
        "alice.smith went walking",  # the whole local part
        "aliceSMITH-walks-far",  # the local part without its dot
        "a.l.i.c.e-maple-tree",  # separators inside do not hide it
    ],
)
def test_names_and_email_are_refused(password: str) -> None:
    assert password_errors(password, context_words=CONTEXT) == [HAS_CONTEXT]


def test_short_names_do_not_block_passwords() -> None:
    # "Bo" and "Al" are under 3 characters: refusing them would refuse far too much.
    assert password_errors("bobcat-lantern-river", context_words=["Bo", "Al", "al@x.org"]) == []
    assert password_errors("bobcat-lantern-river", context_words=["Bob"]) == [HAS_CONTEXT]


def test_the_email_domain_is_not_a_context_word() -> None:
    assert password_errors("my school bus is yellow", context_words=["jo@school.org"]) == []


# ---- checklist ------------------------------------------------------------------------------


def test_rule_status_lists_every_rule_in_order() -> None:
    rules = password_rule_status(GOOD, context_words=CONTEXT)
    assert [rule.key for rule in rules] == ["length", "common", "context"]
    assert [rule.label for rule in rules] == [
        "12 to 128 characters",
        "Not a commonly used password",
        "Does not contain your name or email address",
    ]
    assert all(rule.met for rule in rules)


def test_rule_status_starts_unticked_and_tracks_each_rule() -> None:
    assert not any(rule.met for rule in password_rule_status("", context_words=CONTEXT))
    status = {rule.key: rule.met for rule in password_rule_status("password1234", context_words=CONTEXT)}
    assert status == {"length": True, "common": False, "context": True}
    status = {rule.key: rule.met for rule in password_rule_status("okafor", context_words=CONTEXT)}
    assert status == {"length": False, "common": True, "context": False}


# ---- hashing --------------------------------------------------------------------------------


def test_hash_and_verify_with_the_real_cost() -> None:
    assert passwords.BCRYPT_COST == 12
    stored = hash_password(GOOD, pepper="pepper-one")
    assert stored.startswith("$2b$12$") and len(stored) == 60
    assert GOOD not in stored
    assert verify_password(GOOD, stored, pepper="pepper-one")
    assert not verify_password(GOOD + "!", stored, pepper="pepper-one")
    assert not verify_password(GOOD, stored, pepper="pepper-two")
    assert not passwords.needs_rehash(stored)


def test_hashes_are_salted(fast_bcrypt: None) -> None:
    assert hash_password(GOOD, pepper="p") != hash_password(GOOD, pepper="p")


def test_passwords_longer_than_72_bytes_are_not_truncated(fast_bcrypt: None) -> None:
    # bcrypt alone would ignore everything after byte 72, making these two the same password.
    first = "é" * 60 + "ending-one"  # 130 bytes in UTF-8
    second = "é" * 60 + "ending-two"
    stored = hash_password(first, pepper="p")
    assert verify_password(first, stored, pepper="p")
    assert not verify_password(second, stored, pepper="p")


def test_verification_uses_the_nfkc_form(fast_bcrypt: None) -> None:
    stored = hash_password("password1234 but longer", pepper="p")
    assert verify_password("ｐａｓｓｗｏｒｄ１２３４ but longer", stored, pepper="p")


def test_unusable_stored_hashes_never_verify(fast_bcrypt: None) -> None:
    assert not verify_password(GOOD, "", pepper="p")
    assert not verify_password(GOOD, "not-a-bcrypt-hash", pepper="p")
    assert not verify_password(GOOD, "$2b$04$" + "é" * 53, pepper="p")


def test_dummy_verification_fails_at_the_current_cost(fast_bcrypt: None) -> None:
    assert verify_dummy(GOOD, pepper="p") is False
    assert passwords._dummy_hash(passwords.BCRYPT_COST).startswith(b"$2b$04$")


def test_needs_rehash_when_the_cost_changes(fast_bcrypt: None, monkeypatch: pytest.MonkeyPatch) -> None:
    stored = hash_password(GOOD, pepper="p")
    assert passwords.hash_cost(stored) == 4
    assert not passwords.needs_rehash(stored)
    monkeypatch.setattr(passwords, "BCRYPT_COST", 5)
    assert passwords.needs_rehash(stored)
    assert passwords.needs_rehash("garbage")


def test_pepper_comes_from_the_secret_key() -> None:
    one = settings_from_env({"SECRET_KEY": "a" * 40})
    two = settings_from_env({"SECRET_KEY": "b" * 40})
    pepper = passwords.password_pepper(one)
    assert pepper == passwords.password_pepper(one)
    assert pepper != passwords.password_pepper(two)
    assert "a" * 40 not in pepper and len(pepper) == 64
