"""Shop rules: the road's segments, industries, applications to act for a shop, and shop records."""

from __future__ import annotations

import functools
import re

import msgspec

from block_service import clock
from block_service.accounts.roles import grant_role, revoke_role
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.cache import cached, forget
from block_service.db import contains, is_unique_violation, write_transaction
from block_service.errors import Conflict, Forbidden, FormInvalid, Invalid, NotFound
from block_service.i18n import gettext as _
from block_service.pagination import Page, clamp, paginate
from block_service.shops.events import categories_saved
from block_service.shops.schemas import (
    ApplicationOut,
    IndustryForm,
    IndustryOut,
    MerchantOut,
    MerchantShopForm,
    SegmentForm,
    SegmentOut,
    ShopApplicationForm,
    ShopDetail,
    ShopFilter,
    ShopOut,
    StaffShopForm,
)
from block_service.shops.tables import Industry, Segment, Shop, ShopApplication, ShopMerchant

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


# ---- segments and industries -------------------------------------------------------------


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
        raise FormInvalid({"last_number": _("The last number must not be smaller than the first.")})
    overlap = Segment.select(Segment.slug).where(
        (Segment.first_number <= form.last_number) & (Segment.last_number >= form.first_number)
    )
    if segment_id is not None:
        overlap = overlap.where(Segment.id != segment_id)
    clash = await overlap.first()
    if clash:
        raise FormInvalid({"first_number": _("This range overlaps the segment %(slug)s.", slug=clash["slug"])})


async def save_segment(staff: Viewer, form: SegmentForm, segment_id: int | None = None) -> int:
    """Create or change a segment. A segment that shops stand in may change its range only to keep them."""
    await _check_segment_range(form, segment_id)
    values = msgspec.structs.asdict(form)
    try:
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
                    raise FormInvalid({"first_number": _("Shops in this segment would fall outside the new range.")})
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
    except Exception as error:
        if is_unique_violation(error):
            raise FormInvalid({"slug": _("This short name is already used.")}) from None
        raise
    return segment_id


async def save_industry(staff: Viewer, form: IndustryForm, industry_id: int | None = None) -> int:
    values = msgspec.structs.asdict(form)
    try:
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
    except Exception as error:
        if is_unique_violation(error):
            raise FormInvalid({"slug": _("This short name is already used.")}) from None
        raise
    return industry_id


async def _check_industry(industry_id: int) -> None:
    if not await Industry.exists().where(Industry.id == industry_id):
        raise Invalid("Choose an industry from the list.", field="industry_id")


# ---- shops -----------------------------------------------------------------------------------


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


# ---- applications ----------------------------------------------------------------------------


async def apply_for_shop(viewer: Viewer, form: ShopApplicationForm) -> int:
    """A signed-in person asks to act for a shop (a new one, or one already registered)."""
    house_number, street_number = parse_house_number(form.house_number)
    await _check_industry(form.industry_id)
    segment_id = await segment_for_number(street_number)
    licence = form.licence_number.upper()
    try:
        async with write_transaction():
            shop = await Shop.select(Shop.id).where(Shop.licence_number == licence).first()
            if shop and await ShopMerchant.exists().where(
                (ShopMerchant.shop == shop["id"]) & (ShopMerchant.person == viewer.person_id)
            ):
                raise Conflict("You already act for this shop.", field="licence_number")
            if await ShopApplication.exists().where(
                (ShopApplication.applicant == viewer.person_id)
                & (ShopApplication.licence_number == licence)
                & (ShopApplication.status == "pending")
            ):
                raise Conflict(
                    "You already have an application for this shop waiting for review.", field="licence_number"
                )
            rows = await ShopApplication.insert(
                ShopApplication(
                    applicant=viewer.person_id,
                    shop_name=form.shop_name,
                    house_number=house_number,
                    street_number=street_number,
                    segment=segment_id,
                    industry=form.industry_id,
                    licence_number=licence,
                    phone=form.phone,
                    shop=shop["id"] if shop else None,
                    created_at=clock.now(),
                )
            ).returning(ShopApplication.id)
            application_id = rows[0]["id"]
            await record_change(
                actor_id=viewer.person_id,
                action="shop_application.submitted",
                object_type="shop_application",
                object_id=application_id,
                after={"shop_name": form.shop_name, "house_number": house_number, "licence_number": licence},
            )
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict(
                "You already have an application for this shop waiting for review.", field="licence_number"
            ) from None
        raise
    return application_id


@functools.cache
def _application_columns() -> tuple:
    return (
        ShopApplication.id,
        ShopApplication.applicant.as_alias("applicant_id"),
        ShopApplication.applicant.display_name.as_alias("applicant_name"),
        ShopApplication.shop_name,
        ShopApplication.house_number,
        ShopApplication.segment.name_zh.as_alias("segment_name_zh"),
        ShopApplication.segment.name_en.as_alias("segment_name_en"),
        ShopApplication.industry.name_zh.as_alias("industry_name_zh"),
        ShopApplication.industry.name_en.as_alias("industry_name_en"),
        ShopApplication.licence_number,
        ShopApplication.phone,
        ShopApplication.status,
        ShopApplication.reason,
        ShopApplication.shop.as_alias("shop_id"),
        ShopApplication.created_at,
        ShopApplication.reviewed_at,
    )


async def list_applications(status: str = "pending", page: int = 1, per_page: int = 20) -> Page[ApplicationOut]:
    page, per_page = clamp(page, per_page)
    query = ShopApplication.select(*_application_columns()).where(ShopApplication.status == status)
    query = query.order_by(ShopApplication.id, ascending=status != "pending")
    count = ShopApplication.count().where(ShopApplication.status == status)
    return await paginate(query, count, page, per_page, lambda row: msgspec.convert(row, ApplicationOut))


async def applications_of(person_id: int) -> list[ApplicationOut]:
    rows = (
        await ShopApplication.select(*_application_columns())
        .where(ShopApplication.applicant == person_id)
        .order_by(ShopApplication.id, ascending=False)
        .limit(50)
    )
    return [msgspec.convert(row, ApplicationOut) for row in rows]


async def count_pending_applications() -> int:
    return await ShopApplication.count().where(ShopApplication.status == "pending")


async def _claim_pending(application_id: int, status: str, staff: Viewer, now) -> dict:
    """Decide an application by one conditional UPDATE: of two staff deciding at once (on PostgreSQL the
    reads would not block each other), exactly one wins and the other is told it was already decided."""
    claimed = (
        await ShopApplication.update(
            {
                ShopApplication.status: status,
                ShopApplication.reviewed_by: staff.person_id,
                ShopApplication.reviewed_at: now,
            }
        )
        .where((ShopApplication.id == application_id) & (ShopApplication.status == "pending"))
        .returning(*ShopApplication.all_columns())
    )
    if claimed:
        return claimed[0]
    if not await ShopApplication.exists().where(ShopApplication.id == application_id):
        raise NotFound("No such application.")
    raise Conflict("This application has already been decided.")


async def approve_application(staff: Viewer, application_id: int) -> int:
    """Approve: the shop is registered (or found by licence), the person acts for it and becomes a merchant."""
    async with write_transaction():
        now = clock.now()
        application = await _claim_pending(application_id, "approved", staff, now)
        shop = (
            await Shop.select(Shop.id, Shop.status).where(Shop.licence_number == application["licence_number"]).first()
        )
        if shop is None:
            rows = await Shop.insert(
                Shop(
                    name=application["shop_name"],
                    house_number=application["house_number"],
                    street_number=application["street_number"],
                    segment=application["segment"],
                    industry=application["industry"],
                    licence_number=application["licence_number"],
                    phone=application["phone"],
                    created_at=now,
                )
            ).returning(Shop.id)
            shop_id = rows[0]["id"]
            await record_change(
                actor_id=staff.person_id,
                action="shop.registered",
                object_type="shop",
                object_id=shop_id,
                after={"name": application["shop_name"], "house_number": application["house_number"]},
            )
        else:
            shop_id = shop["id"]
            if shop["status"] == "closed":
                raise Conflict("This shop is closed; reopen it before adding merchants.")
        already = await ShopMerchant.exists().where(
            (ShopMerchant.shop == shop_id) & (ShopMerchant.person == application["applicant"])
        )
        if not already:
            await ShopMerchant.insert(ShopMerchant(shop=shop_id, person=application["applicant"], since=now))
        await ShopApplication.update({ShopApplication.shop: shop_id}).where(ShopApplication.id == application_id)
        await record_change(
            actor_id=staff.person_id,
            action="shop_application.approved",
            object_type="shop_application",
            object_id=application_id,
            before={"status": "pending"},
            after={"status": "approved", "shop": shop_id},
        )
        await grant_role(staff.person_id, application["applicant"], "merchant")
    return shop_id


async def reject_application(staff: Viewer, application_id: int, reason: str) -> None:
    async with write_transaction():
        await _claim_pending(application_id, "rejected", staff, clock.now())
        await ShopApplication.update({ShopApplication.reason: reason}).where(ShopApplication.id == application_id)
        await record_change(
            actor_id=staff.person_id,
            action="shop_application.rejected",
            object_type="shop_application",
            object_id=application_id,
            before={"status": "pending"},
            after={"status": "rejected", "reason": reason},
        )


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


# ---- a deleted account ---------------------------------------------------------------------------


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
