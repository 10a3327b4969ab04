"""The staff desk: queues, assignment from a row, due times, internal notes, bulk actions, filing for someone."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Response, Template

from block_service.accounts.roles import list_staff
from block_service.errors import DomainError, FormInvalid
from block_service.i18n import gettext as _
from block_service.threads import categories, desk, workflow
from block_service.threads.desk_schemas import QUEUES, SOURCES, BulkForm, DueForm, IntakeForm, NoteForm
from block_service.threads.schemas import STATUSES, AssignForm
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form
from block_service.web.htmx import redirect_after_post
from block_service.web.live import announce
from block_service.web.params import MAX_ID, Id, PageNumber
from block_service.web.templating import flash, render


def _thread_ids(data: dict[str, Any]) -> list[int]:
    raw = data.get("thread_ids") or []
    values = raw if isinstance(raw, list) else [raw]
    ids = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if 1 <= number <= MAX_ID:
            ids.append(number)
    return ids


class StaffDeskController(Controller):
    path = "/staff"

    @get("/", name="staff_desk")
    async def desk_page(
        self, request: Request, queue: FromQuery[str | None] = None, page: FromQuery[PageNumber] = 1
    ) -> Template:
        return await _desk(request, queue if queue in QUEUES else "new", page)

    @post("/desk/threads/{thread_id:int}/assign", name="desk_assign")
    async def assign(self, request: Request, thread_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        """Assign from a row of the desk: htmx swaps the row in place; a plain form goes back to the desk."""
        viewer = viewer_of(request)
        form = read_form(AssignForm, data)
        await workflow.assign_thread(viewer, thread_id, form.staff_id)
        if request.htmx:
            return Template(
                template_name="staff/_desk_row.html",
                context={"row": await desk.thread_row(viewer, thread_id), "staff_members": await list_staff()},
            )
        flash(request, _("Assigned."), "success")
        return redirect_after_post(request, request.app.route_reverse("staff_desk"))

    @post("/threads/{thread_id:int}/due", name="set_due")
    async def set_due(
        self, request: Request, thread_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        form = read_form(DueForm, data)
        await desk.set_due(viewer_of(request), thread_id, desk.parse_due(form.due_at))
        flash(request, _("The due time is changed."), "success")
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))

    @post("/threads/{thread_id:int}/notes", name="add_staff_note")
    async def add_note(
        self, request: Request, thread_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        form = read_form(NoteForm, data)
        await desk.add_note(viewer_of(request), thread_id, form)
        flash(request, _("The internal note is saved; only staff see it."), "success")
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))

    @post("/desk/bulk", name="bulk_threads")
    async def bulk(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        queue = data.get("queue") if data.get("queue") in QUEUES else "new"
        try:
            form = read_form(BulkForm, data)
            count = await desk.bulk_act(viewer_of(request), _thread_ids(data), form)
        except (FormInvalid, DomainError) as error:
            if isinstance(error, DomainError) and error.status_code not in (409, 422):
                raise
            return await _desk(request, queue, 1, errors=form_errors(error), status_code=422)
        for thread_id in _thread_ids(data):
            announce(request.app, thread_id)
        flash(request, _("%(count)s threads changed.", count=count), "success")
        return redirect_after_post(request, request.app.route_reverse("staff_desk") + f"?queue={queue}")

    @get("/intake", name="intake_form")
    async def intake_form(self, request: Request) -> Template:
        return await _intake_page(request)

    @post("/intake", name="file_intake")
    async def file_intake(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        viewer = viewer_of(request)
        try:
            form = read_form(IntakeForm, data)
            thread_id = await desk.file_on_behalf(viewer, form)
        except (FormInvalid, DomainError) as error:
            if isinstance(error, DomainError) and error.status_code not in (409, 422):
                raise
            return await _intake_page(request, values=dict(data), errors=form_errors(error), status_code=422)
        flash(request, _("The report is filed on their behalf."), "success")
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))


async def _desk(
    request: Request, queue: str, page: int, errors: dict | None = None, status_code: int = 200
) -> Template:
    viewer = viewer_of(request)
    return render(
        request,
        "staff/desk.html",
        fragment="staff/_desk_queue.html",
        status_code=status_code,
        queue=queue,
        queues=QUEUES,
        counts=await desk.queue_counts(viewer),
        result=await desk.desk_queue(viewer, queue, page),
        staff_members=await list_staff(),
        statuses=STATUSES,
        templates=await categories.list_response_templates(),
        errors=errors or {},
    )


async def _intake_page(
    request: Request, values: dict | None = None, errors: dict | None = None, status_code: int = 200
) -> Template:
    return render(
        request,
        "staff/intake.html",
        status_code=status_code,
        categories=await categories.list_categories(),
        sources=SOURCES,
        values=values or {},
        errors=errors or {},
    )
