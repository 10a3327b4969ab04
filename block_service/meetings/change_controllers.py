"""Meeting pages for its convener and staff: move or rename a scheduled meeting, cancel it, and the people
pickers (invite by name or by one-tap group, attendance as one checklist of the invitees)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Response

from block_service.errors import DomainError, FormInvalid
from block_service.i18n import gettext as _
from block_service.meetings import changes, pickers
from block_service.meetings.controllers import _form_error, _meeting_page, _url
from block_service.meetings.schemas import MeetingChangeForm
from block_service.schemas import ReasonForm
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.params import Id
from block_service.web.templating import flash


class MeetingChangeController(Controller):
    @post("/meetings/{meeting_id:int}/change", name="change_meeting")
    async def change(
        self, request: Request, meeting_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        """New time, place or title; the invitees are told and the calendar event's SEQUENCE goes up."""
        await changes.ensure_may_change(viewer_of(request), meeting_id)
        fields = {key.removeprefix("change_"): value for key, value in data.items() if key.startswith("change_")}
        try:
            changed = await changes.change_meeting(viewer_of(request), meeting_id, read_form(MeetingChangeForm, fields))
        except (FormInvalid, DomainError) as error:
            if status_of(error) in (403, 404):
                raise
            named = {key if key == "__all__" else f"change_{key}": text for key, text in form_errors(error).items()}
            return await _meeting_page(
                request,
                meeting_id,
                fragment="meetings/_change_form.html",
                status_code=status_of(error),
                errors={"change": named},
                values={"change": data},
            )
        if changed:
            flash(request, _("The meeting is changed. Everyone invited has been told."), "success")
        return redirect_after_post(request, _url(request, meeting_id))

    @post("/meetings/{meeting_id:int}/cancel", name="cancel_meeting")
    async def cancel(
        self, request: Request, meeting_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        await changes.ensure_may_change(viewer_of(request), meeting_id)
        try:
            await changes.cancel_meeting(viewer_of(request), meeting_id, read_form(ReasonForm, data))
        except (FormInvalid, DomainError) as error:
            return await _form_error(request, meeting_id, "cancel", "meetings/_change_form.html", error, data)
        flash(request, _("The meeting is cancelled. Everyone invited has been told."), "info")
        return redirect_after_post(request, _url(request, meeting_id))

    @get("/meetings/{meeting_id:int}/people", name="meeting_people")
    async def people(self, request: Request, meeting_id: FromPath[Id], q: FromQuery[str] = "") -> Response:
        """Names matching `q` as buttons that invite in one tap (htmx: the results alone; else the whole page)."""
        found = await pickers.search(viewer_of(request), meeting_id, q[:40])
        return await _meeting_page(
            request, meeting_id, fragment="meetings/_pick_results.html", found={"found": found, "q": q[:40]}
        )

    @post("/meetings/{meeting_id:int}/picks", name="invite_picks")
    async def invite_picks(
        self, request: Request, meeting_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        """Invite the people, shops or groups chosen on the page (each button sends one or more `pick`)."""
        await pickers.manageable(viewer_of(request), meeting_id)
        chosen = data.get("pick") or []
        chosen = [chosen] if isinstance(chosen, str) else [str(value) for value in chosen]
        try:
            added = await pickers.invite_picks(viewer_of(request), meeting_id, chosen)
        except (FormInvalid, DomainError) as error:
            return await _form_error(request, meeting_id, "invite", "meetings/_invite_form.html", error, {})
        if added:
            flash(request, _("The invitation is sent."), "success")
        else:
            flash(request, _("Already invited."), "info")
        return redirect_after_post(request, _url(request, meeting_id))

    @post("/meetings/{meeting_id:int}/attendance/list", name="record_attendance_list")
    async def record_attendance_list(
        self, request: Request, meeting_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        """The whole checklist at once: present, absent or excused for each person and shop on it."""
        await pickers.manageable(viewer_of(request), meeting_id)
        try:
            await pickers.record_checklist(viewer_of(request), meeting_id, data)
        except (FormInvalid, DomainError) as error:
            return await _form_error(request, meeting_id, "attendance", "meetings/_attendance_form.html", error, data)
        flash(request, _("The attendance is recorded."), "success")
        return redirect_after_post(request, _url(request, meeting_id))
