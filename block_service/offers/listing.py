"""Finding offers: the list by kind, segment and "open now" (Beijing time), a shop's offers, one offer, markers."""

from __future__ import annotations

import datetime as dt
import functools

import msgspec

from block_service import clock
from block_service.errors import NotFound
from block_service.offers.hours import DAY, is_open_at, week_minute
from block_service.offers.publishing import block_date
from block_service.offers.schemas import HoursOut, OfferFilter, OfferMarker, OfferOut
from block_service.offers.tables import Offer, OfferHours
from block_service.pagination import Page, clamp, paginate

MAX_MARKERS = 300


@functools.cache
def _columns() -> tuple:
    """Built once: Piccolo's joined columns are costly to build on every query."""
    return (
        Offer.id,
        Offer.shop.as_alias("shop_id"),
        Offer.shop.name.as_alias("shop_name"),
        Offer.shop.house_number.as_alias("house_number"),
        Offer.shop.street_number.as_alias("street_number"),
        Offer.shop.segment.as_alias("segment_id"),
        Offer.kind.as_alias("kind_id"),
        Offer.kind.slug.as_alias("kind_slug"),
        Offer.kind.name_zh.as_alias("kind_name_zh"),
        Offer.kind.name_en.as_alias("kind_name_en"),
        Offer.description,
        Offer.conditions,
        Offer.valid_until,
        Offer.status,
        Offer.thanks_count,
    )


def listed(today: dt.date):
    """Offers the public sees: active, not past their last day, of an open shop."""
    return (Offer.status == "active") & (Offer.valid_until >= today) & (Offer.shop.status == "open")


def _open_at(moment: dt.datetime):
    """Offers with a range covering this moment: today's, or yesterday's running past midnight (Sunday's
    into Monday's)."""
    minute = week_minute(moment)
    weekday, at = divmod(minute, DAY)
    yesterday = (weekday + 6) % 7
    covering = OfferHours.select(OfferHours.offer).where(
        ((OfferHours.weekday == weekday) & (OfferHours.opens <= at) & (OfferHours.closes > at))
        | ((OfferHours.weekday == yesterday) & (OfferHours.closes > DAY + at))
    )
    return Offer.id.is_in(covering)


async def _with_hours(rows: list[dict], moment: dt.datetime) -> list[OfferOut]:
    """The offers with their hours (one statement for all of them) and whether each is open at `moment`."""
    ids = [row["id"] for row in rows]
    hours: dict[int, list[HoursOut]] = {offer_id: [] for offer_id in ids}
    if ids:
        for row in (
            await OfferHours.select(OfferHours.offer, OfferHours.weekday, OfferHours.opens, OfferHours.closes)
            .where(OfferHours.offer.is_in(ids))
            .order_by(OfferHours.weekday)
            .order_by(OfferHours.opens)
        ):
            hours[row["offer"]].append(HoursOut(weekday=row["weekday"], opens=row["opens"], closes=row["closes"]))
    out = []
    for row in rows:
        ranges = [(h.weekday, h.opens, h.closes) for h in hours[row["id"]]]
        out.append(
            msgspec.convert(
                {**row, "hours": hours[row["id"]], "open_now": is_open_at(ranges, moment)},
                OfferOut,
                from_attributes=True,
            )
        )
    return out


async def list_offers(filters: OfferFilter) -> Page[OfferOut]:
    """Three statements a page (rows, count, their hours), whatever its size."""
    page, per_page = clamp(filters.page, filters.per_page)
    moment = clock.now()
    conditions = [listed(block_date(moment))]
    if filters.kind:
        conditions.append(Offer.kind == filters.kind)
    if filters.segment:
        conditions.append(Offer.shop.segment == filters.segment)
    if filters.shop:
        conditions.append(Offer.shop == filters.shop)
    if filters.open_now:
        conditions.append(_open_at(moment))
    query = Offer.select(*_columns()).order_by(Offer.shop.street_number).order_by(Offer.id)
    count = Offer.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    result = await paginate(query, count, page, per_page, lambda row: row)
    return Page(
        items=await _with_hours(result.items, moment),
        page=result.page,
        per_page=result.per_page,
        total=result.total,
        total_capped=result.total_capped,
    )


async def offers_of_shop(shop_id: int) -> list[OfferOut]:
    """The shop's listed offers, for its page."""
    moment = clock.now()
    rows = (
        await Offer.select(*_columns())
        .where(listed(block_date(moment)) & (Offer.shop == shop_id))
        .order_by(Offer.kind.sort_order)
        .order_by(Offer.id)
    )
    return await _with_hours(rows, moment)


async def get_offer(offer_id: int) -> OfferOut:
    """One offer, listed or not (its merchants and thankers still reach its page); NotFound otherwise."""
    rows = await Offer.select(*_columns()).where(Offer.id == offer_id)
    if not rows:
        raise NotFound("No such offer.")
    return (await _with_hours(rows, clock.now()))[0]


async def offer_markers(segment_id: int | None = None, kind_id: int | None = None) -> list[OfferMarker]:
    """Listed offers as strip-map markers (house number, label, page, open now), in road order.

    `label` is the kind's Chinese name and the shop's name: the road's own words; the page shows the kind in
    the reader's language beside it.
    """
    moment = clock.now()
    query = (
        Offer.select(*_columns())
        .where(listed(block_date(moment)))
        .order_by(Offer.shop.street_number)
        .order_by(Offer.id)
        .limit(MAX_MARKERS)
    )
    if segment_id:
        query = query.where(Offer.shop.segment == segment_id)
    if kind_id:
        query = query.where(Offer.kind == kind_id)
    return [
        OfferMarker(
            offer_id=offer.id,
            shop_id=offer.shop_id,
            house_number=offer.house_number,
            street_number=offer.street_number,
            label=f"{offer.kind_name_zh} · {offer.shop_name}",
            href=f"/offers/{offer.id}",
            open_now=offer.open_now,
        )
        for offer in await _with_hours(await query, moment)
    ]
