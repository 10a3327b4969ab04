"""Helpers for offer tests: a fixed clock in Beijing time, an offer published through the service."""

from __future__ import annotations

import datetime as dt

from block_service import clock
from block_service.offers import kinds
from block_service.offers.publishing import publish_offer
from block_service.offers.schemas import OfferForm


def fix_clock(monkeypatch, local: str) -> dt.datetime:
    """Stop the block's clock at a Beijing time ("2026-11-29 23:30"; 2026-11-29 is a Sunday)."""
    moment = dt.datetime.fromisoformat(local).replace(tzinfo=clock.BLOCK_TIMEZONE).astimezone(dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)
    return moment


async def kind_id(slug: str = "drinking-water") -> int:
    return next(kind.id for kind in await kinds.list_kinds() if kind.slug == slug)


def offer_form(shop_id: int, kind: int, *, every_day: str = "", valid_until: str = "2027-06-30", **fields) -> OfferForm:
    days = {f"hours_{day}": every_day for day in range(7)}
    days.update({key: value for key, value in fields.items() if key.startswith("hours_")})
    rest = {key: value for key, value in fields.items() if not key.startswith("hours_")}
    return OfferForm(
        shop_id=shop_id,
        kind_id=kind,
        description=rest.pop("description", "免费提供温开水，自带杯子即可"),
        valid_until=valid_until,
        **days,
        **rest,
    )


async def make_offer(merchant, shop_id: int, slug: str = "drinking-water", **fields) -> int:
    return await publish_offer(merchant, offer_form(shop_id, await kind_id(slug), **fields))
