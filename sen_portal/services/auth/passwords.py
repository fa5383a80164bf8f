"""Password policy and hashing (NIST SP 800-63B, NCSC guidance).

Policy: 12 to 128 characters after NFKC normalisation, not a common password,
and not containing the user's own name or email address. No composition rules
(NIST 800-63B §3.1.1.2: they push people to predictable patterns).

Hashing: bcrypt (cost 12) over ``base64(HMAC-SHA256(pepper, NFKC(password)))``.
The pre-hash lets any length through bcrypt's 72-byte limit and means a stolen
database alone cannot be cracked without the pepper, which lives in settings.
bcrypt at cost 12 takes ≈0.3 s of CPU: callers on the event loop must run
``hash_password``/``verify_password``/``verify_dummy`` in ``asyncio.to_thread``.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import re
import secrets
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bcrypt

from sen_portal.config import Settings

BCRYPT_COST = 12  # tests may monkeypatch this lower for speed; production keeps 12
MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_CONTEXT_WORD = 3  # shorter names ("Al", "Ng") would refuse far too many passwords

DENY_LIST_PATH = Path(__file__).resolve().parents[2] / "data" / "common-passwords.txt.gz"

# Words everyone could guess for this service (NIST: "context-specific words, such as the name
# of the service"). Treated as "too common" rather than "your name" so the message fits.
# "sen" itself is too short: it would refuse "present", "chosen", "sense" ...
SERVICE_WORDS = ("password", "portal", "council", "stoke")

# Keyboard rows/columns, alphabet and digit runs, each also read backwards.
_RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890123456789",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertyuiop[]asdfghjkl;'#zxcvbnm,./",
    "1234567890-=qwertyuiop[]asdfghjkl;'#zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1q2w3e4r5t6y7u8i9o0p",
)
SEQUENCES = tuple(run + run for run in _RUNS) + tuple((run + run)[::-1] for run in _RUNS)
_EDGE_CHARACTERS = string.digits + string.punctuation + string.whitespace + "£€"

LENGTH_RULE = "length"
COMMON_RULE = "common"
CONTEXT_RULE = "context"


@dataclass(frozen=True)
class RuleStatus:
    """One line of the live checklist shown under the password field."""

    key: str
    label: str
    met: bool


RULE_LABELS = {
    LENGTH_RULE: f"{MIN_LENGTH} to {MAX_LENGTH} characters",
    COMMON_RULE: "Not a commonly used password",
    CONTEXT_RULE: "Does not contain your name or email address",
}

ENTER_PASSWORD = "Enter a password"  # noqa: S105 - an error message
TOO_SHORT = f"Password must be {MIN_LENGTH} characters or more"
TOO_LONG = f"Password must be {MAX_LENGTH} characters or fewer"
TOO_COMMON = "Password is too common – choose one that is harder to guess"
HAS_CONTEXT = "Password must not contain your name or email address"


def normalise(password: str) -> str:
    """NFKC, so the same password typed on any keyboard (full-width, ligatures) is the same."""
    return unicodedata.normalize("NFKC", password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The deny list (see sen_portal/data/README.md), loaded once per process."""
    with gzip.open(DENY_LIST_PATH, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def context_tokens(context_words: Iterable[str]) -> frozenset[str]:
    """Lower-cased pieces of the user's names and email local part worth refusing.

    "Mary-Jane O'Neil", "mj.oneil@school.org" -> mary-jane, mary, jane, maryjane,
    o'neil, oneil, mj.oneil ... (pieces of at least 3 characters).
    """
    tokens: set[str] = set()
    for raw in context_words:
        value = normalise(raw or "").casefold().strip()
        if "@" in value:
            value = value.rsplit("@", 1)[0]
        parts = [part for part in re.split(r"[\W_]+", value) if part]
        for candidate in (value, "".join(parts), *parts):
            if len(candidate) >= MIN_CONTEXT_WORD:
                tokens.add(candidate)
    return frozenset(tokens)


def _is_common(password: str) -> bool:
    folded = password.casefold()
    compact = re.sub(r"\s+", "", folded)
    if not compact:
        return True
    deny = common_passwords()
    # A listed password with digits or symbols around it ("Liverpool2024!") is just as guessable.
    core = compact.strip(_EDGE_CHARACTERS)
    if folded.strip() in deny or compact in deny or (core and core in deny):
        return True
    if any(word in compact for word in SERVICE_WORDS):
        return True
    if len(set(compact)) <= 3 or re.fullmatch(r"(.+?)\1+", compact):
        return True  # "aaaaaaaaaaaa", "abcabcabcabc", "qwertyqwerty"
    unseparated = re.sub(r"[-_.]", "", compact)
    return any(unseparated in run for run in SEQUENCES)


def _has_context(password: str, context_words: Iterable[str]) -> bool:
    folded = password.casefold()
    unseparated = re.sub(r"[\W_]+", "", folded)
    return any(token in folded or token in unseparated for token in context_tokens(context_words))


def password_rule_status(password: str, *, context_words: Iterable[str]) -> list[RuleStatus]:
    """Each rule and whether ``password`` meets it, in display order (for the live checklist).

    An empty password meets nothing, so the checklist starts with every box unticked.
    """
    value = normalise(password or "")
    given = bool(value)
    words = list(context_words)
    met = {
        LENGTH_RULE: MIN_LENGTH <= len(value) <= MAX_LENGTH,
        COMMON_RULE: given and not _is_common(value),
        CONTEXT_RULE: given and not _has_context(value, words),
    }
    return [RuleStatus(key=key, label=label, met=met[key]) for key, label in RULE_LABELS.items()]


def password_errors(password: str, *, context_words: Iterable[str]) -> list[str]:
    """GOV.UK error messages for every rule broken, most important first ([] when acceptable)."""
    value = normalise(password or "")
    if not value:
        return [ENTER_PASSWORD]
    errors: list[str] = []
    if len(value) < MIN_LENGTH:
        errors.append(TOO_SHORT)
    elif len(value) > MAX_LENGTH:
        errors.append(TOO_LONG)
    if _has_context(value, list(context_words)):
        errors.append(HAS_CONTEXT)
    if _is_common(value):
        errors.append(TOO_COMMON)
    return errors


# ---- hashing ------------------------------------------------------------------------------


def password_pepper(settings: Settings) -> str:
    """The pepper for the pre-hash, derived from SECRET_KEY.

    Changing SECRET_KEY therefore invalidates every stored password: everyone has to
    reset theirs. That is the point of a pepper, but operators must know it.
    """
    return hmac.new(settings.secret_key.encode("utf-8"), b"password-pepper", hashlib.sha256).hexdigest()


def _prehash(password: str, pepper: str) -> bytes:
    digest = hmac.new(pepper.encode("utf-8"), normalise(password).encode("utf-8"), hashlib.sha256).digest()
    # base64: 44 ASCII bytes, no NUL bytes (bcrypt stops at NUL), well under bcrypt's 72.
    return base64.b64encode(digest)


def hash_password(password: str, *, pepper: str) -> str:
    """A bcrypt hash (60 characters) of the peppered pre-hash. Slow by design: run off the event loop."""
    return bcrypt.hashpw(_prehash(password, pepper), bcrypt.gensalt(rounds=BCRYPT_COST)).decode("ascii")


def verify_password(password: str, stored_hash: str, *, pepper: str) -> bool:
    """True when ``password`` matches; bcrypt compares in constant time. Slow: run off the event loop."""
    if not stored_hash:
        return verify_dummy(password, pepper=pepper)
    try:
        return bcrypt.checkpw(_prehash(password, pepper), stored_hash.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False  # not a bcrypt hash (corrupt row): treat as a wrong password


@lru_cache(maxsize=4)
def _dummy_hash(cost: int) -> bytes:
    return bcrypt.hashpw(secrets.token_bytes(32).hex().encode("ascii"), bcrypt.gensalt(rounds=cost))


def verify_dummy(password: str, *, pepper: str) -> bool:
    """Spend the time a real check takes, for an unknown account, and return False.

    Without it "no such email" answers in microseconds and "wrong password" in 0.3 s,
    which tells an attacker which addresses have accounts.
    """
    bcrypt.checkpw(_prehash(password, pepper), _dummy_hash(BCRYPT_COST))
    return False


def hash_cost(stored_hash: str) -> int | None:
    """The bcrypt cost recorded in ``stored_hash`` ("$2b$12$..." -> 12), or None if unreadable."""
    match = re.fullmatch(r"\$2[abxy]\$(\d\d)\$[./A-Za-z0-9]{53}", stored_hash or "")
    return int(match.group(1)) if match else None


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with another cost (rehash after a successful sign-in)."""
    return hash_cost(stored_hash) != BCRYPT_COST
