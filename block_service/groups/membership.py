"""Which groups a person or a shop belongs to, and a person's place in a group."""

from __future__ import annotations

import msgspec

from block_service.accounts.schemas import Viewer
from block_service.groups.schemas import (
    GroupOut,
    GroupPlace,
    MyGroupOut,
)
from block_service.groups.services import _IN_GROUP, _find_group, _group_columns, _group_of, _membership, list_groups
from block_service.groups.tables import OrgGroup
from block_service.shops.tables import Shop


async def my_groups(viewer: Viewer) -> list[MyGroupOut]:
    """The groups of the viewer's open shops, each with the viewer's shops in it."""
    if not viewer.shop_ids:
        return []
    shops = (
        await Shop.select(Shop.name, Shop.segment, Shop.industry)
        .where(Shop.id.is_in(sorted(viewer.shop_ids)) & (Shop.status == "open"))
        .order_by(Shop.street_number)
    )
    mine = []
    for group in await list_groups(show_names=True):
        names = [
            shop["name"]
            for shop in shops
            if (group.kind == "regional" and shop["segment"] == group.segment_id)
            or (group.kind == "industry" and shop["industry"] == group.industry_id)
        ]
        if names:
            mine.append(MyGroupOut(group=group, my_shops=names))
    return mine


async def group_ids_of(viewer: Viewer) -> frozenset[int]:
    """The groups the viewer belongs to through their open shops: what group-only content (such as the
    threads' `visibility = "group"`) should check. One statement."""
    if not viewer.shop_ids:
        return frozenset()
    ids = sorted(viewer.shop_ids)
    rows = await OrgGroup.raw(
        f"SELECT DISTINCT g.id AS id FROM org_group g JOIN shop s ON {_IN_GROUP} "
        "WHERE s.status = 'open' AND s.id IN (" + ", ".join("{}" for _ in ids) + ")",
        *ids,
    )
    return frozenset(row["id"] for row in rows)


async def place_in_group(viewer: Viewer, group_id: int) -> GroupPlace | None:
    """The shop a viewer speaks from in a group: their first open shop in it; for staff without one, the
    group's first open shop. None when the viewer is no member (or the group has no open shop). One statement."""
    group = _group_of(await _find_group(group_id))
    in_group = _membership(group) & (Shop.status == "open")
    query = Shop.select(
        Shop.id.as_alias("shop_id"), Shop.house_number, Shop.street_number, Shop.segment.as_alias("segment_id")
    )
    if viewer.shop_ids:
        mine = (
            await query.where(in_group & Shop.id.is_in(sorted(viewer.shop_ids)))
            .order_by(Shop.street_number)
            .order_by(Shop.id)
            .first()
        )
        if mine is not None:
            return msgspec.convert(mine, GroupPlace)
    if not viewer.is_staff:
        return None
    first = (
        await Shop.select(
            Shop.id.as_alias("shop_id"), Shop.house_number, Shop.street_number, Shop.segment.as_alias("segment_id")
        )
        .where(in_group)
        .order_by(Shop.street_number)
        .order_by(Shop.id)
        .first()
    )
    return msgspec.convert(first, GroupPlace) if first is not None else None


async def groups_of_shops(shop_ids: list[int]) -> dict[int, list[GroupOut]]:
    """{shop: [its regional group, its industry group]}, for pages that show where a shop belongs."""
    if not shop_ids:
        return {}
    shops = await Shop.select(Shop.id, Shop.segment, Shop.industry).where(Shop.id.is_in(sorted(set(shop_ids))))
    groups = [_group_of(row) for row in await OrgGroup.select(*_group_columns())]
    regional = {group.segment_id: group for group in groups if group.kind == "regional"}
    industry = {group.industry_id: group for group in groups if group.kind == "industry"}
    return {
        shop["id"]: [g for g in (regional.get(shop["segment"]), industry.get(shop["industry"])) if g] for shop in shops
    }
