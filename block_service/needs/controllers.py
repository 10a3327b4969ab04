"""Need pages: the list with filters and search, posting a need, one need (its pledges), met or closed; the API."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, Parameter, URLEncodedBody
from litestar.response import Response, Template

from block_service.errors import DomainError, FormInvalid
from block_service.i18n import gettext as _
from block_service.needs import pledging, services
from block_service.needs.schemas import KINDS, NeedFilter, NeedForm, NeedOut, SettleForm
from block_service.pagination import Page
from block_service.plans.plans import list_plans
from block_service.pledges import services as pledge_services
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.params import Id, OptionalIdText, PageNumber, PerPage, optional_int
from block_service.web.templating import flash, render

KindFilter = Literal["", "volunteers", "materials", "skill", "space", "other"]
StatusFilter = Literal["open", "met", "closed", "all"]
Search = Annotated[str | None, Parameter(max_length=60)]


def _filters(q, kind, status, plan, page, per_page=20) -> NeedFilter:
    return NeedFilter(
        q=q, kind=kind or None, status=status, plan=optional_int(plan, "plan"), page=page, per_page=per_page
    )


class NeedController(Controller):
    @get("/needs", name="needs")
    async def needs(
        self,
        request: Request,
        q: FromQuery[Search] = None,
        kind: FromQuery[KindFilter] = "",
        status: FromQuery[StatusFilter] = "open",
        plan: FromQuery[OptionalIdText] = None,
        page: FromQuery[PageNumber] = 1,
    ) -> Response:
        filters = _filters(q, kind, status, plan, page)
        shared = await shared_pages.lookup(request, shared_pages.by_role)
        if isinstance(shared, Response):
            return shared
        return shared_pages.render_shared(
            request,
            shared,
            "needs/list.html",
            fragment="needs/_results.html",
            result=await services.list_needs(filters),
            filters=filters,
            kinds=KINDS,
            plans=await list_plans(),
        )

    @get("/needs/new", name="need_form")
    async def need_form(self, request: Request) -> Template:
        return await _form_page(request, values={"quantity": "1"}, errors={})

    @post("/needs", name="post_need", opt={"rate_limited": True})
    async def post_need(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            need_id = await services.post_need(viewer_of(request), read_form(NeedForm, data))
        except (FormInvalid, DomainError) as error:
            return await _form_page(request, values=data, errors=form_errors(error), status_code=status_of(error))
        flash(request, _("Your need is posted. Neighbours can now pledge help."), "success")
        return redirect_after_post(request, request.app.route_reverse("need", need_id=need_id))

    @get("/needs/{need_id:int}", name="need")
    async def need(self, request: Request, need_id: FromPath[Id]) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        return shared_pages.render_shared(request, shared, "needs/detail.html", **await _need_context(request, need_id))

    @post("/needs/{need_id:int}/settle", name="settle_need")
    async def settle(self, request: Request, need_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        viewer = viewer_of(request)
        try:
            form = read_form(SettleForm, data)
            await services.settle_need(viewer, need_id, form.outcome)
        except (FormInvalid, DomainError) as error:
            if status_of(error) in (403, 404):
                raise
            context = await _need_context(request, need_id)
            return render(
                request,
                "needs/detail.html",
                status_code=status_of(error),
                settle_error=_first(form_errors(error)),
                **context,
            )
        message = (
            _("The need is marked met; those who pledged are told.")
            if form.outcome == "met"
            else _("The need is closed; those who pledged are told.")
        )
        flash(request, message, "success")
        return redirect_after_post(request, request.app.route_reverse("need", need_id=need_id))


def _first(errors: dict[str, str]) -> str:
    return next(iter(errors.values()), "")


async def _need_context(request: Request, need_id: int) -> dict[str, Any]:
    viewer = viewer_of(request)
    need = await services.get_need(need_id)
    goal = pledging.goal_of(need.kind, need.title, need.quantity, need.unit)
    return {
        "need": need,
        "is_open": services.is_open(need),
        "may_manage": services.may_manage(viewer, need),
        "pledges": await pledge_services.panel(pledging.subject_of(need_id), viewer),
        # The pledge form offers the need's own goal first, so a pledge counts against it as it is.
        "pledge_values": {"kind": goal.kind, "item": goal.item, "unit": goal.unit},
    }


async def _form_page(request: Request, values: dict, errors: dict, status_code: int = 200) -> Template:
    return render(
        request,
        "needs/new.html",
        fragment="needs/_need_form.html",
        status_code=status_code,
        values=values,
        errors=errors,
        kinds=KINDS,
        plans=await list_plans(),
    )


class NeedApiController(Controller):
    path = "/api"
    tags = ["needs"]

    @get("/needs", name="api_needs")
    async def api_needs(
        self,
        request: Request,
        q: FromQuery[Search] = None,
        kind: FromQuery[KindFilter] = "",
        status: FromQuery[StatusFilter] = "open",
        plan: FromQuery[OptionalIdText] = None,
        page: FromQuery[PageNumber] = 1,
        per_page: FromQuery[PerPage] = 20,
    ) -> Page[NeedOut]:
        """Needs posted on the block, newest first; `q` searches their title and text (Chinese too)."""
        filters = _filters(q, kind, status, plan, page, per_page)
        return await shared_pages.kept_value(request, shared_pages.by_role, lambda: services.list_needs(filters))

    @get("/needs/{need_id:int}", name="api_need")
    async def api_need(self, need_id: FromPath[Id]) -> NeedOut:
        """One need."""
        return await services.get_need(need_id)
