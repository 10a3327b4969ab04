"""Shop rules: the road's segments, industries, applications to act for a shop, and shop records."""

from __future__ import annotations

import functools

import msgspec

from block_service import clock
from block_service.accounts.roles import revoke_role
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import contains, write_transaction
from block_service.errors import Forbidden, NotFound
from block_service.pagination import Page, clamp, paginate
from block_service.shops.schemas import (
    MerchantOut,
    MerchantShopForm,
    ShopDetail,
    ShopFilter,
    ShopOut,
    StaffShopForm,
)
from block_service.shops.segments import _check_industry, parse_house_number, segment_for_number
from block_service.shops.tables import Shop, ShopApplication, ShopMerchant


@functools.cache
def _shop_columns() -> tuple:
    """Built once: Piccolo's joined columns are costly to build on every query."""
    return (
        Shop.id,
        Shop.name,
        Shop.house_number,
        Shop.street_number,
        Shop.segment.as_alias("segment_id"),
        Shop.segment.name_zh.as_alias("segment_name_zh"),
        Shop.segment.name_en.as_alias("segment_name_en"),
        Shop.industry.as_alias("industry_id"),
        Shop.industry.name_zh.as_alias("industry_name_zh"),
        Shop.industry.name_en.as_alias("industry_name_en"),
        Shop.phone,
        Shop.opening_hours,
        Shop.description,
        Shop.status,
        Shop.created_at,
    )


async def list_shops(filters: ShopFilter) -> Page[ShopOut]:
    page, per_page = clamp(filters.page, filters.per_page)
    conditions = []
    if filters.q and filters.q.strip():
        needle = filters.q.strip()
        conditions.append(contains(Shop.name, needle) | contains(Shop.house_number, needle))
    if filters.segment:
        conditions.append(Shop.segment == filters.segment)
    if filters.industry:
        conditions.append(Shop.industry == filters.industry)
    if filters.status in ("open", "closed"):
        conditions.append(Shop.status == filters.status)
    query = Shop.select(*_shop_columns()).order_by(Shop.street_number).order_by(Shop.id)
    count = Shop.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    return await paginate(query, count, page, per_page, lambda row: msgspec.convert(row, ShopOut))


async def get_shop(shop_id: int) -> ShopOut:
    row = await Shop.select(*_shop_columns()).where(Shop.id == shop_id).first()
    if row is None:
        raise NotFound("No such shop.")
    return msgspec.convert(row, ShopOut)


def may_see_merchants(viewer: Viewer) -> bool:
    """Who may know which people act for the shops: signed-in merchants and staff. The one rule for the shop
    and group pages, their fragments and the JSON API alike; visitors and residents see shops, not people."""
    return viewer.has("merchant", "staff")


async def get_shop_detail(viewer: Viewer, shop_id: int) -> ShopDetail:
    """A shop, with the people acting for it when the viewer may see them (`merchants` is None otherwise)."""
    shop = await get_shop(shop_id)
    if not may_see_merchants(viewer):
        return ShopDetail(shop=shop)
    rows = (
        await ShopMerchant.select(
            ShopMerchant.person.as_alias("person_id"),
            ShopMerchant.person.display_name.as_alias("display_name"),
            ShopMerchant.since,
        )
        .where(ShopMerchant.shop == shop_id)
        .order_by(ShopMerchant.since)
    )
    return ShopDetail(shop=shop, merchants=[msgspec.convert(row, MerchantOut) for row in rows])


async def shop_ids_of(person_id: int) -> frozenset[int]:
    rows = await ShopMerchant.select(ShopMerchant.shop).where(ShopMerchant.person == person_id)
    return frozenset(row["shop"] for row in rows)


async def shops_of(person_id: int) -> list[ShopOut]:
    rows = (
        await Shop.select(*_shop_columns())
        .where(Shop.id.is_in(ShopMerchant.select(ShopMerchant.shop).where(ShopMerchant.person == person_id)))
        .order_by(Shop.street_number)
    )
    return [msgspec.convert(row, ShopOut) for row in rows]


def ensure_can_edit_shop(viewer: Viewer, shop_id: int) -> None:
    if not viewer.is_staff and not viewer.acts_for(shop_id):
        raise Forbidden("Only the shop's own merchants or staff may change this shop.")


async def update_shop_as_merchant(viewer: Viewer, shop_id: int, form: MerchantShopForm) -> None:
    """A merchant changes their own shop's phone, hours and description; nobody else's."""
    async with write_transaction():
        before = await Shop.select(Shop.phone, Shop.opening_hours, Shop.description).where(Shop.id == shop_id).first()
        if before is None:
            raise NotFound("No such shop.")
        is_merchant = await ShopMerchant.exists().where(
            (ShopMerchant.shop == shop_id) & (ShopMerchant.person == viewer.person_id)
        )
        if not is_merchant and not viewer.is_staff:
            raise Forbidden("Only the shop's own merchants or staff may change this shop.")
        after = msgspec.structs.asdict(form)
        if before == after:
            return
        await Shop.update(after).where(Shop.id == shop_id)
        await record_change(
            actor_id=viewer.person_id,
            action="shop.updated",
            object_type="shop",
            object_id=shop_id,
            before=before,
            after=after,
        )


async def update_shop_as_staff(staff: Viewer, shop_id: int, form: StaffShopForm) -> None:
    """Staff keep the registry: moving a shop or changing its industry changes its groups."""
    house_number, street_number = parse_house_number(form.house_number)
    await _check_industry(form.industry_id)
    segment_id = await segment_for_number(street_number)
    async with write_transaction():
        before = (
            await Shop.select(
                Shop.name,
                Shop.house_number,
                Shop.segment,
                Shop.industry,
                Shop.phone,
                Shop.status,
                Shop.opening_hours,
                Shop.description,
            )
            .where(Shop.id == shop_id)
            .first()
        )
        if before is None:
            raise NotFound("No such shop.")
        after = {
            "name": form.name,
            "house_number": house_number,
            "segment": segment_id,
            "industry": form.industry_id,
            "phone": form.phone,
            "status": form.status,
            "opening_hours": form.opening_hours,
            "description": form.description,
        }
        if before == after:
            return
        await Shop.update({**after, "street_number": street_number}).where(Shop.id == shop_id)
        await record_change(
            actor_id=staff.person_id,
            action="shop.updated",
            object_type="shop",
            object_id=shop_id,
            before=before,
            after=after,
        )


async def remove_merchant(staff: Viewer, shop_id: int, person_id: int) -> None:
    """Staff end a person's acting for a shop; the merchant role goes with their last shop."""
    async with write_transaction():
        deleted = (
            await ShopMerchant.delete()
            .where((ShopMerchant.shop == shop_id) & (ShopMerchant.person == person_id))
            .returning(ShopMerchant.id)
        )
        if not deleted:
            raise NotFound("This person does not act for this shop.")
        await record_change(
            actor_id=staff.person_id,
            action="shop.merchant_removed",
            object_type="shop",
            object_id=shop_id,
            before={"person": person_id},
        )
        if not await ShopMerchant.exists().where(ShopMerchant.person == person_id):
            await revoke_role(staff.person_id, person_id, "merchant")


async def count_open_shops() -> int:
    return await Shop.count().where(Shop.status == "open")


async def shop_choices() -> list[dict]:
    """Every open shop as (id, name, house number), in road order, for pickers."""
    return (
        await Shop.select(Shop.id, Shop.name, Shop.house_number)
        .where(Shop.status == "open")
        .order_by(Shop.street_number)
        .order_by(Shop.id)
    )


async def shops_only_run_by(person_id: int) -> list[dict]:
    """Open shops for which this person is the only merchant (they would be left without one)."""
    return await Shop.raw(
        "SELECT s.id, s.name, s.house_number FROM shop s JOIN shop_merchant m ON m.shop = s.id "
        "WHERE m.person = {} AND s.status = 'open' "
        "AND NOT EXISTS (SELECT 1 FROM shop_merchant o WHERE o.shop = s.id AND o.person <> {}) ORDER BY s.id",
        person_id,
        person_id,
    )


async def release_shops_of(person_id: int) -> None:
    """Inside the caller's transaction: the person no longer acts for any shop, and their pending
    applications are withdrawn (nobody may approve a deleted account). The shops stay listed."""
    await ShopMerchant.delete().where(ShopMerchant.person == person_id)
    await ShopApplication.update({ShopApplication.status: "withdrawn", ShopApplication.reviewed_at: clock.now()}).where(
        (ShopApplication.applicant == person_id) & (ShopApplication.status == "pending")
    )


async def shops_without_merchant() -> list[dict]:
    """Open shops nobody acts for (their last merchant deleted the account): staff close or reassign them."""
    return await Shop.raw(
        "SELECT s.id, s.name, s.house_number FROM shop s WHERE s.status = 'open' "
        "AND NOT EXISTS (SELECT 1 FROM shop_merchant m WHERE m.shop = s.id) ORDER BY s.id LIMIT 100"
    )
