"""Email-link tokens: random, URL-safe, stored as SHA-256."""

from __future__ import annotations

import hashlib

import pytest

from sen_portal.services.platform.tokens import hash_token, looks_like_token, new_token

pytestmark = pytest.mark.unit


def test_new_tokens_are_url_safe_43_characters_and_unique() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(token) == 43
        assert looks_like_token(token)


def test_hash_is_sha256_hex_and_not_the_token() -> None:
    token = new_token()
    digest = hash_token(token)
    assert digest == hashlib.sha256(token.encode()).hexdigest()
    assert len(digest) == 64 and token not in digest
    assert hash_token(token) == digest
    assert hash_token(new_token()) != digest


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "A" * 42,  # a link cut short by a mail client
        "A" * 44,
        "A" * 42 + "+",  # standard base64, not URL-safe
        "A" * 42 + "=",
        " " + "A" * 42,
        "A" * 42 + "\n",
        None,
        12345,
    ],
)
def test_malformed_tokens_are_recognised(raw: object) -> None:
    assert not looks_like_token(raw)


def test_a_well_formed_token_need_not_come_from_us() -> None:
    assert looks_like_token("A" * 43)
