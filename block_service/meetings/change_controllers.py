"""Meeting pages for its convener and staff: move or rename a scheduled meeting, cancel it, and the people
pickers (invite by name or by one-tap group, attendance as one checklist of the invitees)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Response

from block_service.errors import DomainError, FormInvalid
from block_service.i18n import gettext as _
from block_service.meetings import changes
from block_service.meetings.controllers import _form_error, _url
from block_service.meetings.schemas import MeetingChangeForm
from block_service.schemas import ReasonForm
from block_service.web.auth import viewer_of
from block_service.web.forms import read_form
from block_service.web.htmx import redirect_after_post
from block_service.web.params import Id
from block_service.web.templating import flash


class MeetingChangeController(Controller):
    @post("/meetings/{meeting_id:int}/change", name="change_meeting")
    async def change(self, request: Request, meeting_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        """New time, place or title; the invitees are told and the calendar event's SEQUENCE goes up."""
        await changes.ensure_may_change(viewer_of(request), meeting_id)
        try:
            changed = await changes.change_meeting(viewer_of(request), meeting_id, read_form(MeetingChangeForm, data))
        except (FormInvalid, DomainError) as error:
            return await _form_error(request, meeting_id, "change", "meetings/_change_form.html", error, data)
        if changed:
            flash(request, _("The meeting is changed. Everyone invited has been told."), "success")
        return redirect_after_post(request, _url(request, meeting_id))

    @post("/meetings/{meeting_id:int}/cancel", name="cancel_meeting")
    async def cancel(self, request: Request, meeting_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        await changes.ensure_may_change(viewer_of(request), meeting_id)
        try:
            await changes.cancel_meeting(viewer_of(request), meeting_id, read_form(ReasonForm, data))
        except (FormInvalid, DomainError) as error:
            return await _form_error(request, meeting_id, "cancel", "meetings/_change_form.html", error, data)
        flash(request, _("The meeting is cancelled. Everyone invited has been told."), "info")
        return redirect_after_post(request, _url(request, meeting_id))
