"""The second factor: TOTP secrets (pyotp), the QR code for the authenticator app, one-time recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno

from block_service import clock
from block_service.accounts.owner_notices import tell_account_owner
from block_service.accounts.tables import Person, RecoveryCode, TotpCredential
from block_service.audit.services import record_change
from block_service.db import write_transaction
from block_service.errors import Conflict, FormInvalid, Invalid, NotFound
from block_service.i18n import N_

ISSUER = "Lingyan block"
STEP_SECONDS = 30
# Codes of the previous and the next 30 s step are accepted too: phones' clocks drift.
DRIFT_STEPS = 1
RECOVERY_CODES = 10
# 10 characters of a 32-letter alphabet without look-alikes: 50 bits each, so one SHA-256 is enough to store.
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECOVERY_LENGTH = 10
TOTP_PATTERN = re.compile(r"^\d{6}$")


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, account_name: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> str:
    """The QR code as inline SVG markup, drawn on the server: no script, no outside service."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff", title=title)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def current_code(secret: str, at: float | None = None) -> str:
    return pyotp.TOTP(secret).at(int(at if at is not None else time.time()))


def _normalised(code: str) -> str:
    return re.sub(r"[\s\-]", "", code or "").upper()


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code this is, within the drift allowed; None when it matches none."""
    if not TOTP_PATTERN.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def _new_recovery_codes() -> list[str]:
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH)) for _ in range(RECOVERY_CODES)]
    return [f"{code[:5]}-{code[5:]}" for code in codes]


async def has_second_factor(person_id: int) -> bool:
    return await TotpCredential.exists().where(TotpCredential.person == person_id)


async def count_recovery_codes_left(person_id: int) -> int:
    return await RecoveryCode.count().where((RecoveryCode.person == person_id) & RecoveryCode.used_at.is_null())


async def verify_second_factor(person_id: int, code: str) -> bool:
    """True for a current authenticator code not used before, or an unused recovery code (then used up).

    Both are claimed with one conditional UPDATE, so two requests racing with the same code cannot both win."""
    code = _normalised(code)
    if TOTP_PATTERN.match(code):
        row = (
            await TotpCredential.select(TotpCredential.secret, TotpCredential.last_step)
            .where(TotpCredential.person == person_id)
            .first()
        )
        step = _matching_step(row["secret"], code) if row else None
        if step is None or step <= row["last_step"]:
            return False
        claimed = (
            await TotpCredential.update({TotpCredential.last_step: step})
            .where((TotpCredential.person == person_id) & (TotpCredential.last_step < step))
            .returning(TotpCredential.id)
        )
        return bool(claimed)
    if len(code) != RECOVERY_LENGTH:
        return False
    claimed = (
        await RecoveryCode.update({RecoveryCode.used_at: clock.now()})
        .where(
            (RecoveryCode.person == person_id)
            & (RecoveryCode.code_hash == _hash_recovery(code))
            & RecoveryCode.used_at.is_null()
        )
        .returning(RecoveryCode.id)
    )
    if claimed:
        await record_change(
            actor_id=person_id, action="account.recovery_code_used", object_type="person", object_id=person_id
        )
    return bool(claimed)


async def enable_second_factor(person_id: int, secret: str, code: str) -> list[str]:
    """Store the secret once the person typed a code from it; returns the recovery codes, shown this once."""
    step = _matching_step(secret, _normalised(code))
    if step is None:
        raise FormInvalid(
            {"code": N_("This code does not match. Check the time on your phone and type the code the app shows now.")}
        )
    codes = _new_recovery_codes()
    async with write_transaction():
        if await TotpCredential.exists().where(TotpCredential.person == person_id):
            raise Conflict("Your second factor is set up already.")
        await TotpCredential.insert(
            TotpCredential(person=person_id, secret=secret, last_step=step, enabled_at=clock.now())
        )
        await RecoveryCode.delete().where(RecoveryCode.person == person_id)
        await RecoveryCode.insert(*[RecoveryCode(person=person_id, code_hash=_hash_recovery(c)) for c in codes])
        await record_change(
            actor_id=person_id, action="account.totp_enabled", object_type="person", object_id=person_id
        )
    return codes


async def disable_second_factor(person_id: int, code: str) -> None:
    """Turn the second factor off; the caller has checked the password, this checks the code."""
    if not await verify_second_factor(person_id, code):
        raise FormInvalid({"code": N_("The code is wrong or has been used already.")})
    async with write_transaction():
        await forget_second_factor(person_id)
        await record_change(
            actor_id=person_id, action="account.totp_disabled", object_type="person", object_id=person_id
        )


async def forget_second_factor(person_id: int) -> None:
    """Inside the caller's transaction: the secret and every recovery code of the person go."""
    await TotpCredential.delete().where(TotpCredential.person == person_id)
    await RecoveryCode.delete().where(RecoveryCode.person == person_id)


async def reset_second_factor(staff_id: int, person_id: int) -> None:
    """Staff remove someone's lost authenticator: their sessions end and they set it up again at log-in."""
    if person_id == staff_id:
        raise Invalid("You cannot reset your own second factor; ask another staff member.")
    async with write_transaction():
        if not await Person.exists().where(Person.id == person_id):
            raise NotFound("No such person.")
        if not await TotpCredential.exists().where(TotpCredential.person == person_id):
            raise Conflict("This person has no second factor to reset.")
        await forget_second_factor(person_id)
        await Person.update({Person.session_version: Person.session_version + 1}).where(Person.id == person_id)
        await tell_account_owner(person_id, "totp_reset")
        await record_change(
            actor_id=staff_id,
            action="account.totp_reset",
            object_type="person",
            object_id=person_id,
            before={"second_factor": True},
            after={"second_factor": False},
        )


async def set_up_with_secret(person_id: int, secret: str) -> None:
    """Give an account a known secret without a code (the demo's staff and tests); never from a web form."""
    async with write_transaction():
        await TotpCredential.delete().where(TotpCredential.person == person_id)
        await TotpCredential.insert(
            TotpCredential(person=person_id, secret=secret, last_step=0, enabled_at=clock.now())
        )
