"""After a meeting: who came, the minutes per agenda item, and the reminder the day before."""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import now
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.meetings import notices
from block_service.meetings.people import invitee_names, is_secretary
from block_service.meetings.schemas import AgendaItemOut, AttendanceForm, MeetingMinutes, MinutesForm
from block_service.meetings.services import _ensure_manager, _meeting_row
from block_service.meetings.tables import AgendaItem, Attendance, Meeting, Rsvp

REMINDER_AHEAD = dt.timedelta(hours=24)


async def record_attendance(viewer: Viewer, meeting_id: int, form: AttendanceForm) -> None:
    meeting = await _meeting_row(meeting_id)
    _ensure_manager(viewer, meeting)
    if meeting["starts_at"] > now():
        raise Conflict("Attendance is recorded once the meeting has begun.")
    key = (form.attendee_type, form.attendee_id)
    if key not in await invitee_names(viewer, [key]):
        raise Invalid("No such shop or person.", field="attendee_id")
    async with write_transaction():
        with duplicate_means(Conflict("This attendance is recorded already.", field="attendee_id")):
            await Attendance.insert(
                Attendance(
                    meeting=meeting_id,
                    attendee_type=form.attendee_type,
                    attendee_id=form.attendee_id,
                    recorded_by=viewer.person_id,
                    recorded_at=now(),
                )
            )
        await record_change(
            actor_id=viewer.person_id,
            action="meeting.attendance_recorded",
            object_type="meeting",
            object_id=meeting_id,
            after={"attendee_type": form.attendee_type, "attendee_id": form.attendee_id},
        )


async def record_minutes(viewer: Viewer, meeting_id: int, form: MinutesForm) -> None:
    """The secretary or staff write an agenda item's minutes; saving publishes them. The first publication of a
    meeting's minutes tells those who said yes, the attending people and the convener."""
    if not (viewer.is_staff or (viewer.has("council") and await is_secretary(viewer.person_id))):
        raise Forbidden("Only the council's secretary or staff publish minutes.")
    meeting = await _meeting_row(meeting_id)
    moment = now()
    if meeting["starts_at"] > moment:
        raise Conflict("Minutes are written once the meeting has begun.")
    async with write_transaction():
        item = (
            await AgendaItem.select(AgendaItem.id, AgendaItem.minutes)
            .where((AgendaItem.id == form.item_id) & (AgendaItem.meeting == meeting_id))
            .first()
        )
        if item is None:
            raise NotFound("No such agenda item in this meeting.")
        if item["minutes"] == form.minutes:
            return
        await AgendaItem.update({AgendaItem.minutes: form.minutes, AgendaItem.minutes_at: moment}).where(
            AgendaItem.id == form.item_id
        )
        first = (
            await Meeting.update({Meeting.minutes_published_at: moment, Meeting.minutes_published_by: viewer.person_id})
            .where((Meeting.id == meeting_id) & Meeting.minutes_published_at.is_null())
            .returning(Meeting.id)
        )
        await record_change(
            actor_id=viewer.person_id,
            action="meeting.minutes_published",
            object_type="meeting",
            object_id=meeting_id,
            before={"item": form.item_id, "minutes": item["minutes"]},
            after={"item": form.item_id, "minutes": form.minutes},
        )
        if first:
            await notices.tell(await _concerned(meeting), meeting_id, "minutes", actor_name=viewer.display_name)


async def _concerned(meeting: dict) -> set[int]:
    said_yes = await Rsvp.select(Rsvp.person).where((Rsvp.meeting == meeting["id"]) & (Rsvp.answer == "yes"))
    came = await Attendance.select(Attendance.attendee_id).where(
        (Attendance.meeting == meeting["id"])
        & (Attendance.attendee_type == "person")
        & (Attendance.status == "present")
    )
    return {row["person"] for row in said_yes} | {row["attendee_id"] for row in came} | {meeting["convener"]}


async def send_reminders(moment: dt.datetime | None = None) -> int:
    """Remind those who said yes, once per meeting, within a day of its start. Idempotent: a meeting is claimed by a
    conditional update inside the transaction that records the notices, so two workers at once remind once."""
    moment = moment or now()
    due = await Meeting.select(Meeting.id).where(
        Meeting.reminded_at.is_null()
        & (Meeting.status == "scheduled")
        & (Meeting.starts_at > moment)
        & (Meeting.starts_at <= moment + REMINDER_AHEAD)
    )
    reminded = 0
    for row in due:
        async with write_transaction():
            claimed = (
                await Meeting.update({Meeting.reminded_at: moment})
                .where((Meeting.id == row["id"]) & Meeting.reminded_at.is_null())
                .returning(Meeting.id)
            )
            if not claimed:
                continue
            going = await Rsvp.select(Rsvp.person).where((Rsvp.meeting == row["id"]) & (Rsvp.answer == "yes"))
            await notices.tell([r["person"] for r in going], row["id"], "reminder")
            reminded += 1
    return reminded


async def published_minutes(*, proposal_ids: list[int] = (), thread_ids: list[int] = ()) -> list[MeetingMinutes]:
    """Hearings of these proposals and coordination meetings of these threads, with their published minutes.
    Two statements whatever the number of meetings."""
    condition = None
    if proposal_ids:
        condition = (Meeting.kind == "hearing") & Meeting.proposal_id.is_in(sorted(proposal_ids))
    if thread_ids:
        by_thread = (Meeting.kind == "coordination") & Meeting.thread_id.is_in(sorted(thread_ids))
        condition = by_thread if condition is None else (condition | by_thread)
    if condition is None:
        return []
    rows = (
        await Meeting.select(
            Meeting.id,
            Meeting.kind,
            Meeting.title,
            Meeting.starts_at,
            Meeting.minutes_published_at,
            Meeting.proposal_id,
            Meeting.thread_id,
        )
        .where(condition)
        .order_by(Meeting.starts_at)
    )
    meetings = [
        MeetingMinutes(
            id=row["id"],
            kind=row["kind"],
            title=row["title"],
            starts_at=row["starts_at"],
            minutes_published_at=row["minutes_published_at"],
            proposal_id=row["proposal_id"],
            thread_id=row["thread_id"],
        )
        for row in rows
    ]
    published = [meeting.id for meeting in meetings if meeting.minutes_published_at]
    if published:
        items = await AgendaItem.select().where(AgendaItem.meeting.is_in(published)).order_by(AgendaItem.position)
        by_meeting = {meeting.id: meeting for meeting in meetings}
        for item in items:
            if item["minutes"]:
                by_meeting[item["meeting"]].items.append(
                    AgendaItemOut(
                        id=item["id"],
                        position=item["position"],
                        title=item["title"],
                        target_type=item["target_type"],
                        target_id=item["target_id"],
                        minutes=item["minutes"],
                        minutes_at=item["minutes_at"],
                    )
                )
    return meetings


async def export_of(person_id: int) -> dict:
    """A person's meeting data for their download: answers, attendance as a person, meetings convened."""
    answers = await Rsvp.select(Rsvp.meeting, Rsvp.answer, Rsvp.answered_at).where(Rsvp.person == person_id)
    came = await Attendance.select(Attendance.meeting, Attendance.status, Attendance.recorded_at).where(
        (Attendance.attendee_type == "person") & (Attendance.attendee_id == person_id)
    )
    convened = await Meeting.select(Meeting.id, Meeting.kind, Meeting.title, Meeting.starts_at).where(
        Meeting.convener == person_id
    )
    return {"answers": answers, "attended": came, "convened": convened}


async def release_meeting_places_of(person_id: int) -> int:
    """When an account is deleted: its answers to meetings not yet begun are withdrawn and their places freed
    (inside the caller's transaction). Past answers and attendance stay, under the account's tombstone name."""
    upcoming = await Rsvp.select(Rsvp.id, Rsvp.meeting, Rsvp.answer).where(
        (Rsvp.person == person_id) & Rsvp.meeting.is_in(Meeting.select(Meeting.id).where(Meeting.starts_at > now()))
    )
    for row in upcoming:
        if row["answer"] == "yes":
            await Meeting.update({Meeting.going: Meeting.going - 1}).where(Meeting.id == row["meeting"])
        await Rsvp.delete().where(Rsvp.id == row["id"])
    return len(upcoming)
