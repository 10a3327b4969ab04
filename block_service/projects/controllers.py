"""Project pages: the list, one project (phone first) with its management forms, starting one from a motion."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, MultipartBody, URLEncodedBody
from litestar.response import Response, Template

from block_service.accounts.schemas import Viewer
from block_service.clock import block_today
from block_service.errors import DomainError, Forbidden, FormInvalid
from block_service.i18n import gettext as _
from block_service.inbox import KindView, register_kind
from block_service.plans import chain
from block_service.plans.plans import list_plans
from block_service.projects import access, evaluation, lifecycle, money, pledging, projects, steps, work
from block_service.projects.reads import StateQuery, filters_from, project_titles
from block_service.projects.schemas import (
    PARTY_TYPES,
    SIZES,
    STATES,
    EvaluationForm,
    MaintainerForm,
    MeetingLinkForm,
    MilestoneForm,
    ProjectForm,
    StageForm,
    StateForm,
    UpdateForm,
    WorkerForm,
)
from block_service.shops.segments import list_segments
from block_service.threads import photos as photo_store
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.labels import N_
from block_service.web.opened import read_notices_about
from block_service.web.page_parts import fills
from block_service.web.params import Id, OptionalIdText, PageNumber, optional_int
from block_service.web.templating import flash, render

CHAIN_PROVIDERS = steps  # the chain providers register when the app loads the controllers
PHOTO_BODY = {
    "request_max_body_size": photo_store.MAX_PHOTO_REQUEST_BYTES,
    "opt": {"too_large": N_("Photos may be at most 8 MB each, and at most 3 of them.")},
}
DOCUMENT_BODY = {
    "request_max_body_size": work.MAX_DOCUMENT_BYTES + 64 * 1024,
    "opt": {"too_large": N_("A document may be at most 10 MB.")},
}
STATE_LABELS = {
    "planned": N_("Planned"),
    "in_progress": N_("In progress"),
    "stalled": N_("Stalled"),
    "completed": N_("Completed"),
    "evaluated": N_("Evaluated"),
    "cancelled": N_("Cancelled"),
}


async def _describe(project_ids: list[int], _viewer: Viewer) -> dict[int, KindView]:
    titles = await project_titles(project_ids)
    return {pid: KindView(title=title, url=f"/projects/{pid}") for pid, title in titles.items()}


def _detail_label(event: str, detail: str) -> str:
    return _(STATE_LABELS[detail]) if event == "state" and detail in STATE_LABELS else detail


register_kind(
    "project",
    _describe,
    {
        "created": N_("%(name)s started a project from a proposal you take part in."),
        "state": N_("The project is now: %(detail)s"),
        "milestone": N_("A milestone is done: %(detail)s"),
        "update": N_("%(name)s posted a progress update: %(detail)s"),
        "worker": N_("You were added to the people working on this project."),
        "evaluate": N_("This project is completed. Did it solve the problem? Tell us by %(detail)s."),
    },
    detail_label=_detail_label,
)


@fills("motion_project")
async def _motion_project(viewer: Viewer, motion_id: int, passed: bool) -> dict[str, Any]:
    """On a motion's page: its project, or a "start the project" link for who may start it."""
    project_id = await projects.project_of_motion(motion_id)
    may_start = passed and project_id is None and await access.may_create(viewer)
    return {"motion_project_id": project_id, "may_start_project": may_start}


def _uploads(data: dict[str, Any], name: str) -> list[UploadFile]:
    files = data.get(name)
    if files is None:
        return []
    files = files if isinstance(files, list) else [files]
    return [f for f in files if isinstance(f, UploadFile) and f.filename]


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not isinstance(v, UploadFile | list)}


class ProjectController(Controller):
    @get("/projects", name="projects")
    async def projects(
        self,
        request: Request,
        plan: FromQuery[OptionalIdText] = None,
        size: FromQuery[str | None] = None,
        state_code: StateQuery = None,
        segment: FromQuery[OptionalIdText] = None,
        page: FromQuery[PageNumber] = 1,
    ) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_role)
        if isinstance(shared, Response):
            return shared
        filters = filters_from(optional_int(plan, "plan"), size, state_code, optional_int(segment, "segment"), page)
        return shared_pages.render_shared(
            request,
            shared,
            "projects/list.html",
            fragment="projects/_results.html",
            result=await projects.list_projects(filters),
            filters=filters,
            plans=await list_plans(include_archived=True),
            segments=await list_segments(),
            sizes=SIZES,
            states=STATES,
        )

    @get("/projects/new", name="project_form")
    async def project_form(self, request: Request, motion: FromQuery[OptionalIdText] = None) -> Template:
        if not await access.may_create(viewer_of(request)):
            raise Forbidden("Only staff or the council's chair start a project.")
        values = {"motion_id": motion or "", "starts_on": block_today().isoformat(), "lead_type": "person"}
        motion_id = optional_int(motion, "motion")
        if motion_id:
            found = await projects.passed_motion(motion_id)
            values["title"] = found["title"][:80]
        return _form_page(request, values, {})

    @post("/projects", name="create_project")
    async def create_project(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        if not await access.may_create(viewer_of(request)):  # before the form: its errors are not theirs to see
            raise Forbidden("Only staff or the council's chair start a project.")
        try:
            project_id = await projects.create_project(viewer_of(request), read_form(ProjectForm, data))
        except (FormInvalid, DomainError) as error:
            if status_of(error) in (403, 404):
                raise
            return _form_page(request, data, form_errors(error), status_code=status_of(error))
        flash(request, _("The project is started. Its lead and the proposal's supporters have been told."), "success")
        return redirect_after_post(request, request.app.route_reverse("project", project_id=project_id))

    @get("/projects/{project_id:int}", name="project")
    async def project(self, request: Request, project_id: FromPath[Id]) -> Response:
        await read_notices_about(request, "project", project_id)
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        return await project_page(request, project_id, shared=shared)

    @post("/projects/{project_id:int}/milestones", name="add_milestone")
    async def add_milestone(
        self, request: Request, project_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        return await act(
            request,
            project_id,
            data,
            "milestone",
            N_("The milestone is added."),
            lambda viewer: work.add_milestone(viewer, project_id, read_form(MilestoneForm, data)),
        )

    @post("/projects/{project_id:int}/milestones/{milestone_id:int}/done", name="complete_milestone")
    async def complete_milestone(
        self, request: Request, project_id: FromPath[Id], milestone_id: FromPath[Id]
    ) -> Response:
        return await act(
            request,
            project_id,
            {},
            "milestone",
            N_("The milestone is marked done."),
            lambda viewer: work.complete_milestone(viewer, project_id, milestone_id),
        )

    @post("/projects/{project_id:int}/state", name="project_state")
    async def state(self, request: Request, project_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        return await act(
            request,
            project_id,
            data,
            "state",
            N_("The project's state is changed."),
            lambda viewer: lifecycle.change_state(viewer, project_id, read_form(StateForm, data)),
        )

    @post("/projects/{project_id:int}/stage", name="project_stage")
    async def stage(self, request: Request, project_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        return await act(
            request,
            project_id,
            data,
            "stage",
            N_("The project's stage is recorded."),
            lambda viewer: lifecycle.change_stage(viewer, project_id, read_form(StageForm, data)),
        )

    @post("/projects/{project_id:int}/maintainer", name="project_maintainer")
    async def maintainer(
        self, request: Request, project_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        return await act(
            request,
            project_id,
            data,
            "maintainer",
            N_("The maintainer is named."),
            lambda viewer: lifecycle.name_maintainer(viewer, project_id, read_form(MaintainerForm, data)),
        )

    @post("/projects/{project_id:int}/workers", name="add_project_worker")
    async def worker(
        self, request: Request, project_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        return await act(
            request,
            project_id,
            data,
            "worker",
            N_("The person is added to the project."),
            lambda viewer: work.add_worker(viewer, project_id, read_form(WorkerForm, data)),
        )

    @post("/projects/{project_id:int}/meeting", name="link_project_meeting")
    async def meeting(
        self, request: Request, project_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        return await act(
            request,
            project_id,
            data,
            "meeting",
            N_("The evaluation meeting is linked."),
            lambda viewer: lifecycle.link_meeting(viewer, project_id, read_form(MeetingLinkForm, data)),
        )

    @post("/projects/{project_id:int}/evaluation", name="evaluate_project", opt={"rate_limited": True})
    async def evaluate(
        self, request: Request, project_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        return await act(
            request,
            project_id,
            data,
            "evaluation",
            N_("Thank you: your evaluation is recorded."),
            lambda viewer: evaluation.evaluate(viewer, project_id, read_form(EvaluationForm, data)),
        )

    @post("/projects/{project_id:int}/updates", name="post_project_update", **PHOTO_BODY)
    async def update(self, request: Request, project_id: FromPath[Id], data: MultipartBody[dict[str, Any]]) -> Response:
        var_dir = request.app.state.settings.var_dir
        fields = _fields(data)
        stored: list[tuple[str, int, int, int]] = []

        if not await work.may_post_update(viewer_of(request), await access.project_row(project_id)):
            raise Forbidden("Only the project's lead, its workers and staff post progress updates.")

        async def post(viewer: Viewer) -> None:
            nonlocal stored
            form = read_form(UpdateForm, fields)
            stored = await photo_store.store_uploads(var_dir, _uploads(data, "photos"))
            try:
                await work.post_update(viewer, project_id, form, stored)
            except BaseException:
                photo_store.discard_photos(var_dir, [name for name, *_rest in stored])
                raise

        return await act(request, project_id, fields, "update", N_("Your update is posted."), post)

    @post("/projects/{project_id:int}/documents", name="attach_project_document", **DOCUMENT_BODY)
    async def document(
        self, request: Request, project_id: FromPath[Id], data: MultipartBody[dict[str, Any]]
    ) -> Response:
        var_dir = request.app.state.settings.var_dir
        fields = _fields(data)

        async def attach(viewer: Viewer) -> None:
            files = _uploads(data, "document")
            content = await files[0].read(work.MAX_DOCUMENT_BYTES + 1) if files else b""
            await work.attach_document(viewer, project_id, var_dir, str(fields.get("document_title", "")), content)

        return await act(request, project_id, fields, "document", N_("The document is attached."), attach)


async def act(request: Request, project_id: int, data: dict, form: str, done: str, action) -> Response:
    """Run one management action; a refusal re-renders the page with the form's errors (403 and 404 propagate).
    Who may manage is checked before the form is read: a stranger learns nothing from the form's errors."""
    if form not in ("evaluation", "update"):
        await access.managed_project(viewer_of(request), project_id)
    try:
        await action(viewer_of(request))
    except (FormInvalid, DomainError) as error:
        if status_of(error) in (403, 404):
            raise
        return await project_page(
            request, project_id, errors={form: form_errors(error)}, values=data, status_code=status_of(error)
        )
    flash(request, _(done), "success")
    return redirect_after_post(request, request.app.route_reverse("project", project_id=project_id) + f"#{form}")


async def project_page(
    request: Request,
    project_id: int,
    *,
    errors: dict | None = None,
    values: dict | None = None,
    status_code: int = 200,
    shared: shared_pages.SharedPage | None = None,
) -> Response:
    viewer = viewer_of(request)
    page = await projects.get_project_page(viewer, project_id)
    size = page.project.size
    return shared_pages.render_shared(
        request,
        shared,
        "projects/detail.html",
        status_code=status_code,
        page=page,
        project=page.project,
        steps=await chain.chain_of(page.project.proposal_id, viewer),
        errors=errors or {},
        values=values or {},
        party_types=PARTY_TYPES,
        next_states=lifecycle.NEXT_STATES.get(page.project.state, ()),
        next_stages=lifecycle.NEXT_STAGES.get(page.project.stage, ()),
        state_labels=STATE_LABELS,
        money=await money.money_of(project_id) if size == "small" else None,
        pledges_panel=await pledging.panel_of(project_id, viewer) if size == "mini" else None,
        today=block_today().isoformat(),
    )


def _form_page(request: Request, values: dict, errors: dict, status_code: int = 200) -> Template:
    return render(
        request,
        "projects/new.html",
        fragment="projects/_form.html",
        status_code=status_code,
        values=values,
        errors=errors,
        party_types=PARTY_TYPES,
    )
