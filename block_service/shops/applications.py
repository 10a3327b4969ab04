"""Applications to act for a shop: applying, the staff's queue, approval and rejection."""

from __future__ import annotations

import functools

import msgspec

from block_service import clock
from block_service.accounts.roles import grant_role
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, NotFound
from block_service.pagination import Page, clamp, paginate
from block_service.shops.schemas import (
    ApplicationOut,
    ShopApplicationForm,
)
from block_service.shops.segments import _check_industry, parse_house_number, segment_for_number
from block_service.shops.tables import Shop, ShopApplication, ShopMerchant


async def apply_for_shop(viewer: Viewer, form: ShopApplicationForm) -> int:
    """A signed-in person asks to act for a shop (a new one, or one already registered)."""
    house_number, street_number = parse_house_number(form.house_number)
    await _check_industry(form.industry_id)
    segment_id = await segment_for_number(street_number)
    licence = form.licence_number.upper()
    with duplicate_means(
        Conflict("You already have an application for this shop waiting for review.", field="licence_number")
    ):
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
