"""The demo block's offers and needs: a dozen offers across kinds and hours (some at night), needs, one met."""

import datetime as dt

from block_service.clock import BLOCK_TIMEZONE
from block_service.needs.tables import Need
from block_service.offers.hours import is_open_at
from block_service.offers.tables import Offer, OfferHours
from block_service.seed import seed_demo


async def test_the_demo_has_a_dozen_offers_some_open_at_night_and_needs(db):
    assert await seed_demo()
    offers = await Offer.select(Offer.id, Offer.kind, Offer.thanks_count)
    assert len(offers) >= 12 and len({row["kind"] for row in offers}) >= 9
    assert any(row["thanks_count"] for row in offers)
    hours = await OfferHours.select()
    by_offer: dict[int, list] = {}
    for row in hours:
        by_offer.setdefault(row["offer"], []).append((row["weekday"], row["opens"], row["closes"]))
    at_night = dt.datetime(2026, 12, 4, 0, 30, tzinfo=BLOCK_TIMEZONE)  # a Friday, half past midnight
    assert sum(is_open_at(ranges, at_night) for ranges in by_offer.values()) >= 2
    statuses = {row["status"] for row in await Need.select(Need.status)}
    assert {"open", "met"} <= statuses
    from block_service.pledges.tables import Pledge

    assert await Pledge.count().where(Pledge.subject_kind == "need") >= 5
