"""Account rules: sign up, log in, passwords, profiles, roles, disabling."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from piccolo.query.methods.select import Count

from block_service.accounts import two_factor
from block_service.accounts.backoff import FREE_FAILURES, LoginBackoff
from block_service.accounts.notice import NOTICE_VERSION
from block_service.accounts.owner_notices import tell_account_owner
from block_service.accounts.passwords import check_password
from block_service.accounts.schemas import (
    GRANTABLE_ROLES,
    LoginForm,
    PasswordForm,
    PersonFilter,
    PersonOut,
    ProfileForm,
    SignedIn,
    SignUpForm,
    Viewer,
)
from block_service.accounts.tables import Person, RoleGrant
from block_service.accounts.two_factor import has_second_factor, verify_second_factor
from block_service.audit.services import record_change
from block_service.db import contains, is_unique_violation, write_transaction
from block_service.errors import Conflict, Forbidden, FormInvalid, Invalid, NotFound
from block_service.i18n import gettext as _
from block_service.inbox import services as inbox_services
from block_service.names import is_tombstone_name
from block_service.pagination import Page, clamp, paginate

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
# A hash of a random password, checked when no account matches, so a wrong contact costs the
# same time as a wrong password and does not reveal which accounts exist.
_DUMMY_PASSWORD = "not-a-real-password-for-timing"
# Council terms run on the block's calendar days.
BLOCK_TIMEZONE = ZoneInfo("Asia/Shanghai")


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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _contact_taken(email: str | None, phone: str | None) -> bool:
    if email:
        return await Person.exists().where(Person.email == email)
    return await Person.exists().where(Person.phone == phone)


async def sign_up(form: SignUpForm, language: str) -> SignedIn:
    """Create a resident account; a second submit of the same form is refused, not duplicated."""
    if form.password != form.password_again:
        raise FormInvalid({"password_again": _("The two passwords differ.")})
    if not form.accept_privacy:
        raise FormInvalid({"accept_privacy": _("Please read the privacy notice and tick the box to accept it.")})
    _refuse_reserved_name(form.display_name)
    email, phone = normalise_contact(form.contact)
    check_password(form.password, field="password", display_name=form.display_name, email=email, phone=phone)
    password_hash = await hash_password(form.password)
    try:
        person_id = await _insert_resident(form.display_name, email, phone, password_hash, language)
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict("An account with this email or mobile number already exists.", field="contact") from None
        raise
    return SignedIn(person_id=person_id, session_version=1, language=language)


def _refuse_reserved_name(display_name: str) -> None:
    """The labels of deleted accounts are nobody's name: a live account taking one would pass for a tombstone."""
    if is_tombstone_name(display_name.strip()):
        raise FormInvalid({"display_name": _("This name is reserved. Please choose another.")})


async def _insert_resident(
    display_name: str, email: str | None, phone: str | None, password_hash: str, language: str
) -> int:
    async with write_transaction():
        if await _contact_taken(email, phone):
            raise Conflict("An account with this email or mobile number already exists.", field="contact")
        now = _now()
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


async def load_viewer(person_id: int, session_version: int) -> Viewer | None:
    """The signed-in person with roles, shops and unread count, in one statement (it runs on every request
    of a signed-in person); None when the session is no longer valid.

    "council" is not a stored role: it is derived from a seat of the current term that has not ceased
    (the council domain's rule), so being elected, resigning or a term ending needs no role to be synced.
    """
    today = dt.datetime.now(BLOCK_TIMEZONE).date()
    valid = "p.id = {} AND p.is_active = {} AND p.session_version = {}"
    rows = await Person.raw(
        "SELECT p.display_name, r.role, CAST(NULL AS INTEGER) AS shop, "
        "(SELECT COUNT(*) FROM inbox_entry n WHERE n.person = p.id AND n.read_at IS NULL) AS unread, "
        "(SELECT COUNT(*) FROM totp_credential c WHERE c.person = p.id) AS totp, p.privacy_version "
        f"FROM person p LEFT JOIN role_grant r ON r.person = p.id WHERE {valid} "
        "UNION ALL "
        "SELECT p.display_name, 'council', CAST(NULL AS INTEGER), 0, 0, p.privacy_version FROM person p "
        "JOIN council_seat s ON s.person = p.id JOIN council_term t ON t.id = s.term "
        f"WHERE {valid} AND s.ceased_at IS NULL AND t.starts_on <= {{}} AND t.ends_on >= {{}} "
        "UNION ALL "
        "SELECT p.display_name, NULL, m.shop, 0, 0, p.privacy_version "
        f"FROM person p JOIN shop_merchant m ON m.person = p.id WHERE {valid}",
        person_id,
        True,
        session_version,
        person_id,
        True,
        session_version,
        today,
        today,
        person_id,
        True,
        session_version,
    )
    if not rows:
        return None
    roles = frozenset(row["role"] for row in rows if row["role"])
    shop_ids = frozenset(row["shop"] for row in rows if row["shop"] is not None) if "merchant" in roles else frozenset()
    return Viewer(
        person_id=person_id,
        display_name=rows[0]["display_name"],
        roles=roles,
        shop_ids=shop_ids,
        unread=max(row["unread"] for row in rows),
        second_factor=any(row["totp"] for row in rows),
        privacy_version=rows[0]["privacy_version"],
    )


async def change_password(person_id: int, form: PasswordForm) -> int:
    """Set a new password and end every other session; returns the new session version."""
    if form.new_password != form.new_password_again:
        raise FormInvalid({"new_password_again": _("The two passwords differ.")})
    row = (
        await Person.select(Person.password_hash, Person.display_name, Person.email, Person.phone)
        .where(Person.id == person_id)
        .first()
    )
    if row is None:
        raise NotFound("No such person.")
    if not await _verify_password(row["password_hash"], form.current_password):
        raise FormInvalid({"current_password": _("The current password is wrong.")})
    check_password(
        form.new_password,
        field="new_password",
        display_name=row["display_name"],
        email=row["email"],
        phone=row["phone"],
    )
    new_hash = await hash_password(form.new_password)
    async with write_transaction():
        await Person.update({Person.password_hash: new_hash, Person.session_version: Person.session_version + 1}).where(
            Person.id == person_id
        )
        await record_change(
            actor_id=person_id, action="account.password_changed", object_type="person", object_id=person_id
        )
        version = await Person.select(Person.session_version).where(Person.id == person_id).first()
    return version["session_version"]


async def update_profile(person_id: int, form: ProfileForm) -> None:
    _refuse_reserved_name(form.display_name)
    async with write_transaction():
        before = await Person.select(Person.display_name, Person.language).where(Person.id == person_id).first()
        if before is None:
            raise NotFound("No such person.")
        after = {"display_name": form.display_name, "language": form.language}
        if before == after:
            return
        await Person.update({Person.display_name: form.display_name, Person.language: form.language}).where(
            Person.id == person_id
        )
        await record_change(
            actor_id=person_id,
            action="account.profile_changed",
            object_type="person",
            object_id=person_id,
            before=before,
            after=after,
        )


async def set_language(person_id: int, language: str) -> None:
    await Person.update({Person.language: language}).where(Person.id == person_id)


async def get_person(person_id: int) -> PersonOut:
    row = (
        await Person.select(
            Person.id,
            Person.display_name,
            Person.email,
            Person.phone,
            Person.language,
            Person.is_active,
            Person.disabled_reason,
            Person.created_at,
            Person.erased_at,
        )
        .where(Person.id == person_id)
        .first()
    )
    if row is None:
        raise NotFound("No such person.")
    roles = await RoleGrant.select(RoleGrant.role).where(RoleGrant.person == person_id).order_by(RoleGrant.role)
    return PersonOut(**row, roles=[r["role"] for r in roles], second_factor=await has_second_factor(person_id))


async def must_set_up_second_factor(person_id: int) -> bool:
    """Staff without a second factor: they are sent to set one up, and act without the staff role till then."""
    is_staff = await RoleGrant.exists().where((RoleGrant.person == person_id) & (RoleGrant.role == "staff"))
    return is_staff and not await has_second_factor(person_id)


async def disable_second_factor(person_id: int, password: str, code: str) -> None:
    """Turning the second factor off needs both the password and a current code."""
    row = await Person.select(Person.password_hash).where(Person.id == person_id).first()
    if row is None:
        raise NotFound("No such person.")
    if not await _verify_password(row["password_hash"], password):
        raise FormInvalid({"password": _("The current password is wrong.")})
    await two_factor.disable_second_factor(person_id, code)


async def list_people(filters: PersonFilter) -> Page[PersonOut]:
    """Staff's list of accounts; roles come from one grouped second statement, not one per row."""
    page, per_page = clamp(filters.page, filters.per_page)
    query = Person.select(
        Person.id,
        Person.display_name,
        Person.email,
        Person.phone,
        Person.language,
        Person.is_active,
        Person.disabled_reason,
        Person.created_at,
        Person.erased_at,
    ).order_by(Person.id, ascending=False)
    count = Person.count()
    conditions = []
    if filters.q:
        needle = filters.q.strip()
        conditions.append(
            contains(Person.display_name, needle) | contains(Person.email, needle) | contains(Person.phone, needle)
        )
    if filters.role:
        conditions.append(Person.id.is_in(RoleGrant.select(RoleGrant.person).where(RoleGrant.role == filters.role)))
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    result = await paginate(query, count, page, per_page, lambda row: PersonOut(**row))
    ids = [person.id for person in result.items]
    if ids:
        grants = await RoleGrant.select(RoleGrant.person, RoleGrant.role).where(RoleGrant.person.is_in(ids))
        by_person: dict[int, list[str]] = {}
        for grant in grants:
            by_person.setdefault(grant["person"], []).append(grant["role"])
        for person in result.items:
            person.roles = sorted(by_person.get(person.id, []))
    return result


async def count_people_by_role() -> dict[str, int]:
    rows = await RoleGrant.select(RoleGrant.role, Count()).group_by(RoleGrant.role)
    return {row["role"]: row["count"] for row in rows}


async def disable_account(staff: Viewer, person_id: int, reason: str) -> None:
    """Disable an account; bumping the session version ends all of its sessions at once."""
    if person_id == staff.person_id:
        raise Invalid("You cannot disable your own account.")
    async with write_transaction():
        row = await Person.select(Person.is_active).where(Person.id == person_id).first()
        if row is None:
            raise NotFound("No such person.")
        if not row["is_active"]:
            raise Conflict("This account is already disabled.")
        await Person.update(
            {
                Person.is_active: False,
                Person.disabled_reason: reason,
                Person.session_version: Person.session_version + 1,
            }
        ).where(Person.id == person_id)
        await record_change(
            actor_id=staff.person_id,
            action="account.disabled",
            object_type="person",
            object_id=person_id,
            before={"is_active": True},
            after={"is_active": False, "reason": reason},
        )


async def enable_account(staff: Viewer, person_id: int) -> None:
    async with write_transaction():
        row = await Person.select(Person.is_active, Person.erased_at).where(Person.id == person_id).first()
        if row is None:
            raise NotFound("No such person.")
        if row["erased_at"] is not None:
            raise Conflict("This account has been deleted.")
        if row["is_active"]:
            raise Conflict("This account is already active.")
        await Person.update({Person.is_active: True, Person.disabled_reason: ""}).where(Person.id == person_id)
        await record_change(
            actor_id=staff.person_id,
            action="account.enabled",
            object_type="person",
            object_id=person_id,
            before={"is_active": False},
            after={"is_active": True},
        )


async def grant_role(actor_id: int | None, person_id: int, role: str) -> bool:
    """Grant a role inside the caller's transaction; False when the person already had it."""
    if await RoleGrant.exists().where((RoleGrant.person == person_id) & (RoleGrant.role == role)):
        return False
    await RoleGrant.insert(RoleGrant(person=person_id, role=role, granted_at=_now()))
    await record_change(
        actor_id=actor_id, action="role.granted", object_type="person", object_id=person_id, after={"role": role}
    )
    return True


async def revoke_role(actor_id: int | None, person_id: int, role: str) -> bool:
    if not await RoleGrant.exists().where((RoleGrant.person == person_id) & (RoleGrant.role == role)):
        return False
    await RoleGrant.delete().where((RoleGrant.person == person_id) & (RoleGrant.role == role))
    await record_change(
        actor_id=actor_id, action="role.revoked", object_type="person", object_id=person_id, before={"role": role}
    )
    return True


async def staff_grant_role(staff: Viewer, person_id: int, role: str) -> None:
    if role not in GRANTABLE_ROLES:
        raise Invalid("This role is not granted by hand.")
    async with write_transaction():
        if not await Person.exists().where(Person.id == person_id):
            raise NotFound("No such person.")
        if await Person.exists().where((Person.id == person_id) & Person.erased_at.is_not_null()):
            raise Conflict("This account has been deleted.")
        if not await grant_role(staff.person_id, person_id, role):
            raise Conflict("This person already has this role.")


async def staff_revoke_role(staff: Viewer, person_id: int, role: str) -> None:
    if role not in GRANTABLE_ROLES:
        raise Invalid("This role is not granted by hand.")
    if role == "staff" and person_id == staff.person_id:
        raise Invalid("You cannot take the staff role from yourself.")
    async with write_transaction():
        if not await revoke_role(staff.person_id, person_id, role):
            raise Conflict("This person does not have this role.")


async def create_staff(email: str, password: str, display_name: str) -> int:
    """Used by the CLI: a staff account, or the staff role added to an existing one."""
    email_value, _phone = normalise_contact(email)
    if not email_value:
        raise Invalid("Enter a valid email address or mobile number.")
    check_password(password, field="password", display_name=display_name, email=email_value)
    password_hash = await hash_password(password)
    async with write_transaction():
        row = await Person.select(Person.id).where(Person.email == email_value).first()
        if row is None:
            rows = await Person.insert(
                Person(display_name=display_name, email=email_value, password_hash=password_hash, created_at=_now())
            ).returning(Person.id)
            person_id = rows[0]["id"]
            await record_change(
                actor_id=None,
                action="account.created",
                object_type="person",
                object_id=person_id,
                after={"display_name": display_name, "email": email_value, "via": "cli"},
            )
        else:
            person_id = row["id"]
        await grant_role(None, person_id, "staff")
    return person_id


async def erase_person(person_id: int, tombstone_name: str) -> None:
    """Inside the caller's transaction: name, contact, password, roles and every session go; the row stays
    as a tombstone so that what the person contributed keeps an author (labelled by `tombstone_name`).

    Bumping the session version ends all sessions at once, as disabling does; with no contact and no
    password hash the account cannot log in, and its contact is free for a new sign-up. The second factor
    (secret and recovery codes) and the account's own notices go too."""
    await Person.update(
        {
            Person.display_name: tombstone_name,
            Person.email: None,
            Person.phone: None,
            Person.password_hash: "",
            Person.is_active: False,
            Person.disabled_reason: "",
            Person.session_version: Person.session_version + 1,
            Person.erased_at: _now(),
        }
    ).where(Person.id == person_id)
    await RoleGrant.delete().where(RoleGrant.person == person_id)
    await two_factor.forget_second_factor(person_id)
    await inbox_services.forget_person(person_id, tombstone_name)


async def record_privacy_acceptance(person_id: int, version: str) -> None:
    await Person.update({Person.privacy_version: version, Person.privacy_accepted_at: _now()}).where(
        Person.id == person_id
    )


async def password_matches(person_id: int, password: str) -> bool:
    """The person's current password, re-entered before something that cannot be undone."""
    row = await Person.select(Person.password_hash).where(Person.id == person_id).first()
    return row is not None and await _verify_password(row["password_hash"], password)
