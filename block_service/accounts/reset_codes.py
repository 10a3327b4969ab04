"""Password reset without SMS or email: staff issue a one-time code after checking identity in person."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from block_service import clock
from block_service.accounts.passwords import check_password
from block_service.accounts.schemas import IssuedResetCode, ResetForm, Viewer
from block_service.accounts.signing_in import hash_password, normalise_contact
from block_service.accounts.tables import Person, ResetCode
from block_service.audit.services import record_change
from block_service.db import write_transaction
from block_service.errors import Forbidden, FormInvalid, Invalid, NotFound
from block_service.i18n import N_

CODE_LIFETIME = dt.timedelta(hours=24)
# Wrong codes typed for one person before their code stops working (a new one must be issued).
MAX_FAILURES = 5
# No 0/O, 1/I/L: the code is read out and typed by hand. 10 characters of 31: about 50 bits.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
WRONG_CODE = N_("This code is wrong, used or expired. Ask the workstation for a new one.")


def _normalised(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


async def issue_reset_code(staff: Viewer, person_id: int) -> IssuedResetCode:
    """A new code for the person (any earlier unused one stops working); shown once, kept hashed, audited."""
    if not staff.is_staff:
        raise Forbidden("Only the workstation staff may do this.")
    now = clock.now()
    code = _new_code()
    expires_at = now + CODE_LIFETIME
    async with write_transaction():
        person = await Person.select(Person.id, Person.erased_at).where(Person.id == person_id).first()
        if person is None or person["erased_at"] is not None:
            raise NotFound("No such person.")
        await ResetCode.update({ResetCode.used_at: now}).where(
            (ResetCode.person == person_id) & ResetCode.used_at.is_null()
        )
        await ResetCode.insert(
            ResetCode(
                person=person_id,
                code_hash=_digest(code),
                issued_by=staff.person_id,
                created_at=now,
                expires_at=expires_at,
            )
        )
        await record_change(
            actor_id=staff.person_id,
            action="account.reset_code_issued",
            object_type="person",
            object_id=person_id,
            after={"expires_at": expires_at.isoformat()},
        )
    return IssuedResetCode(code=code, expires_at=expires_at)


async def reset_password(form: ResetForm) -> int:
    """Set a new password with a code; every session of the person ends. Returns the person's id.

    Whatever is wrong (no such account, no code, a wrong, used or expired code, the code of someone else)
    gets the same answer, so the form tells nobody which accounts exist or hold a code."""
    if form.new_password != form.new_password_again:
        raise FormInvalid({"new_password_again": N_("The two passwords differ.")})
    try:
        email, phone = normalise_contact(form.contact)
    except Invalid:
        raise FormInvalid({"code": WRONG_CODE}) from None
    now = clock.now()
    person = (
        await Person.select(Person.id, Person.display_name, Person.email, Person.phone, Person.is_active)
        .where(Person.email == email if email else Person.phone == phone)
        .first()
    )
    if person is None:
        raise FormInvalid({"code": WRONG_CODE})
    check_password(
        form.new_password,
        field="new_password",
        display_name=person["display_name"],
        email=person["email"],
        phone=person["phone"],
    )
    new_hash = await hash_password(form.new_password)
    async with write_transaction():
        live = (
            await ResetCode.select(ResetCode.id, ResetCode.code_hash)
            .where(
                (ResetCode.person == person["id"])
                & ResetCode.used_at.is_null()
                & (ResetCode.expires_at > now)
                & (ResetCode.failures < MAX_FAILURES)
            )
            .first()
        )
        if live is not None and secrets.compare_digest(live["code_hash"], _digest(form.code)):
            used = (
                await ResetCode.update({ResetCode.used_at: now})
                .where((ResetCode.id == live["id"]) & ResetCode.used_at.is_null())
                .returning(ResetCode.id)
            )
            if used:
                await Person.update(
                    {Person.password_hash: new_hash, Person.session_version: Person.session_version + 1}
                ).where(Person.id == person["id"])
                await record_change(
                    actor_id=person["id"],
                    action="account.password_reset",
                    object_type="person",
                    object_id=person["id"],
                )
                return person["id"]
        elif live is not None:
            await ResetCode.update({ResetCode.failures: ResetCode.failures + 1}).where(ResetCode.id == live["id"])
    # Raised after the transaction: the failure counted above is kept, not rolled back with the refusal.
    raise FormInvalid({"code": WRONG_CODE})
