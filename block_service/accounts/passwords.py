"""Refuses common and guessable passwords (ASVS 6.2): zxcvbn's lists and patterns, a Chinese list, personal data."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from block_service.errors import FormInvalid
from block_service.i18n import N_

# zxcvbn's score: 0 too guessable (under 10^3 guesses), 1 very (10^6), 2 somewhat (10^8), 3 safely (10^10).
# 2 is what an online attacker held back by argon2, the log-in back-off and rate limits cannot reach.
MINIMUM_SCORE = 2
COMMON_LIST = Path(__file__).parent / "data" / "common-passwords-zh.txt"
PATTERN_KINDS = {"repeat", "sequence", "spatial", "date", "regex"}


@lru_cache(maxsize=1)
def _common_chinese() -> frozenset[str]:
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _personal_parts(display_name: str, email: str | None, phone: str | None) -> list[str]:
    parts = [display_name.strip().lower()] if len(display_name.strip()) >= 2 else []
    if phone:
        parts += [phone, phone[-8:]]  # the whole mobile number, or its last eight digits
    if email:
        local = email.split("@", 1)[0].lower()
        parts += [email.lower()] + ([local] if len(local) >= 3 else [])
    return parts


def password_problem(
    password: str, *, display_name: str = "", email: str | None = None, phone: str | None = None
) -> str | None:
    """Why this password is refused (a msgid, translated at the edge); None when it is good enough."""
    lowered = password.lower()
    if any(part and part in lowered for part in _personal_parts(display_name, email, phone)):
        return N_("The password must not contain your name, mobile number or email address.")
    if lowered in _common_chinese():
        return N_(
            "This is one of the most common passwords and would be guessed first. "
            "Choose a phrase of a few words only you would think of."
        )
    from zxcvbn import zxcvbn  # loads its word lists once, on first use

    user_inputs = [part for part in _personal_parts(display_name, email, phone) if part]
    result = zxcvbn(password[:72], user_inputs=user_inputs)
    if result["score"] >= MINIMUM_SCORE:
        return None
    sequence = result.get("sequence") or []
    if any(match.get("dictionary_name") == "passwords" for match in sequence):
        return N_(
            "This is one of the most common passwords and would be guessed first. "
            "Choose a phrase of a few words only you would think of."
        )
    if sequence and all(
        match.get("pattern") in PATTERN_KINDS or _is_digits(match.get("token", "")) for match in sequence
    ):
        return N_(
            "This password is a simple pattern (repeated characters, a sequence, keys next to each "
            "other or a date). Choose a phrase of a few words only you would think of."
        )
    return N_(
        "This password is too easy to guess. Make it longer, for example a phrase of a few words "
        "only you would think of."
    )


def _is_digits(token: str) -> bool:
    return bool(re.fullmatch(r"\d+", token))


def check_password(
    password: str, *, field: str, display_name: str = "", email: str | None = None, phone: str | None = None
) -> None:
    """Raise FormInvalid on this form field when the password would be easy to guess."""
    problem = password_problem(password, display_name=display_name, email=email, phone=phone)
    if problem:
        raise FormInvalid({field: problem})
