"""Roles and account status, changed by staff: grant, revoke, disable, enable, and the first staff account."""

from __future__ import annotations

from block_service import clock
from block_service.accounts.passwords import check_password
from block_service.accounts.schemas import (
    GRANTABLE_ROLES,
    Viewer,
)
from block_service.accounts.signing_in import hash_password, normalise_contact
from block_service.accounts.tables import Person, RoleGrant
from block_service.audit.services import record_change
from block_service.db import write_transaction
from block_service.errors import Conflict, Invalid, NotFound


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
    await RoleGrant.insert(RoleGrant(person=person_id, role=role, granted_at=clock.now()))
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
                Person(
                    display_name=display_name, email=email_value, password_hash=password_hash, created_at=clock.now()
                )
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


async def list_staff() -> list[dict]:
    """Every staff member, by name: who a thread can be assigned to (one statement)."""
    rows = await RoleGrant.select(
        RoleGrant.person.as_alias("id"), RoleGrant.person.display_name.as_alias("name")
    ).where(
        (RoleGrant.role == "staff") & (RoleGrant.person.is_active == True)  # noqa: E712
    )
    return sorted(rows, key=lambda row: (row["name"], row["id"]))
