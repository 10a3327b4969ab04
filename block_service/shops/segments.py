"""House numbers, road segments and industries: reading them, and their upkeep by staff."""

from __future__ import annotations

import re

import msgspec

from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.cache import cached, forget
from block_service.db import duplicate_means, write_transaction
from block_service.errors import FormInvalid, Invalid, NotFound
from block_service.i18n import N_
from block_service.shops.events import categories_saved
from block_service.shops.schemas import (
    IndustryForm,
    IndustryOut,
    SegmentForm,
    SegmentOut,
)
from block_service.shops.tables import Industry, Segment, Shop

# "1125", "1125号", "凌岩南路1125号", "1141弄12号", "1141弄": the road number comes first.
HOUSE_NUMBER_PATTERN = re.compile(r"^(?:凌岩南路)?\s*(\d{1,5})\s*(号|弄.*)?$")


def parse_house_number(text: str) -> tuple[str, int]:
    """(normalised house number, road number) or Invalid."""
    cleaned = text.strip().replace(" ", "")
    match = HOUSE_NUMBER_PATTERN.match(cleaned)
    if not match:
        raise Invalid("Enter a house number on Lingyan South Road, such as 1125号 or 1141弄12号.", field="house_number")
    number = int(match.group(1))
    rest = match.group(2) or "号"
    return f"{number}{rest}", number


async def list_segments() -> list[SegmentOut]:
    async def load() -> list[SegmentOut]:
        rows = await Segment.select().order_by(Segment.sort_order).order_by(Segment.first_number)
        return [msgspec.convert(row, SegmentOut) for row in rows]

    return await cached("segments", load)


async def list_industries() -> list[IndustryOut]:
    async def load() -> list[IndustryOut]:
        rows = await Industry.select().order_by(Industry.sort_order).order_by(Industry.id)
        return [msgspec.convert(row, IndustryOut) for row in rows]

    return await cached("industries", load)


async def segment_for_number(number: int) -> int:
    row = (
        await Segment.select(Segment.id)
        .where((Segment.first_number <= number) & (Segment.last_number >= number))
        .first()
    )
    if row is None:
        raise Invalid(
            "House number %(number)s is not on the block's part of Lingyan South Road.",
            field="house_number",
            number=number,
        )
    return row["id"]


async def _check_segment_range(form: SegmentForm, segment_id: int | None) -> None:
    if form.first_number > form.last_number:
        raise FormInvalid({"last_number": N_("The last number must not be smaller than the first.")})
    overlap = Segment.select(Segment.slug).where(
        (Segment.first_number <= form.last_number) & (Segment.last_number >= form.first_number)
    )
    if segment_id is not None:
        overlap = overlap.where(Segment.id != segment_id)
    clash = await overlap.first()
    if clash:
        raise FormInvalid({"first_number": N_("This range overlaps the segment %(slug)s.")}, slug=clash["slug"])


async def save_segment(staff: Viewer, form: SegmentForm, segment_id: int | None = None) -> int:
    """Create or change a segment. A segment that shops stand in may change its range only to keep them."""
    await _check_segment_range(form, segment_id)
    values = msgspec.structs.asdict(form)
    with duplicate_means(FormInvalid({"slug": N_("This short name is already used.")})):
        async with write_transaction():
            if segment_id is None:
                rows = await Segment.insert(Segment(**values)).returning(Segment.id)
                segment_id = rows[0]["id"]
                before = None
            else:
                before = await Segment.select().where(Segment.id == segment_id).first()
                if before is None:
                    raise NotFound("No such segment.")
                outside = await Shop.exists().where(
                    (Shop.segment == segment_id)
                    & ((Shop.street_number < form.first_number) | (Shop.street_number > form.last_number))
                )
                if outside:
                    raise FormInvalid({"first_number": N_("Shops in this segment would fall outside the new range.")})
                await Segment.update(values).where(Segment.id == segment_id)
            forget("segments")
            await record_change(
                actor_id=staff.person_id,
                action="segment.saved",
                object_type="segment",
                object_id=segment_id,
                before=before,
                after=values,
            )
            await categories_saved(staff.person_id)  # the groups domain makes a new segment a regional group
    return segment_id


async def save_industry(staff: Viewer, form: IndustryForm, industry_id: int | None = None) -> int:
    values = msgspec.structs.asdict(form)
    with duplicate_means(FormInvalid({"slug": N_("This short name is already used.")})):
        async with write_transaction():
            if industry_id is None:
                rows = await Industry.insert(Industry(**values)).returning(Industry.id)
                industry_id = rows[0]["id"]
                before = None
            else:
                before = await Industry.select().where(Industry.id == industry_id).first()
                if before is None:
                    raise NotFound("No such industry.")
                await Industry.update(values).where(Industry.id == industry_id)
            forget("industries")
            await record_change(
                actor_id=staff.person_id,
                action="industry.saved",
                object_type="industry",
                object_id=industry_id,
                before=before,
                after=values,
            )
            await categories_saved(staff.person_id)  # the groups domain makes a new industry an industry group
    return industry_id


async def _check_industry(industry_id: int) -> None:
    if not await Industry.exists().where(Industry.id == industry_id):
        raise Invalid("Choose an industry from the list.", field="industry_id")
