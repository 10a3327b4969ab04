"""Plan pages: the six cards, one plan's page, staff editing, reordering and archiving plans; their JSON."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, Parameter, URLEncodedBody
from litestar.response import Response, Template

from block_service.accounts.schemas import Viewer
from block_service.errors import DomainError, FormInvalid
from block_service.i18n import gettext as _
from block_service.pagination import Page
from block_service.plans import plans as services
from block_service.plans.proposals import list_proposals
from block_service.plans.schemas import (
    PlanCard,
    PlanCategoryOut,
    PlanForm,
    PlanLeadOut,
    PlanOut,
    ProposalFilter,
    ProposalSummary,
)
from block_service.schemas import ReasonForm
from block_service.threads.categories import list_categories
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.page_parts import fills_by_default, part_of_page
from block_service.web.params import whole_numbers
from block_service.web.templating import flash, render

SlugParameter = Annotated[str, Parameter(max_length=40, pattern=r"^[a-z0-9-]+$")]
PLAN_PROPOSALS = 50  # a plan's page lists this many of its proposals, grouped by status


class PlanDetail(msgspec.Struct, kw_only=True):
    plan: PlanOut
    leads: list[PlanLeadOut]
    categories: list[PlanCategoryOut]
    proposals: Page[ProposalSummary]
    recent_reports: list[services.RecentReport]


@fills_by_default("plan_motions")
@fills_by_default("plan_meetings")
@fills_by_default("plan_indicators")
async def _nothing_yet(viewer: Viewer, plan_ids: list[int], detail: bool) -> dict[str, Any]:
    """Until the council's motions and the meetings fill these parts: no figures and no section."""
    return {"counts": {}, "template": None}


async def _parts(viewer: Viewer, plan_ids: list[int], detail: bool) -> dict[str, Any]:
    """The higher domains' parts of the plan pages: `counts` per plan for the cards, a `template` to include."""
    known = {"viewer": viewer, "plan_ids": plan_ids, "detail": detail}
    return {
        "motions": await part_of_page("plan_motions", **known),
        "meetings": await part_of_page("plan_meetings", **known),
        "indicators": await part_of_page("plan_indicators", **known),
    }


async def plan_detail(slug: str, viewer: Viewer) -> PlanDetail:
    plan = await services.get_plan(slug)
    return PlanDetail(
        plan=plan,
        leads=await services.lead_names(plan.id),
        categories=(await services.plan_categories(plan.id)).get(plan.id, []),
        proposals=await list_proposals(viewer, ProposalFilter(plan=plan.id, per_page=PLAN_PROPOSALS)),
        recent_reports=await services.recent_reports(plan.id),
    )


class PlanController(Controller):
    @get("/plans", name="plans")
    async def plans(self, request: Request) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        viewer = viewer_of(request)
        cards = await services.plan_cards()
        parts = await _parts(viewer, [c.plan.id for c in cards], False)
        return shared_pages.render_shared(request, shared, "plans/list.html", cards=cards, **parts)

    @get("/plans/{slug:str}", name="plan")
    async def plan(self, request: Request, slug: FromPath[SlugParameter]) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        viewer = viewer_of(request)
        detail = await plan_detail(slug, viewer)
        parts = await _parts(viewer, [detail.plan.id], True)
        return shared_pages.render_shared(request, shared, "plans/detail.html", detail=detail, **parts)


class StaffPlanController(Controller):
    path = "/staff"

    @get("/plans", name="staff_plans")
    async def staff_plans(self, request: Request) -> Template:
        return await _staff_page(request)

    @post("/plans/{slug:str}", name="save_plan")
    async def save_plan(
        self, request: Request, slug: FromPath[SlugParameter], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            form = read_form(PlanForm, {k: v for k, v in data.items() if k not in ("category_ids", "lead_ids")})
            form = msgspec.structs.replace(
                form, category_ids=whole_numbers(data, "category_ids"), lead_ids=whole_numbers(data, "lead_ids")
            )
            await services.save_plan(viewer_of(request), slug, form)
        except (FormInvalid, DomainError) as error:
            if status_of(error) in (403, 404):
                raise
            return await _staff_page(request, errors={slug: form_errors(error)}, status_code=status_of(error))
        flash(request, _("The plan has been saved."), "success")
        return redirect_after_post(request, request.app.route_reverse("staff_plans") + f"#plan-{slug}")

    @post("/plans/{slug:str}/move", name="move_plan")
    async def move_plan(
        self, request: Request, slug: FromPath[SlugParameter], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        await services.move_plan(viewer_of(request), slug, -1 if data.get("direction") == "up" else 1)
        flash(request, _("The order of the plans has been changed."), "success")
        return redirect_after_post(request, request.app.route_reverse("staff_plans"))

    @post("/plans/{slug:str}/archive", name="archive_plan")
    async def archive_plan(
        self, request: Request, slug: FromPath[SlugParameter], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        archive = data.get("action") != "restore"
        try:
            form = read_form(ReasonForm, data)
        except FormInvalid as error:
            return await _staff_page(request, errors={slug: error.errors}, status_code=422)
        await services.set_plan_archived(viewer_of(request), slug, archive, form.reason)
        flash(request, _("The plan has been archived.") if archive else _("The plan is active again."), "success")
        return redirect_after_post(request, request.app.route_reverse("staff_plans"))


async def _staff_page(request: Request, errors: dict | None = None, status_code: int = 200) -> Template:
    return render(
        request,
        "plans/staff.html",
        status_code=status_code,
        plans=await services.list_plans(include_archived=True),
        categories_by_plan=await services.plan_categories(),
        leads_by_plan={plan.id: await services.plan_leads(plan.id) for plan in await services.list_plans(True)},
        candidates=await services.lead_candidates(),
        categories=await list_categories(),
        errors=errors or {},
    )


class PlanApiController(Controller):
    path = "/api/plans"
    tags = ["plans"]

    @get("/", name="api_plans")
    async def api_plans(self) -> list[PlanCard]:
        """The active plans in their order, with their open proposals and the open reports in their categories."""
        return await services.plan_cards()

    @get("/{slug:str}", name="api_plan")
    async def api_plan(self, request: Request, slug: FromPath[SlugParameter]) -> PlanDetail:
        """One plan: its goal, leads, feeding categories, proposals (the first 50) and recent reports."""
        return await plan_detail(slug, viewer_of(request))
