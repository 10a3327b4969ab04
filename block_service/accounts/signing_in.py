"""Signing up and signing in: contacts, password hashes, the second step and the failure back-off."""

from __future__ import annotations

import asyncio
import re
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from block_service import clock
from block_service.accounts.backoff import FREE_FAILURES, LoginBackoff
from block_service.accounts.notice import NOTICE_VERSION
from block_service.accounts.owner_notices import tell_account_owner
from block_service.accounts.passwords import check_password
from block_service.accounts.schemas import (
    LoginForm,
    SignedIn,
    SignUpForm,
)
from block_service.accounts.tables import Person, RoleGrant
from block_service.accounts.two_factor import has_second_factor, verify_second_factor
from block_service.audit.services import record_change
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, FormInvalid, Invalid
from block_service.i18n import N_
from block_service.names import is_tombstone_name

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")


# A hash of a random password, checked when no account matches, so a wrong contact costs the
# same time as a wrong password and does not reveal which accounts exist.
_DUMMY_PASSWORD = "not-a-real-password-for-timing"


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(_DUMMY_PASSWORD)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher().hash, password)


async def _verify_password(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher().verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def normalise_contact(contact: str) -> tuple[str | None, str | None]:
    """(email, phone) from what a person typed; raise Invalid when it is neither."""
    contact = contact.strip()
    if "@" in contact:
        if not EMAIL_PATTERN.match(contact):
            raise Invalid("Enter a valid email address or mobile number.", field="contact")
        return contact.lower(), None
    digits = re.sub(r"[\s\-]", "", contact)
    if digits.startswith("+86"):
        digits = digits[3:]
    if not MOBILE_PATTERN.match(digits):
        raise Invalid("Enter a valid email address or mobile number.", field="contact")
    return None, digits


async def _contact_taken(email: str | None, phone: str | None) -> bool:
    if email:
        return await Person.exists().where(Person.email == email)
    return await Person.exists().where(Person.phone == phone)


async def sign_up(form: SignUpForm, language: str) -> SignedIn:
    """Create a resident account; a second submit of the same form is refused, not duplicated."""
    if form.password != form.password_again:
        raise FormInvalid({"password_again": N_("The two passwords differ.")})
    if not form.accept_privacy:
        raise FormInvalid({"accept_privacy": N_("Please read the privacy notice and tick the box to accept it.")})
    _refuse_reserved_name(form.display_name)
    email, phone = normalise_contact(form.contact)
    check_password(form.password, field="password", display_name=form.display_name, email=email, phone=phone)
    password_hash = await hash_password(form.password)
    with duplicate_means(Conflict("An account with this email or mobile number already exists.", field="contact")):
        person_id = await _insert_resident(form.display_name, email, phone, password_hash, language)
    return SignedIn(person_id=person_id, session_version=1, language=language)


def _refuse_reserved_name(display_name: str) -> None:
    """The labels of deleted accounts are nobody's name: a live account taking one would pass for a tombstone."""
    if is_tombstone_name(display_name.strip()):
        raise FormInvalid({"display_name": N_("This name is reserved. Please choose another.")})


async def _insert_resident(
    display_name: str, email: str | None, phone: str | None, password_hash: str, language: str
) -> int:
    async with write_transaction():
        if await _contact_taken(email, phone):
            raise Conflict("An account with this email or mobile number already exists.", field="contact")
        now = clock.now()
        rows = await Person.insert(
            Person(
                display_name=display_name,
                email=email,
                phone=phone,
                password_hash=password_hash,
                language=language,
                created_at=now,
                privacy_version=NOTICE_VERSION,
                privacy_accepted_at=now,
            )
        ).returning(Person.id)
        person_id = rows[0]["id"]
        await RoleGrant.insert(RoleGrant(person=person_id, role="resident", granted_at=now))
        await record_change(
            actor_id=person_id,
            action="account.created",
            object_type="person",
            object_id=person_id,
            after={"display_name": display_name, "email": email, "phone": phone, "roles": ["resident"]},
        )
    return person_id


async def log_in(form: LoginForm, backoff: LoginBackoff) -> SignedIn:
    """Check the password; with a second factor set up, SignedIn.second_factor asks for the code next.

    A closed account (too many failures, see backoff.py) is refused before the password is looked at."""
    try:
        email, phone = normalise_contact(form.contact)
    except Invalid:
        email, phone = None, None
    account_key = email or phone or form.contact
    await backoff.check(account_key)
    row = None
    if email or phone:
        condition = Person.email == email if email else Person.phone == phone
        row = (
            await Person.select(
                Person.id, Person.password_hash, Person.is_active, Person.session_version, Person.language
            )
            .where(condition)
            .first()
        )
    if row is None:
        await _verify_password(_dummy_hash(), form.password)
        await _count_failure(backoff, account_key, None)
        raise Invalid("Wrong email, mobile number or password.")
    if not await _verify_password(row["password_hash"], form.password):
        await _count_failure(backoff, account_key, row["id"])
        raise Invalid("Wrong email, mobile number or password.")
    if not row["is_active"]:
        raise Forbidden("This account has been disabled. Please contact the workstation.")
    if _hasher().check_needs_rehash(row["password_hash"]):
        await Person.update({Person.password_hash: await hash_password(form.password)}).where(Person.id == row["id"])
    second_factor = await has_second_factor(row["id"])
    if not second_factor:
        await backoff.succeeded(account_key)
    return SignedIn(
        person_id=row["id"],
        session_version=row["session_version"],
        language=row["language"],
        second_factor=second_factor,
        account_key=account_key,
    )


async def log_in_second_step(pending: SignedIn, code: str, backoff: LoginBackoff) -> SignedIn:
    """The code from the authenticator app (or a recovery code) after the password; wrong codes count as
    failed log-ins of the account, like wrong passwords."""
    await backoff.check(pending.account_key)
    row = (
        await Person.select(Person.is_active, Person.session_version, Person.language)
        .where(Person.id == pending.person_id)
        .first()
    )
    if row is None or not row["is_active"] or row["session_version"] != pending.session_version:
        raise Invalid("Your log-in has expired. Please log in again.")
    if not await verify_second_factor(pending.person_id, code):
        await _count_failure(backoff, pending.account_key, pending.person_id)
        raise Invalid("The code is wrong or has been used already.", field="code")
    await backoff.succeeded(pending.account_key)
    return SignedIn(person_id=pending.person_id, session_version=row["session_version"], language=row["language"])


async def _count_failure(backoff: LoginBackoff, account_key: str, person_id: int | None) -> None:
    """Count a failed log-in; when the account's first wait begins, tell its owner in their inbox."""
    failures = await backoff.failed(account_key)
    if person_id is not None and failures == FREE_FAILURES:
        async with write_transaction():
            await tell_account_owner(person_id, "login_locked", detail=str(failures))


async def password_matches(person_id: int, password: str) -> bool:
    """The person's current password, re-entered before something that cannot be undone."""
    row = await Person.select(Person.password_hash).where(Person.id == person_id).first()
    return row is not None and await _verify_password(row["password_hash"], password)
