"""What offers tell people through the shared inbox: the shop's merchants, of thanks and of an offer about to end."""

from __future__ import annotations

import datetime as dt

from block_service.i18n import N_
from block_service.inbox import KindView, Subject, deliver, register_kind
from block_service.offers.tables import Offer
from block_service.shops.tables import ShopMerchant

EVENTS = {
    "thanked": N_("A neighbour thanked your shop for an offer"),
    "expiring": N_("Your shop's offer ends within a week; change its last day to keep it listed"),
}


async def describe(ids: list[int], viewer) -> dict[int, KindView]:
    """Inbox lines: each offer's kind and shop, in one query (offers are public)."""
    rows = await Offer.select(Offer.id, Offer.kind.name_zh.as_alias("kind"), Offer.shop.name.as_alias("shop")).where(
        Offer.id.is_in(sorted(set(ids)) or [0])
    )
    return {row["id"]: KindView(title=f"{row['kind']} · {row['shop']}", url=f"/offers/{row['id']}") for row in rows}


register_kind("offer", describe, EVENTS)


async def merchants_of(shop_id: int) -> set[int]:
    rows = await ShopMerchant.select(ShopMerchant.person).where(ShopMerchant.shop == shop_id)
    return {row["person"] for row in rows}


async def tell_merchants(shop_id: int, offer_id: int, event: str, *, now: dt.datetime, skip: int | None = None) -> int:
    """Inside the caller's write transaction."""
    people = await merchants_of(shop_id) - {skip}
    if not people:
        return 0
    return await deliver(sorted(people), Subject("offer", offer_id), event, now=now)
