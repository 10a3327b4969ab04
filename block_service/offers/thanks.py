"""Residents answer an offer: "thank you, I used it" once a month, or "it was not honoured", which opens a thread."""

from __future__ import annotations

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, Invalid
from block_service.offers.kinds import not_honoured_category
from block_service.offers.listing import get_offer
from block_service.offers.notices import tell_merchants
from block_service.offers.publishing import block_date
from block_service.offers.tables import Offer, OfferThanks
from block_service.threads.opening import open_thread
from block_service.threads.schemas import ThreadForm


def month_of(moment) -> str:
    """The month on the road (YYYY-MM, Beijing time): the unit of "once a month"."""
    return moment.astimezone(clock.BLOCK_TIMEZONE).strftime("%Y-%m")


async def _listed_offer(offer_id: int):
    offer = await get_offer(offer_id)
    if offer.status != "active" or offer.valid_until < block_date():
        raise Conflict("This offer is no longer listed.")
    return offer


async def thank_offer(viewer: Viewer, offer_id: int) -> None:
    """Once per person, offer and month: the unique index decides between two taps at once."""
    offer = await _listed_offer(offer_id)
    if viewer.acts_for(offer.shop_id):
        raise Forbidden("A shop does not thank itself.")
    now = clock.now()
    month = month_of(now)
    with duplicate_means(Conflict("You already thanked this shop for this offer this month.")):
        async with write_transaction():
            await OfferThanks.insert(OfferThanks(offer=offer_id, person=viewer.person_id, month=month, created_at=now))
            await Offer.update({Offer.thanks_count: Offer.thanks_count + 1}).where(Offer.id == offer_id)
            await tell_merchants(offer.shop_id, offer_id, "thanked", now=now, skip=viewer.person_id)


async def thanked_this_month(person_id: int | None, offer_ids: list[int]) -> set[int]:
    """Which of these offers the person already thanked this month (one statement)."""
    if person_id is None or not offer_ids:
        return set()
    rows = await OfferThanks.select(OfferThanks.offer).where(
        (OfferThanks.person == person_id)
        & (OfferThanks.month == month_of(clock.now()))
        & OfferThanks.offer.is_in(offer_ids)
    )
    return {row["offer"] for row in rows}


async def report_not_honoured(viewer: Viewer, offer_id: int, title: str, body: str) -> int:
    """A report about the shop in the category for offers not honoured; the shop's merchants are told as usual."""
    offer = await _listed_offer(offer_id)
    if viewer.acts_for(offer.shop_id):
        raise Forbidden("A shop does not report itself.")
    category_id = await not_honoured_category()
    if category_id is None:
        raise Invalid("Choose a category from the list.", field="category_id")
    form = ThreadForm(
        kind="report",
        title=title[:80],
        body=body,
        category_id=category_id,
        house_number=offer.house_number,
        shop_id=offer.shop_id,
    )
    return await open_thread(viewer, form)


async def export_of(person_id: int) -> dict:
    """What offers hold about a person, for their data export: their thanks and the offers they published."""
    thanked = await OfferThanks.select(OfferThanks.offer, OfferThanks.month, OfferThanks.created_at).where(
        OfferThanks.person == person_id
    )
    published = await Offer.select(
        Offer.id, Offer.shop, Offer.description, Offer.valid_until, Offer.status, Offer.created_at
    ).where(Offer.created_by == person_id)
    return {"thanks": thanked, "published": published}


async def release_thanks_of(person_id: int) -> None:
    """Inside the caller's transaction (an account deleted): their thanks go; the offers' counts stay."""
    await OfferThanks.delete().where(OfferThanks.person == person_id)
