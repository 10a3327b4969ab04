"""Shop pages: the public registry, applying to act for a shop, editing one's shop, the staff review queue."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, URLEncodedBody
from litestar.response import Response, Template

from block_service.errors import DomainError, FormInvalid
from block_service.i18n import gettext as _
from block_service.pagination import Page
from block_service.schemas import ReasonForm
from block_service.shops import applications, segments, services
from block_service.shops.schemas import (
    ApplicationOut,
    IndustryForm,
    IndustryOut,
    MerchantShopForm,
    SegmentForm,
    SegmentOut,
    ShopApplicationForm,
    ShopDetail,
    ShopFilter,
    ShopOut,
    StaffShopForm,
)
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.page_parts import fills, part_of_page
from block_service.web.params import Id, OptionalIdText, PageNumber, PerPage, optional_int
from block_service.web.templating import flash, render


def shop_filters(
    q: FromQuery[str | None] = None,
    segment: FromQuery[OptionalIdText] = None,
    industry: FromQuery[OptionalIdText] = None,
    status: FromQuery[str | None] = "open",
    page: FromQuery[PageNumber] = 1,
    per_page: FromQuery[PerPage] = 20,
) -> ShopFilter:
    """The filters of the shop list and its JSON, from the query."""
    return ShopFilter(
        q=q,
        segment=optional_int(segment, "segment"),
        industry=optional_int(industry, "industry"),
        status=status,
        page=page,
        per_page=per_page,
    )


FILTERED = {"filters": Provide(shop_filters, sync_to_thread=False)}


class ShopController(Controller):
    @get("/shops", name="shops", dependencies=FILTERED)
    async def shops(self, request: Request, filters: NamedDependency[ShopFilter]) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_role)
        if isinstance(shared, Response):
            return shared
        return shared_pages.render_shared(
            request,
            shared,
            "shops/list.html",
            fragment="shops/_results.html",
            result=await services.list_shops(filters),
            filters=filters,
            segments=await segments.list_segments(),
            industries=await segments.list_industries(),
        )

    @get("/shops/apply", name="apply_form")
    async def apply_form(self, request: Request) -> Template:
        return render(
            request,
            "shops/apply.html",
            fragment="shops/_apply_form.html",
            values={},
            errors={},
            industries=await segments.list_industries(),
            segments=await segments.list_segments(),
        )

    @post("/shops/apply", name="apply", opt={"rate_limited": True})
    async def apply(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            form = read_form(ShopApplicationForm, data)
            await applications.apply_for_shop(viewer_of(request), form)
        except (FormInvalid, DomainError) as error:
            return render(
                request,
                "shops/apply.html",
                fragment="shops/_apply_form.html",
                status_code=status_of(error),
                values=data,
                errors=form_errors(error),
                industries=await segments.list_industries(),
                segments=await segments.list_segments(),
            )
        flash(request, _("Your application has been sent. The workstation will review it soon."), "success")
        return redirect_after_post(request, request.app.route_reverse("my_shops"))

    @get("/me/shops", name="my_shops")
    async def my_shops(self, request: Request) -> Template:
        viewer = viewer_of(request)
        return render(
            request,
            "shops/mine.html",
            shops=await services.shops_of(viewer.person_id),
            applications=await applications.applications_of(viewer.person_id),
            **await part_of_page("shop_todo", viewer=viewer),
        )

    @get("/shops/{shop_id:int}", name="shop")
    async def shop(self, request: Request, shop_id: FromPath[Id]) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        viewer = viewer_of(request)
        return shared_pages.render_shared(
            request,
            shared,
            "shops/detail.html",
            detail=await services.get_shop_detail(viewer, shop_id),
            **await part_of_page("shop_threads", viewer=viewer, shop_id=shop_id),
            **await part_of_page("shop_offers", viewer=viewer, shop_id=shop_id),
        )

    @get("/shops/{shop_id:int}/edit", name="shop_edit_form")
    async def shop_edit_form(self, request: Request, shop_id: FromPath[Id]) -> Template:
        services.ensure_can_edit_shop(viewer_of(request), shop_id)
        shop = await services.get_shop(shop_id)
        return await _edit_page(request, shop, values=_shop_values(shop), errors={})

    @post("/shops/{shop_id:int}/edit", name="shop_edit")
    async def shop_edit(
        self, request: Request, shop_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        viewer = viewer_of(request)
        try:
            if viewer.is_staff:
                await services.update_shop_as_staff(viewer, shop_id, read_form(StaffShopForm, data))
            else:
                await services.update_shop_as_merchant(viewer, shop_id, read_form(MerchantShopForm, data))
        except (FormInvalid, DomainError) as error:
            if status_of(error) in (403, 404):
                raise
            shop = await services.get_shop(shop_id)
            return await _edit_page(request, shop, values=data, errors=form_errors(error), status_code=status_of(error))
        flash(request, _("The shop has been saved."), "success")
        return redirect_after_post(request, request.app.route_reverse("shop", shop_id=shop_id))


def _shop_values(shop: ShopOut) -> dict[str, Any]:
    return {
        "name": shop.name,
        "house_number": shop.house_number,
        "industry_id": str(shop.industry_id),
        "phone": shop.phone,
        "status": shop.status,
        "opening_hours": shop.opening_hours,
        "description": shop.description,
    }


async def _edit_page(request: Request, shop: ShopOut, values: dict, errors: dict, status_code: int = 200) -> Template:
    return render(
        request,
        "shops/edit.html",
        fragment="shops/_edit_form.html",
        status_code=status_code,
        shop=shop,
        values=values,
        errors=errors,
        industries=await segments.list_industries(),
    )


class StaffShopController(Controller):
    path = "/staff"

    @get("/applications", name="applications")
    async def applications(
        self, request: Request, status: FromQuery[str] = "pending", page: FromQuery[PageNumber] = 1
    ) -> Template:
        status = status if status in ("pending", "approved", "rejected") else "pending"
        return render(
            request,
            "staff/applications.html",
            fragment="staff/_applications.html",
            result=await applications.list_applications(status, page),
            status=status,
            errors={},
            orphans=await services.shops_without_merchant(),
        )

    @post("/applications/{application_id:int}/approve", name="approve_application")
    async def approve(self, request: Request, application_id: FromPath[Id]) -> Response:
        shop_id = await applications.approve_application(viewer_of(request), application_id)
        flash(request, _("Approved. The applicant now acts for the shop."), "success")
        return redirect_after_post(request, request.app.route_reverse("shop", shop_id=shop_id))

    @post("/applications/{application_id:int}/reject", name="reject_application")
    async def reject(
        self, request: Request, application_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            form = read_form(ReasonForm, data)
        except FormInvalid as error:
            return render(
                request,
                "staff/applications.html",
                fragment="staff/_applications.html",
                status_code=422,
                result=await applications.list_applications("pending", 1),
                status="pending",
                errors={application_id: error.errors.get("reason", "")},
            )
        await applications.reject_application(viewer_of(request), application_id, form.reason)
        flash(request, _("The application has been rejected; the applicant sees your reason."), "info")
        return redirect_after_post(request, request.app.route_reverse("applications"))

    @post("/shops/{shop_id:int}/merchants/{person_id:int}/remove", name="remove_merchant")
    async def remove_merchant(self, request: Request, shop_id: FromPath[Id], person_id: FromPath[Id]) -> Response:
        await services.remove_merchant(viewer_of(request), shop_id, person_id)
        flash(request, _("This person no longer acts for the shop."), "info")
        return redirect_after_post(request, request.app.route_reverse("shop", shop_id=shop_id))

    @get("/registry", name="registry")
    async def registry(self, request: Request) -> Template:
        return await _registry_page(request)

    @post("/segments", name="create_segment")
    async def create_segment(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        return await _save_registry_row(request, data, SegmentForm, segments.save_segment, None, "segment")

    @post("/segments/{segment_id:int}", name="update_segment")
    async def update_segment(
        self, request: Request, segment_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        return await _save_registry_row(request, data, SegmentForm, segments.save_segment, segment_id, "segment")

    @post("/industries", name="create_industry")
    async def create_industry(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        return await _save_registry_row(request, data, IndustryForm, segments.save_industry, None, "industry")

    @post("/industries/{industry_id:int}", name="update_industry")
    async def update_industry(
        self, request: Request, industry_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        return await _save_registry_row(request, data, IndustryForm, segments.save_industry, industry_id, "industry")


async def _registry_page(request: Request, errors: dict | None = None, status_code: int = 200) -> Template:
    return render(
        request,
        "staff/registry.html",
        status_code=status_code,
        segments=await segments.list_segments(),
        industries=await segments.list_industries(),
        errors=errors or {},
    )


async def _save_registry_row(request, data, form_type, save, row_id, kind) -> Response:
    """Segments and industries share one page; an error is shown beside the row it belongs to."""
    try:
        await save(viewer_of(request), read_form(form_type, data), row_id)
    except (FormInvalid, DomainError) as error:
        if status_of(error) == 404:
            raise
        return await _registry_page(request, errors={(kind, row_id): form_errors(error)}, status_code=422)
    flash(request, _("Saved."), "success")
    return redirect_after_post(request, request.app.route_reverse("registry"))


class ShopApiController(Controller):
    path = "/api"
    tags = ["shops"]

    @get("/shops", name="api_shops", dependencies=FILTERED)
    async def api_shops(self, request: Request, filters: NamedDependency[ShopFilter]) -> Page[ShopOut]:
        """Shops on the block, filtered and paginated."""
        return await shared_pages.kept_value(request, shared_pages.by_role, lambda: services.list_shops(filters))

    @get("/shops/{shop_id:int}", name="api_shop")
    async def api_shop(self, request: Request, shop_id: FromPath[Id]) -> ShopDetail:
        """A shop; the people acting for it only for signed-in merchants and staff."""
        return await services.get_shop_detail(viewer_of(request), shop_id)

    @get("/segments", name="api_segments")
    async def api_segments(self) -> list[SegmentOut]:
        """The road's segments (the regional groups), by house-number range."""
        return await segments.list_segments()

    @get("/industries", name="api_industries")
    async def api_industries(self) -> list[IndustryOut]:
        return await segments.list_industries()

    @post("/shop-applications", name="api_apply", opt={"rate_limited": True})
    async def api_apply(self, request: Request, data: JSONBody[ShopApplicationForm]) -> dict[str, int]:
        """Apply to act for a shop (signed in; CSRF header required)."""
        return {"id": await applications.apply_for_shop(viewer_of(request), data)}

    @get("/staff/shop-applications", name="api_applications")
    async def api_applications(
        self, status: FromQuery[str] = "pending", page: FromQuery[PageNumber] = 1
    ) -> Page[ApplicationOut]:
        return await applications.list_applications(status, page)


@fills("person_shops")
async def person_shops(person_id: int) -> dict:
    """The shops a person acts for and their applications, on their profile and on the staff's page of them."""
    return {"shops": await services.shops_of(person_id), "applications": await applications.applications_of(person_id)}
