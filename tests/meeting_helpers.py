"""Helpers for meeting tests: times in the block's zone, a meeting convened through the service."""

from __future__ import annotations

import datetime as dt

from block_service.clock import BLOCK_TIMEZONE, now
from block_service.meetings import services
from block_service.meetings.schemas import MeetingForm


def local(moment: dt.datetime) -> str:
    """How a datetime-local field sends a moment: Beijing time, to the minute."""
    return moment.astimezone(BLOCK_TIMEZONE).strftime("%Y-%m-%dT%H:%M")


async def make_meeting(convener, *, kind="hearing", in_hours: float = 48, hours: float = 2, **fields) -> int:
    starts = now() + dt.timedelta(hours=in_hours)
    form = MeetingForm(
        kind=kind,
        title=fields.pop("title", "关于夜间外摆的听证会"),
        starts_at=local(starts),
        ends_at=local(starts + dt.timedelta(hours=hours)),
        **fields,
    )
    return await services.create_meeting(convener, form)


async def move_meeting(meeting_id: int, *, starts_in_hours: float, hours: float = 2) -> None:
    """Shift a meeting in time (a test cannot wait for the meeting to begin)."""
    from block_service.meetings.tables import Meeting

    starts = now() + dt.timedelta(hours=starts_in_hours)
    await Meeting.update({Meeting.starts_at: starts, Meeting.ends_at: starts + dt.timedelta(hours=hours)}).where(
        Meeting.id == meeting_id
    )
