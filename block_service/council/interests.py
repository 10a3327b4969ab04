"""Declared conflicts of interest of council members."""

from __future__ import annotations

import msgspec

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.council.schemas import (
    InterestForm,
    InterestOut,
)
from block_service.council.seats import is_sitting
from block_service.council.tables import (
    Interest,
)
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.shops.tables import Shop


async def declare_interest(viewer: Viewer, form: InterestForm) -> int:
    """A sitting member declares an interest in a shop, thread or proposal; they sit out its votes."""
    if not await is_sitting(viewer.person_id):
        raise Forbidden("Only sitting council members declare interests here.")
    if form.object_type == "shop" and not await Shop.exists().where(Shop.id == form.object_id):
        raise Invalid("There is no shop with this number.", field="object_id")
    with duplicate_means(Conflict("You have already declared an interest in this.")):
        async with write_transaction():
            if await has_declared_interest(viewer.person_id, form.object_type, form.object_id):
                raise Conflict("You have already declared an interest in this.")
            rows = await Interest.insert(
                Interest(
                    person=viewer.person_id,
                    object_type=form.object_type,
                    object_id=form.object_id,
                    note=form.note,
                    declared_at=clock.now(),
                )
            ).returning(Interest.id)
            interest_id = rows[0]["id"]
            await record_change(
                actor_id=viewer.person_id,
                action="interest.declared",
                object_type="interest",
                object_id=interest_id,
                after=msgspec.to_builtins(form),
            )
    return interest_id


async def withdraw_interest(viewer: Viewer, interest_id: int) -> None:
    async with write_transaction():
        row = await Interest.select(Interest.person, Interest.withdrawn_at).where(Interest.id == interest_id).first()
        if row is None:
            raise NotFound("No such declaration.")
        if row["person"] != viewer.person_id:
            raise Forbidden("Only the member who declared it may withdraw a declaration.")
        if row["withdrawn_at"] is not None:
            raise Conflict("This declaration has already been withdrawn.")
        await Interest.update({Interest.withdrawn_at: clock.now()}).where(Interest.id == interest_id)
        await record_change(
            actor_id=viewer.person_id, action="interest.withdrawn", object_type="interest", object_id=interest_id
        )


async def has_declared_interest(person_id: int, object_type: str, object_id: int) -> bool:
    """For votes on an item: True when this person declared an interest in it and has not withdrawn it."""
    return await Interest.exists().where(
        (Interest.person == person_id)
        & (Interest.object_type == object_type)
        & (Interest.object_id == object_id)
        & Interest.withdrawn_at.is_null()
    )


async def interests_of(person_ids: list[int]) -> dict[int, list[InterestOut]]:
    """Declared interests per person (two statements: the declarations, then the names of the shops)."""
    if not person_ids:
        return {}
    rows = (
        await Interest.select(
            Interest.id,
            Interest.person.as_alias("person_id"),
            Interest.person.display_name.as_alias("display_name"),
            Interest.object_type,
            Interest.object_id,
            Interest.note,
            Interest.declared_at,
        )
        .where(Interest.person.is_in(sorted(set(person_ids))) & Interest.withdrawn_at.is_null())
        .order_by(Interest.id)
    )
    shop_ids = sorted({row["object_id"] for row in rows if row["object_type"] == "shop"})
    names = {}
    if shop_ids:
        names = {row["id"]: row["name"] for row in await Shop.select(Shop.id, Shop.name).where(Shop.id.is_in(shop_ids))}
    interests: dict[int, list[InterestOut]] = {}
    for row in rows:
        label = names.get(row["object_id"], "") if row["object_type"] == "shop" else ""
        interests.setdefault(row["person_id"], []).append(InterestOut(**row, object_label=label))
    return interests
