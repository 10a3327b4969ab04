"""门前三包 pages: the public per-segment results, rounds and recording for staff and council members, a shop's
own record, and the JSON (a shop's results for its merchants and staff; per segment for everyone else)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, MultipartBody, URLEncodedBody
from litestar.response import Response, Template

from block_service.errors import DomainError, FormInvalid, Invalid
from block_service.notices import inspections
from block_service.notices.schemas import InspectionReport, ResultForm, RoundForm
from block_service.threads import photos as photo_store
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.i18n import gettext as _
from block_service.web.labels import N_
from block_service.web.params import Id, OptionalId
from block_service.web.templating import flash, render

PHOTO_BODY = {
    "request_max_body_size": photo_store.MAX_BYTES + 64 * 1024,
    "opt": {"too_large": N_("A photo may be at most 8 MB.")},
}


async def _overview(request: Request, values: dict | None = None, errors: dict | None = None, status_code: int = 200):
    viewer = viewer_of(request)
    may_inspect = inspections.may_inspect(viewer)
    return render(
        request,
        "inspections/overview.html",
        segments=await inspections.recent_segment_results(),
        rounds=await inspections.list_rounds() if may_inspect else [],
        may_inspect=may_inspect,
        my_shops=sorted(viewer.shop_ids),
        values=values or {},
        errors=errors or {},
        status_code=status_code,
    )


async def _round_page(
    request: Request, round_id: int, values: dict | None = None, errors: dict | None = None, status_code: int = 200
) -> Template:
    viewer = viewer_of(request)
    return render(
        request,
        "inspections/round.html",
        round=await inspections.get_round(viewer, round_id),
        results=await inspections.round_results(viewer, round_id),
        shops=await inspections.open_shops_to_inspect(viewer, round_id),
        values=values or {},
        errors=errors or {},
        status_code=status_code,
    )


class InspectionController(Controller):
    @get("/inspections", name="inspections")
    async def overview(self, request: Request) -> Template:
        return await _overview(request)

    @post("/inspections/rounds", name="start_inspection_round")
    async def start_round(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            round_id = await inspections.start_round(viewer_of(request), read_form(RoundForm, data))
        except (FormInvalid, DomainError) as error:
            if status_of(error) in (403, 404):
                raise
            return await _overview(request, data, form_errors(error), status_of(error))
        flash(request, _("The round is open: record each shop's result."), "success")
        return redirect_after_post(request, request.app.route_reverse("inspection_round", round_id=round_id))

    @get("/inspections/rounds/{round_id:int}", name="inspection_round")
    async def round(self, request: Request, round_id: FromPath[Id]) -> Template:
        return await _round_page(request, round_id)

    @post("/inspections/rounds/{round_id:int}/results", name="record_inspection", **PHOTO_BODY)
    async def record(self, request: Request, round_id: FromPath[Id], data: MultipartBody[dict[str, Any]]) -> Response:
        fields = {k: v for k, v in data.items() if not isinstance(v, UploadFile | list)}
        var_dir = request.app.state.settings.var_dir
        photo = data.get("photo")
        uploads = [photo] if isinstance(photo, UploadFile) and photo.filename else []
        stored: list = []
        try:
            form = read_form(ResultForm, fields)
            stored = await photo_store.store_uploads(var_dir, uploads)
            thread_id = await inspections.record_result(viewer_of(request), round_id, form, stored)
        except (FormInvalid, DomainError) as error:
            photo_store.discard_photos(var_dir, [name for name, *_rest in stored])
            if status_of(error) in (403, 404):
                raise
            if isinstance(error, Invalid) and error.field == "photos":
                error = Invalid(error.message, field="photo", **error.params)
            return await _round_page(request, round_id, fields, form_errors(error), status_of(error))
        flash(
            request,
            _("Recorded. A thread is open for the shop to answer.") if thread_id else _("Recorded: all three passed."),
            "success",
        )
        return redirect_after_post(request, request.app.route_reverse("inspection_round", round_id=round_id))

    @get("/inspections/shops/{shop_id:int}", name="shop_inspections")
    async def shop_record(self, request: Request, shop_id: FromPath[Id]) -> Template:
        return render(
            request,
            "inspections/shop.html",
            results=await inspections.shop_record(viewer_of(request), shop_id),
            shop_id=shop_id,
        )


class InspectionApiController(Controller):
    path = "/api/inspections"
    tags = ["inspections"]

    @get("/", name="api_inspections")
    async def api_inspections(self, request: Request, shop: FromQuery[OptionalId] = None) -> InspectionReport:
        """With `shop` and the caller one of its merchants or staff: that shop's results, newest first.
        Otherwise (anyone): the last six months per segment, never per shop."""
        viewer = viewer_of(request)
        if shop is not None and (viewer.is_staff or viewer.acts_for(shop)):
            return InspectionReport(scope="shop", shop_results=await inspections.shop_record(viewer, shop))
        return InspectionReport(scope="segments", segments=await inspections.recent_segment_results())
