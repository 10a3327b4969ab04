"""Threads between the workstation and one shop (a failed 门前三包 inspection): its merchants and staff only.

A higher domain opens one through here, inside its own write, and keeps its id; answers, status changes,
photos and notices then work as on any report. Their visibility is "shop" (threads.access.SHOP): every list,
search, JSON, stream and inbox entry leaves them out for anyone who is neither staff nor one of the shop's
merchants, and their pages answer such a reader as if they did not exist.
"""

from __future__ import annotations

import datetime as dt

from block_service.audit.services import record_change
from block_service.errors import NotFound
from block_service.shops.tables import Shop
from block_service.threads.access import SHOP
from block_service.threads.notify import deliver
from block_service.threads.opening import insert_photos
from block_service.threads.tables import Category, Thread
from block_service.threads.workflow import _shop_merchants

SHOP_FRONT = "shop-front"  # the 门前三包 category (seed.CATEGORIES)


async def shop_front_category() -> dict:
    """The 门前三包 category; a block whose staff removed it gets it back (by its code, as seed does)."""
    row = await Category.select(Category.id, Category.response_hours).where(Category.slug == SHOP_FRONT).first()
    if row is not None:
        return row
    await Category.insert(
        Category(kind="report", slug=SHOP_FRONT, name_zh="门前三包", name_en="Shop-front hygiene (门前三包)")
    )
    return await Category.select(Category.id, Category.response_hours).where(Category.slug == SHOP_FRONT).first()


async def open_shop_thread(
    *,
    author_id: int,
    author_name: str,
    shop_id: int,
    title: str,
    body: str,
    photo_names: list[tuple[str, int, int, int]] = (),
    now: dt.datetime,
) -> int:
    """Open the shop's thread in the 门前三包 category and tell its merchants (inside the caller's write)."""
    shop = await Shop.select(Shop.house_number, Shop.street_number, Shop.segment).where(Shop.id == shop_id).first()
    if shop is None:
        raise NotFound("No such shop.")
    category = await shop_front_category()
    rows = await Thread.insert(
        Thread(
            kind="report",
            title=title[:80],
            body=body,
            category=category["id"],
            house_number=shop["house_number"],
            street_number=shop["street_number"],
            segment=shop["segment"],
            shop=shop_id,
            author=author_id,
            visibility=SHOP,
            created_at=now,
            last_activity_at=now,
            due_at=now + dt.timedelta(hours=category["response_hours"]),
            photo_count=len(photo_names),
        )
    ).returning(Thread.id)
    thread_id = rows[0]["id"]
    await insert_photos(thread_id, photo_names, now=now, approved=True)
    await record_change(
        actor_id=author_id,
        action="thread.opened",
        object_type="thread",
        object_id=thread_id,
        after={"kind": "report", "title": title[:80], "shop": shop_id, "visibility": SHOP},
        at=now,
    )
    merchants = await _shop_merchants(shop_id)
    await deliver(merchants - {author_id}, thread_id, "opened", actor_name=author_name, now=now, actor_id=author_id)
    return thread_id
