"""Group rules: groups kept one per segment and industry, members derived from the registry, leaders.

Membership is never stored: a group's shops are the open shops in its segment (regional) or industry,
read at query time, so approving, moving or closing a shop changes its groups with no syncing. The
leader is derived too: the merchant backed by a majority of the group's open shops, else the one staff
appointed, as long as that person still acts for an open shop of the group.
"""

from __future__ import annotations

import functools

import msgspec
from piccolo.query.methods.select import Count

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import write_transaction
from block_service.db.kept import kept
from block_service.errors import NotFound
from block_service.groups.schemas import (
    CandidateChoice,
    GroupDetail,
    GroupMerchantOut,
    GroupOut,
    GroupShopOut,
    LeaderOut,
    MyBacking,
    SupportOut,
)
from block_service.groups.strip import lay_out_strip, markers_between
from block_service.groups.tables import LeaderBacking, OrgGroup
from block_service.pagination import clamp, paginate
from block_service.shops.events import on_categories_saved
from block_service.shops.services import may_see_merchants
from block_service.shops.tables import Industry, Segment, Shop, ShopMerchant

GROUP_PAGE_SIZE = 50


# A shop is in a group when its segment (regional) or its industry (industry) is the group's.
# For a regional group g.industry is NULL, so the second comparison is never true, and vice versa.
_IN_GROUP = "(s.segment = g.segment OR s.industry = g.industry)"


def may_see_names(viewer: Viewer) -> bool:
    """Merchants' names follow the shops' rule (shops.services.may_see_merchants), on group pages and API alike."""
    return may_see_merchants(viewer)


@on_categories_saved
async def ensure_groups(actor_id: int | None = None) -> None:
    """Create the missing groups and follow renamed slugs; called whenever segments or industries change."""
    async with write_transaction():
        groups = await OrgGroup.select(OrgGroup.id, OrgGroup.slug, OrgGroup.segment, OrgGroup.industry)
        by_segment = {row["segment"]: row for row in groups if row["segment"] is not None}
        by_industry = {row["industry"]: row for row in groups if row["industry"] is not None}
        wanted = [
            ("regional", "segment", row["id"], f"region-{row['slug']}", by_segment.get(row["id"]))
            for row in await Segment.select(Segment.id, Segment.slug)
            .order_by(Segment.sort_order)
            .order_by(Segment.first_number)
        ]
        wanted += [
            ("industry", "industry", row["id"], f"industry-{row['slug']}", by_industry.get(row["id"]))
            for row in await Industry.select(Industry.id, Industry.slug)
            .order_by(Industry.sort_order)
            .order_by(Industry.id)
        ]
        for kind, column, source_id, slug, existing in wanted:
            if existing is None:
                rows = await OrgGroup.insert(
                    OrgGroup(kind=kind, slug=slug, created_at=clock.now(), **{column: source_id})
                ).returning(OrgGroup.id)
                await record_change(
                    actor_id=actor_id,
                    action="group.created",
                    object_type="org_group",
                    object_id=rows[0]["id"],
                    after={"kind": kind, "slug": slug},
                )
            elif existing["slug"] != slug:
                await OrgGroup.update({OrgGroup.slug: slug}).where(OrgGroup.id == existing["id"])
                await record_change(
                    actor_id=actor_id,
                    action="group.renamed",
                    object_type="org_group",
                    object_id=existing["id"],
                    before={"slug": existing["slug"]},
                    after={"slug": slug},
                )


@functools.cache
def _group_columns() -> tuple:
    """Built once: Piccolo's joined columns are costly to build for every query."""
    return (
        OrgGroup.id,
        OrgGroup.kind,
        OrgGroup.slug,
        OrgGroup.appointed_leader,
        OrgGroup.segment.as_alias("segment_id"),
        OrgGroup.industry.as_alias("industry_id"),
        OrgGroup.segment.name_zh.as_alias("segment_name_zh"),
        OrgGroup.segment.name_en.as_alias("segment_name_en"),
        OrgGroup.segment.first_number.as_alias("first_number"),
        OrgGroup.segment.last_number.as_alias("last_number"),
        OrgGroup.segment.sort_order.as_alias("segment_order"),
        OrgGroup.industry.name_zh.as_alias("industry_name_zh"),
        OrgGroup.industry.name_en.as_alias("industry_name_en"),
        OrgGroup.industry.sort_order.as_alias("industry_order"),
    )


def _group_of(row: dict) -> GroupOut:
    regional = row["kind"] == "regional"
    return GroupOut(
        id=row["id"],
        kind=row["kind"],
        slug=row["slug"],
        name_zh=(row["segment_name_zh"] if regional else row["industry_name_zh"]) or "",
        name_en=(row["segment_name_en"] if regional else row["industry_name_en"]) or "",
        segment_id=row["segment_id"],
        industry_id=row["industry_id"],
        first_number=row["first_number"] if regional else None,
        last_number=row["last_number"] if regional else None,
    )


def _order(row: dict) -> tuple:
    if row["kind"] == "regional":
        return (0, row["segment_order"] or 0, row["first_number"] or 0, row["id"])
    return (1, row["industry_order"] or 0, row["industry_id"] or 0, row["id"])


async def _open_shop_counts() -> tuple[dict[int, int], dict[int, int]]:
    by_segment = await Shop.select(Shop.segment, Count()).where(Shop.status == "open").group_by(Shop.segment)
    by_industry = await Shop.select(Shop.industry, Count()).where(Shop.status == "open").group_by(Shop.industry)
    return (
        {row["segment"]: row["count"] for row in by_segment},
        {row["industry"]: row["count"] for row in by_industry},
    )


async def _support(group_id: int | None = None) -> dict[int, dict[int, int]]:
    """{group: {candidate: number of the group's open shops backing them}}; backings of shops that left don't count."""
    sql = (
        'SELECT b."group" AS group_id, b.candidate AS person_id, COUNT(*) AS shops '
        'FROM group_leader_backing b JOIN shop s ON s.id = b.shop JOIN org_group g ON g.id = b."group" '
        f"WHERE s.status = 'open' AND {_IN_GROUP}"
    )
    args: list = []
    if group_id is not None:
        sql += ' AND b."group" = {}'
        args.append(group_id)
    rows = await OrgGroup.raw(sql + ' GROUP BY b."group", b.candidate', *args)
    support: dict[int, dict[int, int]] = {}
    for row in rows:
        support.setdefault(row["group_id"], {})[row["person_id"]] = row["shops"]
    return support


async def _eligible(
    group_id: int | None = None, person_ids: set[int] | None = None
) -> dict[int, list[CandidateChoice]]:
    """{group: merchants who act for one of its open shops}, in road order; one row per person and group."""
    sql = (
        "SELECT g.id AS group_id, sm.person AS person_id, p.display_name AS display_name, "
        "s.id AS shop_id, s.name AS shop_name "
        f"FROM org_group g JOIN shop s ON {_IN_GROUP} JOIN shop_merchant sm ON sm.shop = s.id "
        "JOIN person p ON p.id = sm.person WHERE s.status = 'open' AND p.is_active = {}"
    )
    args: list = [True]
    if group_id is not None:
        sql += " AND g.id = {}"
        args.append(group_id)
    if person_ids is not None:
        if not person_ids:
            return {}
        sql += " AND sm.person IN (" + ", ".join("{}" for _ in person_ids) + ")"
        args.extend(sorted(person_ids))
    rows = await OrgGroup.raw(sql + " ORDER BY s.street_number, s.id, sm.person", *args)
    eligible: dict[int, list[CandidateChoice]] = {}
    seen: set[tuple[int, int]] = set()
    for row in rows:
        if (row["group_id"], row["person_id"]) in seen:
            continue
        seen.add((row["group_id"], row["person_id"]))
        eligible.setdefault(row["group_id"], []).append(
            msgspec.convert(
                {key: row[key] for key in ("person_id", "display_name", "shop_id", "shop_name")}, CandidateChoice
            )
        )
    return eligible


def _leader_of(
    group: GroupOut, appointed: int | None, support: dict[int, int], eligible: list[CandidateChoice], show_names: bool
) -> LeaderOut | None:
    """A majority of the group's open shops chooses; without one, the staff appointment holds."""
    by_person = {choice.person_id: choice for choice in eligible}
    backed = sorted(
        ((count, person) for person, count in support.items() if person in by_person),
        key=lambda item: (-item[0], item[1]),
    )
    if backed and backed[0][0] * 2 > group.open_shops:
        count, person, source = backed[0][0], backed[0][1], "chosen"
    elif appointed in by_person:
        count, person, source = support.get(appointed, 0), appointed, "appointed"
    else:
        return None
    choice = by_person[person]
    return LeaderOut(
        person_id=person if show_names else None,
        display_name=choice.display_name if show_names else "",
        shop_id=choice.shop_id,
        shop_name=choice.shop_name,
        source=source,
        backing_shops=count,
    )


async def list_groups(show_names: bool = False) -> list[GroupOut]:
    """Every group with its open shops and leader: five statements, however many groups there are."""
    rows = sorted(await OrgGroup.select(*_group_columns()), key=_order)
    by_segment, by_industry = await _open_shop_counts()
    support = await _support()
    candidates = {person for backings in support.values() for person in backings}
    candidates |= {row["appointed_leader"] for row in rows if row["appointed_leader"]}
    eligible = await _eligible(person_ids=candidates)
    groups = []
    for row in rows:
        group = _group_of(row)
        group.open_shops = (
            by_segment.get(group.segment_id, 0) if group.kind == "regional" else by_industry.get(group.industry_id, 0)
        )
        group.leader = _leader_of(
            group, row["appointed_leader"], support.get(group.id, {}), eligible.get(group.id, []), show_names
        )
        groups.append(group)
    return groups


async def _find_group(ref: str | int) -> dict:
    text = str(ref).strip()
    if text.isascii() and text.isdigit():  # "¹".isdigit() is true too, and int() refuses it
        if int(text) > 2**31 - 1:  # no such row, and beyond what the database takes as an id
            raise NotFound("No such group.")
        condition = OrgGroup.id == int(text)
    else:
        condition = OrgGroup.slug == text
    row = await OrgGroup.select(*_group_columns()).where(condition).first()
    if row is None:
        raise NotFound("No such group.")
    return row


async def group_slug(group_id: int) -> str:
    return (await _find_group(group_id))["slug"]


async def group_id_of(ref: str | int) -> int:
    return (await _find_group(ref))["id"]


def _membership(group: GroupOut):
    if group.kind == "regional":
        return Shop.segment == group.segment_id
    return Shop.industry == group.industry_id


async def get_group(ref: str | int, viewer: Viewer, page: int = 1) -> GroupDetail:
    """A group's page: its open shops (a page of them), their merchants, strip map, leader and backing.

    What everybody with the same right to see names reads is kept until the next write (db.kept); the
    viewer's own shops and their backing are read for each request and added to a copy."""
    show_names = may_see_names(viewer)
    page, per_page = clamp(page, GROUP_PAGE_SIZE)
    shared = await kept(
        ("group_page", str(ref), page, show_names), lambda: _group_page(ref, page, per_page, show_names)
    )
    if not viewer.shop_ids:
        return shared
    group = shared.group
    my_shops = (
        await Shop.select(Shop.id, Shop.name)
        .where(_membership(group) & (Shop.status == "open") & Shop.id.is_in(sorted(viewer.shop_ids)))
        .order_by(Shop.street_number)
    )
    if not my_shops:
        return shared
    backings = await LeaderBacking.select(LeaderBacking.shop, LeaderBacking.candidate).where(
        (LeaderBacking.group == group.id) & LeaderBacking.shop.is_in([shop["id"] for shop in my_shops])
    )
    backed = {backing["shop"]: backing["candidate"] for backing in backings}
    my_backings = [
        MyBacking(shop_id=shop["id"], shop_name=shop["name"], candidate_id=backed.get(shop["id"])) for shop in my_shops
    ]
    return msgspec.structs.replace(shared, is_member=True, my_backings=my_backings)


async def _group_page(ref: str | int, page: int, per_page: int, show_names: bool) -> GroupDetail:
    row = await _find_group(ref)
    group = _group_of(row)
    in_group = _membership(group) & (Shop.status == "open")
    shops = await paginate(
        Shop.select(
            Shop.id,
            Shop.name,
            Shop.house_number,
            Shop.street_number,
            Shop.segment.name_zh.as_alias("segment_name_zh"),
            Shop.segment.name_en.as_alias("segment_name_en"),
            Shop.industry.name_zh.as_alias("industry_name_zh"),
            Shop.industry.name_en.as_alias("industry_name_en"),
        )
        .where(in_group)
        .order_by(Shop.street_number)
        .order_by(Shop.id),
        Shop.count().where(in_group),
        page,
        per_page,
        lambda shop: msgspec.convert(shop, GroupShopOut),
    )
    group.open_shops = shops.total
    if show_names and shops.items:
        merchants = await ShopMerchant.select(
            ShopMerchant.shop,
            ShopMerchant.person.as_alias("person_id"),
            ShopMerchant.person.display_name.as_alias("display_name"),
        ).where(
            ShopMerchant.shop.is_in([shop.id for shop in shops.items]) & (ShopMerchant.person.is_active == True)  # noqa: E712
        )
        by_shop: dict[int, list[GroupMerchantOut]] = {}
        for merchant in merchants:
            by_shop.setdefault(merchant["shop"], []).append(
                GroupMerchantOut(person_id=merchant["person_id"], display_name=merchant["display_name"])
            )
        for shop in shops.items:
            shop.merchants = by_shop.get(shop.id, [])
    strip = None
    if group.kind == "regional":
        first, last = group.first_number or 0, group.last_number or 0
        strip = lay_out_strip(first, last, await markers_between(first, last))
    support = (await _support(group.id)).get(group.id, {})
    eligible = (await _eligible(group_id=group.id)).get(group.id, [])
    group.leader = _leader_of(group, row["appointed_leader"], support, eligible, show_names)
    detail = GroupDetail(group=group, shops=shops, strip=strip, is_member=False)
    if show_names:
        names = {choice.person_id: choice.display_name for choice in eligible}
        detail.support = [
            SupportOut(person_id=person, display_name=names[person], shops=count)
            for person, count in sorted(support.items(), key=lambda item: (-item[1], item[0]))
            if person in names
        ]
        detail.candidates = eligible
    return detail


async def merchants_of_groups(group_ids: list[int]) -> set[int]:
    """The active people acting for an open shop of any of these groups (who an invitation to a group reaches)."""
    if not group_ids:
        return set()
    eligible = await _eligible(person_ids=None) if len(group_ids) > 1 else await _eligible(group_ids[0])
    return {choice.person_id for group_id in group_ids for choice in eligible.get(group_id, [])}
