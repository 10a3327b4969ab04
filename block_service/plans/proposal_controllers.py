"""Proposal pages: the list, the form (from a thread too), one proposal with its supports, steps and chain; JSON."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, MultipartBody, URLEncodedBody
from litestar.response import Response, Template

from block_service.accounts.schemas import Viewer
from block_service.errors import DomainError, FormInvalid
from block_service.i18n import gettext as _
from block_service.inbox import KindView, register_kind
from block_service.pagination import Page
from block_service.plans import chain, lifecycle, proposals, supports
from block_service.plans.plans import list_plans
from block_service.plans.schemas import (
    STATUSES,
    LinkThreadForm,
    ProposalFilter,
    ProposalForm,
    ProposalPage,
    ProposalSummary,
    StepForm,
)
from block_service.shops.segments import list_segments
from block_service.threads import photos as photo_store
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.labels import N_, proposal_status_label
from block_service.web.opened import read_notices_about
from block_service.web.page_parts import fills, fills_by_default, part_of_page
from block_service.web.params import Id, OptionalIdText, PageNumber, PerPage, optional_int, whole_numbers
from block_service.web.templating import flash, render

PHOTO_BODY = {
    "request_max_body_size": photo_store.MAX_PHOTO_REQUEST_BYTES,
    "opt": {"rate_limited": True, "too_large": N_("Photos may be at most 8 MB each, and at most 3 of them.")},
}


async def _describe(proposal_ids: list[int], viewer: Viewer) -> dict[int, KindView]:
    """Proposals in a viewer's inbox: those they may still see (a draft only its author)."""
    titles = await proposals.visible_titles(viewer, proposal_ids)
    return {pid: KindView(title=title, url=f"/proposals/{pid}") for pid, title in titles.items()}


def _detail_label(event: str, detail: str) -> str:
    return proposal_status_label(detail) if event == "status" else detail


register_kind(
    "proposal",
    _describe,
    {
        "submitted": N_("%(name)s submitted a proposal under a plan you lead."),
        "deliberation": N_("Accepted for deliberation: %(detail)s"),
        "declined": N_("Declined: %(detail)s"),
        "merged": N_("Merged into another proposal: %(detail)s"),
        "withdrawn": N_("Withdrawn by its author: %(detail)s"),
        "on_agenda": N_("A council motion is open on this proposal."),
        "passed": N_("The council passed this proposal."),
        "rejected": N_("The council rejected this proposal."),
        "no_quorum": N_("The council's vote had no quorum: the proposal is under deliberation again."),
        "motion_withdrawn": N_(
            "The council's motion was withdrawn before any vote; under deliberation again: %(detail)s"
        ),
        "ready": N_("This proposal reached its plan's thresholds and is ready for deliberation."),
    },
    detail_label=_detail_label,
)


@fills_by_default("proposal_motion")
async def _no_motion(proposal_id: int, **_known: Any) -> dict[str, Any]:
    """Until the council fills it: no motion section on the proposal page."""
    return {"template": None}


@fills("thread_proposals")
async def thread_proposals(viewer: Viewer, thread_id: int) -> dict[str, Any]:
    """On a thread's page: the proposals that gather it, with their chains."""
    found = await proposals.proposals_of_thread(viewer, thread_id)
    chains = await chain.chains_of([p.id for p in found], viewer) if found else {}
    return {"thread_proposals": found, "thread_chains": chains}


def proposal_filters(
    plan: FromQuery[OptionalIdText] = None,
    status: FromQuery[str | None] = None,
    segment: FromQuery[OptionalIdText] = None,
    q: FromQuery[str | None] = None,
    sort: FromQuery[str | None] = None,
    page: FromQuery[PageNumber] = 1,
    per_page: FromQuery[PerPage] = 20,
) -> ProposalFilter:
    """The filters of the proposal list and its JSON, from the query."""
    return ProposalFilter(
        plan=optional_int(plan, "plan"),
        status=status if status in (*STATUSES, "open") else None,
        segment=optional_int(segment, "segment"),
        q=(q or "").strip()[:60] or None,
        sort="supports" if sort == "supports" else "newest",
        page=page,
        per_page=per_page,
    )


FILTERED = {"filters": Provide(proposal_filters, sync_to_thread=False)}


def _uploads(data: dict[str, Any]) -> list[UploadFile]:
    files = data.get("photos")
    if files is None:
        return []
    files = files if isinstance(files, list) else [files]
    return [f for f in files if isinstance(f, UploadFile) and f.filename]


class ProposalController(Controller):
    @get("/proposals", name="proposals", dependencies=FILTERED)
    async def proposals(self, request: Request, filters: NamedDependency[ProposalFilter]) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        return shared_pages.render_shared(
            request,
            shared,
            "proposals/list.html",
            fragment="proposals/_results.html",
            result=await proposals.list_proposals(viewer_of(request), filters),
            filters=filters,
            plans=await list_plans(include_archived=True),
            segments=await list_segments(),
            statuses=STATUSES,
        )

    @get("/proposals/new", name="proposal_form")
    async def proposal_form(
        self, request: Request, from_thread: FromQuery[OptionalIdText] = None, plan: FromQuery[OptionalIdText] = None
    ) -> Template:
        values: dict[str, Any] = {"size": "small", "plan_id": str(optional_int(plan, "plan") or "")}
        thread_id = optional_int(from_thread, "from_thread")
        if thread_id:
            values |= await proposals.prefill_from_thread(viewer_of(request), thread_id)
        return await _form_page(request, values, {})

    @post("/proposals/new", name="file_proposal", **PHOTO_BODY)
    async def file_proposal(self, request: Request, data: MultipartBody[dict[str, Any]]) -> Response:
        fields = {k: v for k, v in data.items() if not isinstance(v, UploadFile | list) and k != "thread_ids"}
        fields["submit"] = "false" if data.get("draft") else "true"
        var_dir = request.app.state.settings.var_dir
        stored: list[tuple[str, int, int, int]] = []
        try:
            form = msgspec.structs.replace(
                read_form(ProposalForm, fields), thread_ids=whole_numbers(data, "thread_ids")
            )
            stored = await photo_store.store_uploads(var_dir, _uploads(data))
            proposal_id = await proposals.file_proposal(viewer_of(request), form, stored)
        except (FormInvalid, DomainError) as error:
            photo_store.discard_photos(var_dir, [name for name, *_rest in stored])
            if status_of(error) in (403, 404):
                raise
            values = fields | {"thread_ids": whole_numbers(data, "thread_ids")}
            return await _form_page(request, values, form_errors(error), status_code=422)
        flash(
            request,
            _("Your proposal is saved as a draft; only you and the workstation see it.")
            if fields["submit"] == "false"
            else _("Thank you. Your proposal is number %(id)s; you will be told of every step.", id=proposal_id),
            "success",
        )
        return redirect_after_post(request, request.app.route_reverse("proposal", proposal_id=proposal_id))

    @get("/proposals/{proposal_id:int}", name="proposal")
    async def proposal(self, request: Request, proposal_id: FromPath[Id]) -> Response:
        await read_notices_about(request, "proposal", proposal_id)
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        return await proposal_page(request, proposal_id, shared=shared)

    @post("/proposals/{proposal_id:int}/support", name="support_proposal", opt={"rate_limited": True})
    async def support(
        self, request: Request, proposal_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        viewer = viewer_of(request)
        await supports.set_support(viewer, proposal_id, data.get("on") == "1")
        if request.htmx:
            page = await proposals.get_proposal_page(viewer, proposal_id)
            return Template(template_name="proposals/_support.html", context={"page": page})
        return redirect_after_post(request, request.app.route_reverse("proposal", proposal_id=proposal_id))

    @post("/proposals/{proposal_id:int}/steps", name="proposal_step")
    async def step(self, request: Request, proposal_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            status = await lifecycle.take_step(viewer_of(request), proposal_id, read_form(StepForm, data))
        except (FormInvalid, DomainError) as error:
            if status_of(error) in (403, 404):
                raise
            return await proposal_page(
                request, proposal_id, errors=form_errors(error), values=data, status_code=status_of(error)
            )
        flash(request, _("The proposal is now “%(status)s”.", status=proposal_status_label(status)), "success")
        return redirect_after_post(request, request.app.route_reverse("proposal", proposal_id=proposal_id))

    @post("/proposals/{proposal_id:int}/threads", name="link_proposal_thread")
    async def link_thread(
        self, request: Request, proposal_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            form = read_form(LinkThreadForm, data)
            await proposals.link_thread(viewer_of(request), proposal_id, form.thread_id)
        except (FormInvalid, DomainError) as error:
            if status_of(error) in (403, 404):
                raise
            return await proposal_page(
                request, proposal_id, errors=form_errors(error), values=data, status_code=status_of(error)
            )
        flash(request, _("The thread is linked to the proposal."), "success")
        return redirect_after_post(request, request.app.route_reverse("proposal", proposal_id=proposal_id))

    @get("/staff/proposals/ready", name="ready_proposals")
    async def ready(self, request: Request, page: FromQuery[PageNumber] = 1) -> Template:
        result = await proposals.ready_for_deliberation(viewer_of(request), page)
        return render(request, "proposals/ready.html", result=result)


async def proposal_page(
    request: Request,
    proposal_id: int,
    *,
    errors: dict | None = None,
    values: dict | None = None,
    status_code: int = 200,
    shared: shared_pages.SharedPage | None = None,
) -> Response:
    viewer = viewer_of(request)
    page = await proposals.get_proposal_page(viewer, proposal_id)
    return shared_pages.render_shared(
        request,
        shared,
        "proposals/detail.html",
        status_code=status_code,
        page=page,
        steps=await chain.chain_of(proposal_id, viewer),
        motion_part=await part_of_page("proposal_motion", viewer=viewer, proposal_id=proposal_id),
        errors=errors or {},
        values=values or {},
    )


async def _form_page(request: Request, values: dict, errors: dict, status_code: int = 200) -> Template:
    return render(
        request,
        "proposals/new.html",
        fragment="proposals/_form.html",
        status_code=status_code,
        values=values,
        errors=errors,
        plans=await list_plans(),
        segments=await list_segments(),
    )


class ProposalApiController(Controller):
    path = "/api/proposals"
    tags = ["proposals"]

    @get("/", name="api_proposals", dependencies=FILTERED)
    async def api_proposals(self, request: Request, filters: NamedDependency[ProposalFilter]) -> Page[ProposalSummary]:
        """Proposals the caller may see (drafts only their author's), filtered, newest or most supported first."""
        viewer = viewer_of(request)
        return await shared_pages.kept_value(
            request, shared_pages.by_person, lambda: proposals.list_proposals(viewer, filters)
        )

    @get("/{proposal_id:int}", name="api_proposal")
    async def api_proposal(self, request: Request, proposal_id: FromPath[Id]) -> ProposalPage:
        """One proposal with its threads, photos, support counts and the steps the caller may take."""
        return await proposals.get_proposal_page(viewer_of(request), proposal_id)
