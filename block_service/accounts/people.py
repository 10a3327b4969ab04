"""A person's account: the viewer of a request, the profile, the password, the staff's list of people, erasure."""

from __future__ import annotations

from piccolo.columns.combination import WhereRaw
from piccolo.query.methods.select import Count

from block_service import clock
from block_service.accounts import two_factor
from block_service.accounts.passwords import check_password
from block_service.accounts.schemas import (
    PasswordForm,
    PersonFilter,
    PersonOut,
    ProfileForm,
    Viewer,
)
from block_service.accounts.signing_in import _refuse_reserved_name, _verify_password, hash_password
from block_service.accounts.tables import Person, RoleGrant
from block_service.accounts.two_factor import has_second_factor
from block_service.audit.services import record_change
from block_service.clock import block_today
from block_service.db import contains, write_transaction
from block_service.errors import FormInvalid, NotFound
from block_service.i18n import N_
from block_service.inbox import services as inbox_services
from block_service.pagination import Page, clamp, paginate


async def load_viewer(person_id: int, session_version: int) -> Viewer | None:
    """The signed-in person with roles, shops and unread count, in one statement (it runs on every request
    of a signed-in person); None when the session is no longer valid.

    "council" is not a stored role: it is derived from a seat of the current term that has not ceased
    (the council domain's rule), so being elected, resigning or a term ending needs no role to be synced.
    """
    today = block_today()
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
        raise FormInvalid({"new_password_again": N_("The two passwords differ.")})
    row = (
        await Person.select(Person.password_hash, Person.display_name, Person.email, Person.phone)
        .where(Person.id == person_id)
        .first()
    )
    if row is None:
        raise NotFound("No such person.")
    if not await _verify_password(row["password_hash"], form.current_password):
        raise FormInvalid({"current_password": N_("The current password is wrong.")})
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


def _person_columns() -> tuple:
    """The columns of a PersonOut (its roles and second factor come apart)."""
    return (
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


async def get_person(person_id: int) -> PersonOut:
    row = await Person.select(*_person_columns()).where(Person.id == person_id).first()
    if row is None:
        raise NotFound("No such person.")
    grants = await RoleGrant.select(RoleGrant.role).where(RoleGrant.person == person_id)
    roles = [grant["role"] for grant in grants]
    today = block_today()
    if await Person.raw(
        f"SELECT person FROM ({SITTING_COUNCIL}) AS sitting WHERE person = {{}}", today, today, person_id
    ):
        roles.append("council")
    return PersonOut(**row, roles=sorted(roles), second_factor=await has_second_factor(person_id))


async def holds_role(person_id: int, role: str) -> bool:
    return await RoleGrant.exists().where((RoleGrant.person == person_id) & (RoleGrant.role == role))


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
        raise FormInvalid({"password": N_("The current password is wrong.")})
    await two_factor.disable_second_factor(person_id, code)


async def list_people(filters: PersonFilter) -> Page[PersonOut]:
    """Staff's list of accounts; roles come from one grouped second statement, not one per row."""
    page, per_page = clamp(filters.page, filters.per_page)
    query = Person.select(*_person_columns()).order_by(Person.id, ascending=False)
    count = Person.count()
    conditions = []
    if filters.q:
        needle = filters.q.strip()
        conditions.append(
            contains(Person.display_name, needle) | contains(Person.email, needle) | contains(Person.phone, needle)
        )
    if filters.role == "council":
        conditions.append(_sitting_council())
    elif filters.role:
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
        today = block_today()
        placeholders = ", ".join("{}" for _ in ids)
        for row in await Person.raw(
            f"SELECT DISTINCT person FROM ({SITTING_COUNCIL}) AS sitting WHERE person IN ({placeholders})",
            today,
            today,
            *ids,
        ):
            by_person.setdefault(row["person"], []).append("council")
        for person in result.items:
            person.roles = sorted(by_person.get(person.id, []))
    return result


# Who sits on the council today: a seat of the current term that has not ceased (council.seats.is_sitting's
# rule; "council" is never a stored role, so counting role grants said "council: 0" while members sat).
SITTING_COUNCIL = (
    "SELECT s.person FROM council_seat s JOIN council_term t ON t.id = s.term "
    "WHERE s.ceased_at IS NULL AND t.starts_on <= {} AND t.ends_on >= {}"
)


def _sitting_council():
    today = block_today()
    return WhereRaw(f"person.id IN ({SITTING_COUNCIL})", today, today)


async def count_people_by_role() -> dict[str, int]:
    """People per role; the council from the seats sitting today, each person once."""
    rows = await RoleGrant.select(RoleGrant.role, Count()).group_by(RoleGrant.role)
    counts = {row["role"]: row["count"] for row in rows}
    today = block_today()
    sitting = await Person.raw(f"SELECT COUNT(DISTINCT person) AS n FROM ({SITTING_COUNCIL}) AS sitting", today, today)
    counts["council"] = sitting[0]["n"] if sitting else 0
    return counts


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
            Person.erased_at: clock.now(),
        }
    ).where(Person.id == person_id)
    await RoleGrant.delete().where(RoleGrant.person == person_id)
    await two_factor.forget_second_factor(person_id)
    await inbox_services.forget_person(person_id, tombstone_name)


async def record_privacy_acceptance(person_id: int, version: str) -> None:
    await Person.update({Person.privacy_version: version, Person.privacy_accepted_at: clock.now()}).where(
        Person.id == person_id
    )
