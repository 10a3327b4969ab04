"""Meeting pages: the list, one meeting (answer, agenda, invitations, attendance, minutes), convening, iCalendar."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.exceptions import NoRouteMatchFoundException
from litestar.params import FromPath, FromQuery, Parameter, URLEncodedBody
from litestar.response import Response, Template

from block_service.db.kept import kept
from block_service.errors import DomainError, FormInvalid
from block_service.i18n import N_
from block_service.i18n import gettext as _
from block_service.meetings import chain_steps, notices, pickers, records, services
from block_service.meetings.ics import calendar_of
from block_service.meetings.motions import open_motion_from_item
from block_service.meetings.people import GROUP_LABELS
from block_service.meetings.schemas import (
    KIND_LABELS,
    KINDS,
    AgendaItemForm,
    AttendanceForm,
    InviteForm,
    ItemMotionForm,
    MeetingDetail,
    MeetingFilter,
    MeetingForm,
    MeetingSummary,
    MinutesForm,
    RsvpForm,
)
from block_service.pagination import Page
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.opened import read_notices_about
from block_service.web.page_parts import fills
from block_service.web.params import Id, PageNumber
from block_service.web.templating import flash, render

# Imported for what they register: the inbox kind "meeting" and the chain's "hearing" steps.
REGISTERS = (notices, chain_steps)
CALENDAR = "text/calendar; charset=utf-8"
# "12" is the meeting's page, "12.ics" its calendar file (one segment, so one route serves both).
MeetingRef = Annotated[str, Parameter(pattern=r"^[0-9]{1,9}(\.ics)?$", max_length=13)]
KindFilter = Annotated[Literal["", "hearing", "coordination", "evaluation", "council"], Parameter()]
When = Literal["upcoming", "past"]


UNNAMED = N_("A person (named to merchants and staff)")


def _ics(request: Request, meetings: list[MeetingSummary], filename: str) -> Response:
    """The .ics in the reader's language: the builder gets the calendar's name and the kinds translated."""
    base = str(request.base_url).rstrip("/")
    kinds = {kind: _(label) for kind, label in KIND_LABELS.items()}
    body = calendar_of(meetings, base, request.url.hostname or "block", _("Lingyan block meetings"), kinds)
    return Response(body, media_type=CALENDAR, headers={"content-disposition": f'inline; filename="{filename}"'})


class MeetingController(Controller):
    @get("/meetings", name="meetings")
    async def meetings(
        self,
        request: Request,
        when: FromQuery[When] = "upcoming",
        kind: FromQuery[KindFilter] = "",
        page: FromQuery[PageNumber] = 1,
    ) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_role)
        if isinstance(shared, Response):
            return shared
        found = await services.list_meetings(MeetingFilter(when=when, kind=kind or None, page=page))
        return shared_pages.render_shared(
            request,
            shared,
            "meetings/list.html",
            fragment="meetings/_list.html",
            meetings=found,
            when=when,
            kind=kind,
            kinds=KINDS,
            kind_labels=KIND_LABELS,
            may_convene=services.may_convene(viewer_of(request)),
        )

    @get("/meetings.ics", name="meetings_ics")
    async def meetings_ics(self, request: Request) -> Response:
        """Every meeting from 30 days ago on, as an iCalendar (RFC 5545) feed."""
        return _ics(request, await services.meetings_for_calendar(), "meetings.ics")

    @get("/meetings/new", name="meeting_form")
    async def meeting_form(self, request: Request) -> Template:
        values = {key: request.query_params.get(key, "") for key in ("kind", "proposal_id", "thread_id")}
        return _new_page(request, values=values)

    @post("/meetings", name="create_meeting")
    async def create_meeting(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            meeting_id = await services.create_meeting(viewer_of(request), read_form(MeetingForm, data))
        except (FormInvalid, DomainError) as error:
            if status_of(error) == 403:
                raise
            return _new_page(request, values=data, errors=form_errors(error), status_code=status_of(error))
        flash(request, _("The meeting is scheduled. Add its agenda and invite people."), "success")
        return redirect_after_post(request, request.app.route_reverse("meeting", meeting_id=str(meeting_id)))

    @get("/meetings/{meeting_id:str}", name="meeting")
    async def meeting(self, request: Request, meeting_id: FromPath[MeetingRef]) -> Response:
        """The meeting's page; with ".ics" after the number, its iCalendar file."""
        if meeting_id.endswith(".ics"):
            number = int(meeting_id.removesuffix(".ics"))
            detail = await services.get_meeting(viewer_of(request), number)
            return _ics(request, [detail], f"meeting-{number}.ics")
        await read_notices_about(request, "meeting", int(meeting_id))
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        return await _meeting_page(request, int(meeting_id), shared=shared)

    @post("/meetings/{meeting_id:int}/answer", name="answer_meeting")
    async def answer(
        self, request: Request, meeting_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            await services.answer(viewer_of(request), meeting_id, read_form(RsvpForm, data))
        except (FormInvalid, DomainError) as error:
            return await _form_error(request, meeting_id, "answer", "meetings/_answer.html", error, data)
        if request.htmx:
            return await _meeting_page(request, meeting_id, fragment="meetings/_answer.html")
        flash(request, _("Your answer is saved."), "success")
        return redirect_after_post(request, _url(request, meeting_id))

    @post("/meetings/{meeting_id:int}/agenda", name="add_agenda_item")
    async def add_agenda_item(
        self, request: Request, meeting_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            await services.add_agenda_item(viewer_of(request), meeting_id, read_form(AgendaItemForm, data))
        except (FormInvalid, DomainError) as error:
            return await _form_error(request, meeting_id, "agenda", "meetings/_agenda_form.html", error, data)
        flash(request, _("The item is on the agenda."), "success")
        return redirect_after_post(request, _url(request, meeting_id))

    @post("/meetings/{meeting_id:int}/invitees", name="invite")
    async def invite(
        self, request: Request, meeting_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            await services.invite(viewer_of(request), meeting_id, read_form(InviteForm, data))
        except (FormInvalid, DomainError) as error:
            return await _form_error(request, meeting_id, "invite", "meetings/_invite_form.html", error, data)
        flash(request, _("The invitation is sent."), "success")
        return redirect_after_post(request, _url(request, meeting_id))

    @post("/meetings/{meeting_id:int}/attendance", name="record_attendance")
    async def record_attendance(
        self, request: Request, meeting_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            await records.record_attendance(viewer_of(request), meeting_id, read_form(AttendanceForm, data))
        except (FormInvalid, DomainError) as error:
            return await _form_error(request, meeting_id, "attendance", "meetings/_attendance_form.html", error, data)
        flash(request, _("The attendance is recorded."), "success")
        return redirect_after_post(request, _url(request, meeting_id))

    @post("/meetings/{meeting_id:int}/minutes", name="record_minutes")
    async def record_minutes(
        self, request: Request, meeting_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            await records.record_minutes(viewer_of(request), meeting_id, read_form(MinutesForm, data))
        except (FormInvalid, DomainError) as error:
            return await _form_error(request, meeting_id, "minutes", "meetings/_agenda.html", error, data)
        flash(request, _("The minutes are published."), "success")
        return redirect_after_post(request, _url(request, meeting_id))

    @post("/meetings/{meeting_id:int}/items/{item_id:int}/motion", name="motion_from_item")
    async def motion_from_item(
        self, request: Request, meeting_id: FromPath[Id], item_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            motion_id = await open_motion_from_item(
                viewer_of(request), meeting_id, item_id, read_form(ItemMotionForm, data)
            )
        except (FormInvalid, DomainError) as error:
            return await _form_error(request, meeting_id, f"motion-{item_id}", "meetings/_agenda.html", error, data)
        flash(request, _("The motion is open to the council."), "success")
        try:
            target = request.app.route_reverse("motion", motion_id=motion_id)
        except NoRouteMatchFoundException:  # the motion pages land with the council's motions
            target = _url(request, meeting_id)
        return redirect_after_post(request, target)


class MeetingApiController(Controller):
    path = "/api"
    tags = ["meetings"]

    @get("/meetings", name="api_meetings")
    async def api_meetings(
        self, when: FromQuery[When] = "upcoming", kind: FromQuery[KindFilter] = "", page: FromQuery[PageNumber] = 1
    ) -> Page[MeetingSummary]:
        """Upcoming (or past) meetings, soonest (or latest) first, optionally of one kind."""
        return await services.list_meetings(MeetingFilter(when=when, kind=kind or None, page=page))

    @get("/meetings/{meeting_id:int}", name="api_meeting")
    async def api_meeting(self, request: Request, meeting_id: FromPath[Id]) -> MeetingDetail:
        """A meeting with its agenda, published minutes, invitees and attendance, as the HTML shows this viewer."""
        detail = await services.get_meeting(viewer_of(request), meeting_id)
        for person in (*detail.invitees, *detail.attendance):
            if not person.named:
                person.name = _(UNNAMED)
        for invitee in detail.invitees:
            if invitee.invitee_type in GROUP_LABELS:
                invitee.name = _(invitee.name)
        return detail


def _url(request: Request, meeting_id: int) -> str:
    return request.app.route_reverse("meeting", meeting_id=str(meeting_id))


def _new_page(request: Request, *, values: dict, errors: dict | None = None, status_code: int = 200) -> Template:
    return render(
        request,
        "meetings/new.html",
        fragment="meetings/_meeting_form.html",
        status_code=status_code,
        values=values,
        errors=errors or {},
        kinds=KINDS,
        kind_labels=KIND_LABELS,
        may_convene=services.may_convene(viewer_of(request)),
    )


async def _meeting_page(
    request: Request,
    meeting_id: int,
    *,
    fragment: str | None = None,
    status_code: int = 200,
    errors: dict | None = None,
    values: dict | None = None,
    shared: shared_pages.SharedPage | None = None,
    found: dict | None = None,
) -> Response:
    viewer = viewer_of(request)
    meeting = await services.get_meeting(viewer, meeting_id)
    picking: dict[str, Any] = {"group_picks": [], "checklist": [], "found": None, "q": ""}
    if meeting.may_manage:
        row = {
            "id": meeting.id,
            "kind": meeting.kind,
            "proposal_id": meeting.proposal_id,
            "thread_id": meeting.thread_id,
        }
        if meeting.changeable:
            picking["group_picks"] = await pickers.group_picks(row)
        if meeting.has_begun and meeting.status == "scheduled":
            picking["checklist"] = await pickers.checklist(viewer, row)
    picking |= found or {}
    return shared_pages.render_shared(
        request,
        shared,
        "meetings/detail.html",
        fragment=fragment,
        status_code=status_code,
        meeting=meeting,
        kind_labels=KIND_LABELS,
        group_labels=GROUP_LABELS,
        marks=pickers.MARKS,
        errors=errors or {},
        values=values or {},
        **picking,
    )


async def _form_error(
    request: Request, meeting_id: int, form: str, fragment: str, error: Exception, data: dict
) -> Template:
    """A refused form comes back as its fragment with the reason (403 and 404 are the error page's)."""
    if status_of(error) in (403, 404):
        raise error
    return await _meeting_page(
        request,
        meeting_id,
        fragment=fragment,
        status_code=status_of(error),
        errors={form: form_errors(error)},
        values={form: data},
    )


@fills("plan_meetings")
async def plan_meetings(*, plan_ids: list[int], detail: bool = False, **_known: Any) -> dict[str, Any]:
    """The plans' part: upcoming meetings per plan for the cards, and on a plan's page its latest meetings
    (meetings/_plan_meetings.html, included with this dict as `part`)."""
    part: dict[str, Any] = {"counts": await services.upcoming_counts_by_plan(plan_ids), "template": None}
    if detail and plan_ids:
        part["items"] = await services.meetings_of_plan(plan_ids[0])
        part["template"] = "meetings/_plan_meetings.html"
        part["kind_labels"] = KIND_LABELS
    return part


@fills("thread_meetings")
async def thread_meetings(*, thread_id: int, **_known: Any) -> dict[str, Any]:
    """The thread page's coordination meetings with their minutes (template meetings/_thread_meetings.html)."""
    # Published minutes are public: the same for every reader, kept until the next write.
    minutes = await kept(("thread meetings", thread_id), lambda: records.published_minutes(thread_ids=[thread_id]))
    return {"thread_meetings": minutes, "kind_labels": KIND_LABELS}
