"""A merchant publishes, changes and withdraws their shop's offers; the rules of hours, dates and shops."""

from __future__ import annotations

import datetime as dt

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import write_transaction
from block_service.errors import Conflict, Forbidden, FormInvalid, NotFound
from block_service.i18n import N_
from block_service.offers.hours import Range, parse_week
from block_service.offers.schemas import OfferForm
from block_service.offers.tables import Offer, OfferHours, OfferKind
from block_service.shops.services import shop_ids_of
from block_service.shops.tables import Shop

LONGEST_VALIDITY = dt.timedelta(days=2 * 366)


def block_date(moment: dt.datetime | None = None) -> dt.date:
    """The date on the road at this moment (the one clock, so a fixed clock in a test moves it too)."""
    return (moment or clock.now()).astimezone(clock.BLOCK_TIMEZONE).date()


def _checked(form: OfferForm) -> tuple[dt.date, list[Range]]:
    """The offer's last day and its hours; every wrong field at once."""
    errors: dict[str, str] = {}
    valid_until = None
    try:
        valid_until = dt.date.fromisoformat(form.valid_until)
    except ValueError:
        errors["valid_until"] = N_("Enter a date as YYYY-MM-DD.")
    today = block_date()
    if valid_until is not None and valid_until < today:
        errors["valid_until"] = N_("The last day of the offer must be today or later.")
    elif valid_until is not None and valid_until > today + LONGEST_VALIDITY:
        errors["valid_until"] = N_("An offer runs for two years at most; publish it again after that.")
    ranges: list[Range] = []
    try:
        ranges = parse_week(form.day_fields())
    except FormInvalid as error:
        errors.update({field: message for field, (message, _params) in error.messages.items()})
    if errors:
        raise FormInvalid(errors)
    assert valid_until is not None
    return valid_until, ranges


async def _check_shop_and_kind(viewer: Viewer, shop_id: int, kind_id: int) -> None:
    if shop_id not in await shop_ids_of(viewer.person_id):
        raise Forbidden("You may publish offers only for a shop you act for.", field="shop_id")
    if not await Shop.exists().where((Shop.id == shop_id) & (Shop.status == "open")):
        raise Conflict("This shop is closed; a closed shop offers nothing.", field="shop_id")
    if not await OfferKind.exists().where((OfferKind.id == kind_id) & (OfferKind.active == True)):  # noqa: E712
        raise FormInvalid({"kind_id": N_("Choose a kind of offer from the list.")})


async def _write_hours(offer_id: int, ranges: list[Range]) -> None:
    await OfferHours.delete().where(OfferHours.offer == offer_id)
    await OfferHours.insert(
        *[OfferHours(offer=offer_id, weekday=day, opens=opens, closes=closes) for day, opens, closes in ranges]
    )


def _audit_values(form: OfferForm, valid_until: dt.date, ranges: list[Range]) -> dict:
    return {
        "kind": form.kind_id,
        "description": form.description,
        "conditions": form.conditions,
        "valid_until": valid_until.isoformat(),
        "hours": [list(r) for r in ranges],
    }


async def publish_offer(viewer: Viewer, form: OfferForm) -> int:
    """A merchant's offer for a shop they act for; nobody else's shop."""
    await _check_shop_and_kind(viewer, form.shop_id, form.kind_id)
    valid_until, ranges = _checked(form)
    now = clock.now()
    async with write_transaction():
        rows = await Offer.insert(
            Offer(
                shop=form.shop_id,
                kind=form.kind_id,
                description=form.description,
                conditions=form.conditions,
                valid_until=valid_until,
                created_by=viewer.person_id,
                created_at=now,
                updated_at=now,
            )
        ).returning(Offer.id)
        offer_id = rows[0]["id"]
        await _write_hours(offer_id, ranges)
        await record_change(
            actor_id=viewer.person_id,
            action="offer.published",
            object_type="offer",
            object_id=offer_id,
            after={"shop": form.shop_id, **_audit_values(form, valid_until, ranges)},
        )
    return offer_id


async def offer_shop(offer_id: int) -> int:
    row = await Offer.select(Offer.shop).where(Offer.id == offer_id).first()
    if row is None:
        raise NotFound("No such offer.")
    return row["shop"]


async def ensure_may_manage(viewer: Viewer, offer_id: int) -> int:
    """The offer's shop, when the viewer acts for it (or is staff); a refusal otherwise."""
    shop_id = await offer_shop(offer_id)
    if not viewer.is_staff and shop_id not in await shop_ids_of(viewer.person_id):
        raise Forbidden("Only the shop's own merchants change its offers.")
    return shop_id


async def update_offer(viewer: Viewer, offer_id: int, form: OfferForm) -> None:
    """The shop's merchants change the offer (its shop stays the same)."""
    shop_id = await offer_shop(offer_id)
    if form.shop_id != shop_id:
        raise Forbidden("An offer stays with its shop; publish a new one for another shop.", field="shop_id")
    await _check_shop_and_kind(viewer, shop_id, form.kind_id)
    valid_until, ranges = _checked(form)
    async with write_transaction():
        before = (
            await Offer.select(Offer.kind, Offer.description, Offer.conditions, Offer.valid_until, Offer.status)
            .where(Offer.id == offer_id)
            .first()
        )
        if before is None or before["status"] != "active":
            raise Conflict("This offer was withdrawn; publish a new one.")
        moved = before["valid_until"] != valid_until
        await Offer.update(
            {
                Offer.kind: form.kind_id,
                Offer.description: form.description,
                Offer.conditions: form.conditions,
                Offer.valid_until: valid_until,
                Offer.updated_at: clock.now(),
                # A new last day earns a new reminder a week before it.
                **({Offer.expiry_warned_at: None} if moved else {}),
            }
        ).where(Offer.id == offer_id)
        await _write_hours(offer_id, ranges)
        await record_change(
            actor_id=viewer.person_id,
            action="offer.updated",
            object_type="offer",
            object_id=offer_id,
            before={**before, "valid_until": str(before["valid_until"])},
            after=_audit_values(form, valid_until, ranges),
        )


async def withdraw_offer(viewer: Viewer, offer_id: int) -> int:
    """The shop's merchants (or staff) take the offer off the list; withdrawing twice changes nothing."""
    shop_id = await ensure_may_manage(viewer, offer_id)
    async with write_transaction():
        changed = (
            await Offer.update({Offer.status: "withdrawn", Offer.updated_at: clock.now()})
            .where((Offer.id == offer_id) & (Offer.status == "active"))
            .returning(Offer.id)
        )
        if changed:
            await record_change(
                actor_id=viewer.person_id,
                action="offer.withdrawn",
                object_type="offer",
                object_id=offer_id,
                before={"status": "active"},
                after={"status": "withdrawn"},
            )
    return shop_id
