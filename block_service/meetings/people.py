"""Who a meeting's invitations and attendance name: groups, shops and people, by the name rules."""

from __future__ import annotations

from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.council.seats import seats_of_term
from block_service.council.terms import current_term
from block_service.groups.services import list_groups
from block_service.i18n import localized
from block_service.names import shown_name
from block_service.shops.services import may_see_merchants
from block_service.shops.tables import Shop, ShopMerchant


def may_see_people(viewer: Viewer) -> bool:
    """Invited and attending people are named to whom a shop's merchants are named (shops.may_see_merchants);
    others read "a person invited by name" or "a resident". Shops and groups are public."""
    return may_see_merchants(viewer)


async def invitee_names(viewer: Viewer, pairs: list[tuple[str, int]]) -> dict[tuple[str, int], str | None]:
    """{(type, id): name} for those that exist, in at most three statements whatever the number of pairs.

    A person not named to this viewer maps to None: the edge shows "A person (named to merchants and staff)"."""
    by_type: dict[str, set[int]] = {}
    for kind, object_id in pairs:
        by_type.setdefault(kind, set()).add(object_id)
    names: dict[tuple[str, int], str | None] = {}
    if by_type.get("group"):
        for group in await list_groups():
            if group.id in by_type["group"]:
                names[("group", group.id)] = localized(group, "name")
    if by_type.get("shop"):
        rows = await Shop.select(Shop.id, Shop.name, Shop.house_number).where(Shop.id.is_in(sorted(by_type["shop"])))
        for row in rows:
            names[("shop", row["id"])] = f"{row['name']} · {row['house_number']}"
    if by_type.get("person"):
        rows = await Person.select(Person.id, Person.display_name).where(Person.id.is_in(sorted(by_type["person"])))
        named = may_see_people(viewer)
        for row in rows:
            if named or row["id"] == viewer.person_id:
                names[("person", row["id"])] = shown_name(row["display_name"])
            else:
                names[("person", row["id"])] = None
    return names


async def merchants_of_shops(shop_ids: list[int]) -> set[int]:
    if not shop_ids:
        return set()
    rows = await ShopMerchant.select(ShopMerchant.person).where(ShopMerchant.shop.is_in(sorted(shop_ids)))
    return {row["person"] for row in rows}


async def is_secretary(person_id: int | None) -> bool:
    """The secretary (秘书) of the current term, sitting: besides staff the one who publishes minutes."""
    term = await current_term()
    if term is None or person_id is None:
        return False
    return any(
        seat.person_id == person_id and seat.position == "secretary" and seat.ceased_at is None
        for seat in await seats_of_term(term.id)
    )
