"""Listed community offers as markers on the road's strip map (groups/strip.py): every visitor may see them."""

from __future__ import annotations

from block_service import clock
from block_service.groups.schemas import StripMarker
from block_service.groups.strip import MAX_MARKERS_PER_KIND, register_markers
from block_service.i18n import N_
from block_service.offers.listing import listed
from block_service.offers.publishing import block_date
from block_service.offers.tables import Offer


async def offers_between(first_number: int, last_number: int) -> list[StripMarker]:
    """Offers of open shops in this range of house numbers, in road order; the label is the road's own words."""
    rows = (
        await Offer.select(
            Offer.id,
            Offer.kind.name_zh.as_alias("kind_name"),
            Offer.shop.name.as_alias("shop_name"),
            Offer.shop.house_number.as_alias("house_number"),
            Offer.shop.street_number.as_alias("street_number"),
        )
        .where(
            listed(block_date(clock.now()))
            & (Offer.shop.street_number >= first_number)
            & (Offer.shop.street_number <= last_number)
        )
        .order_by(Offer.shop.street_number)
        .order_by(Offer.id)
        .limit(MAX_MARKERS_PER_KIND)
    )
    return [
        StripMarker(
            street_number=row["street_number"],
            kind="offer",
            label=f"{row['kind_name']} · {row['shop_name']}",
            href=f"/offers/{row['id']}",
            house_number=row["house_number"],
        )
        for row in rows
    ]


register_markers("offer", N_("Community offers"), offers_between, count=N_("Offers: %(num)s"), shape="square", order=30)
