"""Offer pages: the list (kind, segment, open now), one offer (thanks, not honoured), publishing, staff's kinds."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Response, Template

from block_service import clock
from block_service.errors import DomainError, FormInvalid
from block_service.i18n import gettext as _
from block_service.i18n import localized
from block_service.offers import kinds, listing, markers, notices, publishing, thanks
from block_service.offers.hours import WEEKDAYS, format_day, weekday_at
from block_service.offers.schemas import OfferFilter, OfferForm, OfferKindForm, OfferOut, ReportForm
from block_service.pagination import Page
from block_service.shops.segments import list_segments
from block_service.shops.services import shops_of
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.opened import read_notices_about
from block_service.web.page_parts import fills
from block_service.web.params import Id, OptionalIdText, PageNumber, PerPage, checked, optional_int
from block_service.web.templating import flash, render

REGISTERS = (notices, markers)  # imported for what they register: the inbox kind "offer", the map markers
# The form's fields in order, for its error summary: (field, element id).
SUMMARY_FIELDS = [
    (name, f"f-{name}") for name in ("shop_id", "kind_id", "description", "conditions", "valid_until")
] + [(f"hours_{day}", f"f-hours_{day}") for day in WEEKDAYS]


def _filters(kind, segment, open_now, page, per_page=20) -> OfferFilter:
    return OfferFilter(
        kind=optional_int(kind, "kind"),
        segment=optional_int(segment, "segment"),
        open_now=checked(open_now),
        page=page,
        per_page=per_page,
    )


class OfferController(Controller):
    @get("/offers", name="offers")
    async def offers(
        self,
        request: Request,
        kind: FromQuery[OptionalIdText] = None,
        segment: FromQuery[OptionalIdText] = None,
        open_now: FromQuery[str | None] = None,
        page: FromQuery[PageNumber] = 1,
    ) -> Response:
        filters = _filters(kind, segment, open_now, page)
        shared = await shared_pages.lookup(request, shared_pages.by_role)
        if isinstance(shared, Response):
            return shared
        return shared_pages.render_shared(
            request,
            shared,
            "offers/list.html",
            fragment="offers/_results.html",
            result=await listing.list_offers(filters),
            filters=filters,
            kinds=await kinds.list_kinds(),
            segments=await list_segments(),
            weekday_today=weekday_at(clock.now()),
        )

    @get("/offers/new", name="offer_form")
    async def offer_form(self, request: Request, shop: FromQuery[OptionalIdText] = None) -> Template:
        values = {"shop_id": shop or ""}
        return await _form_page(request, values=values, errors={})

    @post("/offers", name="publish_offer")
    async def publish(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            offer_id = await publishing.publish_offer(viewer_of(request), read_form(OfferForm, data))
        except (FormInvalid, DomainError) as error:
            return await _form_page(request, values=data, errors=form_errors(error), status_code=status_of(error))
        flash(request, _("Your offer is published. Thank you for serving the neighbourhood."), "success")
        return redirect_after_post(request, request.app.route_reverse("offer", offer_id=offer_id))

    @get("/offers/{offer_id:int}", name="offer")
    async def offer(self, request: Request, offer_id: FromPath[Id]) -> Response:
        await read_notices_about(request, "offer", offer_id)
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        viewer = viewer_of(request)
        offer = await listing.get_offer(offer_id)
        return shared_pages.render_shared(
            request,
            shared,
            "offers/detail.html",
            offer=offer,
            thanked=offer_id in await thanks.thanked_this_month(viewer.person_id, [offer_id]),
            listed=offer.status == "active" and offer.valid_until >= publishing.block_date(),
            weekdays=WEEKDAYS,
            weekday_today=weekday_at(clock.now()),
        )

    @get("/offers/{offer_id:int}/edit", name="offer_edit_form")
    async def offer_edit_form(self, request: Request, offer_id: FromPath[Id]) -> Template:
        await publishing.ensure_may_manage(viewer_of(request), offer_id)
        offer = await listing.get_offer(offer_id)
        return await _form_page(request, values=_values(offer), errors={}, offer=offer)

    @post("/offers/{offer_id:int}/edit", name="offer_edit")
    async def offer_edit(
        self, request: Request, offer_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        viewer = viewer_of(request)
        await publishing.ensure_may_manage(viewer, offer_id)
        try:
            await publishing.update_offer(viewer, offer_id, read_form(OfferForm, data))
        except (FormInvalid, DomainError) as error:
            offer = await listing.get_offer(offer_id)
            return await _form_page(
                request, values=data, errors=form_errors(error), status_code=status_of(error), offer=offer
            )
        flash(request, _("The offer has been saved."), "success")
        return redirect_after_post(request, request.app.route_reverse("offer", offer_id=offer_id))

    @post("/offers/{offer_id:int}/withdraw", name="withdraw_offer")
    async def withdraw(self, request: Request, offer_id: FromPath[Id]) -> Response:
        shop_id = await publishing.withdraw_offer(viewer_of(request), offer_id)
        flash(request, _("The offer has been withdrawn; it no longer shows on the list."), "info")
        return redirect_after_post(request, request.app.route_reverse("shop", shop_id=shop_id))

    @post("/offers/{offer_id:int}/thanks", name="thank_offer")
    async def thank(self, request: Request, offer_id: FromPath[Id]) -> Response:
        viewer = viewer_of(request)
        try:
            await thanks.thank_offer(viewer, offer_id)
        except DomainError as error:
            if error.status_code == 404:
                raise
            offer = await listing.get_offer(offer_id)
            return render(
                request,
                "offers/detail.html",
                fragment="offers/_thanks.html",
                status_code=error.status_code,
                offer=offer,
                thanked=offer_id in await thanks.thanked_this_month(viewer.person_id, [offer_id]),
                listed=offer.status == "active" and offer.valid_until >= publishing.block_date(),
                weekdays=WEEKDAYS,
                weekday_today=weekday_at(clock.now()),
                thanks_error=error.translated(),
            )
        if not request.htmx:
            flash(request, _("Thank you! The shop will hear of it."), "success")
            return redirect_after_post(request, request.app.route_reverse("offer", offer_id=offer_id))
        return render(
            request,
            "offers/_thanks.html",
            offer=await listing.get_offer(offer_id),
            thanked=True,
            listed=True,
            just_thanked=True,
        )

    @get("/offers/{offer_id:int}/report", name="offer_report_form")
    async def report_form(self, request: Request, offer_id: FromPath[Id]) -> Template:
        return render(request, "offers/report.html", offer=await listing.get_offer(offer_id), values={}, errors={})

    @post("/offers/{offer_id:int}/report", name="report_offer", opt={"rate_limited": True})
    async def report(self, request: Request, offer_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        offer = await listing.get_offer(offer_id)
        title = _("Offer not honoured: %(kind)s at %(shop)s", kind=localized(offer, "kind_name"), shop=offer.shop_name)
        try:
            form = read_form(ReportForm, data)
            thread_id = await thanks.report_not_honoured(viewer_of(request), offer_id, title, form.body)
        except (FormInvalid, DomainError) as error:
            if status_of(error) == 404:
                raise
            return render(
                request,
                "offers/report.html",
                status_code=status_of(error),
                offer=offer,
                values=data,
                errors=form_errors(error),
            )
        flash(request, _("Your report is filed; the shop and the workstation will answer it."), "success")
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))


def _values(offer: OfferOut) -> dict[str, Any]:
    ranges = [(h.weekday, h.opens, h.closes) for h in offer.hours]
    return {
        "shop_id": str(offer.shop_id),
        "kind_id": str(offer.kind_id),
        "description": offer.description,
        "conditions": offer.conditions,
        "valid_until": offer.valid_until.isoformat(),
        **{f"hours_{day}": format_day(ranges, day) for day in WEEKDAYS},
    }


async def _form_page(
    request: Request, values: dict, errors: dict, status_code: int = 200, offer: OfferOut | None = None
) -> Template:
    viewer = viewer_of(request)
    return render(
        request,
        "offers/edit.html" if offer else "offers/new.html",
        fragment="offers/_offer_form.html",
        status_code=status_code,
        offer=offer,
        values=values,
        errors=errors,
        shops=await shops_of(viewer.person_id),
        kinds=await kinds.list_kinds(),
        weekdays=WEEKDAYS,
        summary_fields=SUMMARY_FIELDS,
    )


class StaffOfferController(Controller):
    path = "/staff"

    @get("/offer-kinds", name="offer_kinds")
    async def offer_kinds(self, request: Request) -> Template:
        return await _kinds_page(request)

    @post("/offer-kinds", name="create_offer_kind")
    async def create_kind(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        return await _save_kind(request, data, None)

    @post("/offer-kinds/{kind_id:int}", name="update_offer_kind")
    async def update_kind(
        self, request: Request, kind_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        return await _save_kind(request, data, kind_id)


async def _kinds_page(request: Request, errors: dict | None = None, status_code: int = 200) -> Template:
    return render(
        request,
        "offers/kinds.html",
        status_code=status_code,
        kinds=await kinds.list_kinds(active_only=False),
        errors=errors or {},
    )


async def _save_kind(request: Request, data: dict, kind_id: int | None) -> Response:
    try:
        await kinds.save_kind(viewer_of(request), read_form(OfferKindForm, data), kind_id)
    except (FormInvalid, DomainError) as error:
        if status_of(error) == 404:
            raise
        return await _kinds_page(request, errors={kind_id: form_errors(error)}, status_code=422)
    flash(request, _("Saved."), "success")
    return redirect_after_post(request, request.app.route_reverse("offer_kinds"))


class OfferApiController(Controller):
    path = "/api"
    tags = ["offers"]

    @get("/offers", name="api_offers")
    async def api_offers(
        self,
        request: Request,
        kind: FromQuery[OptionalIdText] = None,
        segment: FromQuery[OptionalIdText] = None,
        open_now: FromQuery[str | None] = None,
        page: FromQuery[PageNumber] = 1,
        per_page: FromQuery[PerPage] = 20,
    ) -> Page[OfferOut]:
        """Listed offers of the block's shops; `open_now=1` keeps those open at this moment (Beijing time).

        Hours are minutes from the weekday's midnight (0 is Monday); a range closing past 1440 runs past midnight.
        """
        filters = _filters(kind, segment, open_now, page, per_page)
        return await shared_pages.kept_value(request, shared_pages.by_role, lambda: listing.list_offers(filters))

    @get("/offers/{offer_id:int}", name="api_offer")
    async def api_offer(self, offer_id: FromPath[Id]) -> OfferOut:
        """One offer, with its weekly hours and whether it is open now."""
        return await listing.get_offer(offer_id)


@fills("shop_offers")
async def shop_offers(shop_id: int, **_known: Any) -> dict:
    """The shop's listed offers, on its page."""
    return {"shop_offers": await listing.offers_of_shop(shop_id), "weekday_today": weekday_at(clock.now())}
