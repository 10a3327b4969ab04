"""The kinds of offer staff keep (seeded once), and the thread category for an offer that was not honoured."""

from __future__ import annotations

import msgspec

from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.cache import cached, forget
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Invalid, NotFound
from block_service.offers.schemas import OfferKindForm, OfferKindOut
from block_service.offers.tables import OfferKind
from block_service.threads.tables import Category

KINDS = [
    ("drinking-water", "饮用水", "Drinking water"),
    ("toilet", "卫生间", "Toilet"),
    ("phone-charging", "手机充电", "Phone charging"),
    ("seat", "歇脚座位", "A seat to rest"),
    ("umbrella", "爱心雨伞", "Umbrella loan"),
    ("parcel-pickup", "代收快递", "Parcel pickup"),
    ("elderly-discount", "老人优惠", "Discount for the elderly"),
    ("first-aid", "急救药箱", "First-aid kit"),
    ("wifi", "免费Wi-Fi", "Free Wi-Fi"),
    ("other", "其他便民服务", "Other"),
]
# The report a resident files when a shop did not honour its offer (also added to an existing block by the
# migration block_2026_11_29t08_40_01_000000.py).
NOT_HONOURED = ("report", "offer-not-honoured", "便民服务未兑现", "Offer not honoured", 72)


async def ensure_offer_reference_data() -> None:
    """Inside the caller's write: the kinds into an empty table, the category by its code (staff edits stay)."""
    if not await OfferKind.exists():
        for order, (slug, name_zh, name_en) in enumerate(KINDS):
            await OfferKind.insert(OfferKind(slug=slug, name_zh=name_zh, name_en=name_en, sort_order=order))
    kind, slug, name_zh, name_en, hours = NOT_HONOURED
    if not await Category.exists().where(Category.slug == slug):
        await Category.insert(
            Category(kind=kind, slug=slug, name_zh=name_zh, name_en=name_en, response_hours=hours, sort_order=60)
        )


async def list_kinds(active_only: bool = True) -> list[OfferKindOut]:
    async def load() -> list[OfferKindOut]:
        rows = await OfferKind.select().order_by(OfferKind.sort_order).order_by(OfferKind.id)
        return [msgspec.convert(row, OfferKindOut) for row in rows]

    kinds = await cached("offer_kinds", load)
    return [kind for kind in kinds if kind.active or not active_only]


async def not_honoured_category() -> int | None:
    row = await Category.select(Category.id).where(Category.slug == NOT_HONOURED[1]).first()
    return row["id"] if row else None


async def save_kind(staff: Viewer, form: OfferKindForm, kind_id: int | None = None) -> int:
    values = msgspec.structs.asdict(form)
    with duplicate_means(Invalid("This code is already used.", field="slug")):
        async with write_transaction():
            before = None
            if kind_id is None:
                rows = await OfferKind.insert(OfferKind(**values)).returning(OfferKind.id)
                kind_id = rows[0]["id"]
            else:
                before = await OfferKind.select().where(OfferKind.id == kind_id).first()
                if before is None:
                    raise NotFound("No such kind of offer.")
                await OfferKind.update(values).where(OfferKind.id == kind_id)
            await record_change(
                actor_id=staff.person_id,
                action="offer_kind.saved",
                object_type="offer_kind",
                object_id=kind_id,
                before=before,
                after=values,
            )
    forget("offer_kinds")
    return kind_id
