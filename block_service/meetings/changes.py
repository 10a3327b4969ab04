"""Changing a scheduled meeting: its convener or staff move it (time, place, title) or cancel it with a reason.

Both are refused once the meeting has ended, and a cancelled meeting changes no more. Each change is audited,
bumps the iCalendar SEQUENCE (calendars that imported the event replace it) and tells everyone invited: the
people invited by name, the merchants of invited shops and groups, and whoever answered.
"""

from __future__ import annotations

from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import now
from block_service.db import write_transaction
from block_service.errors import Conflict, Invalid
from block_service.groups.services import merchants_of_groups
from block_service.meetings import notices
from block_service.meetings.people import merchants_of_shops
from block_service.meetings.schemas import WORKSTATION, MeetingChangeForm
from block_service.meetings.services import _ensure_manager, _meeting_row, check_times, parse_local
from block_service.meetings.tables import Invitee, Meeting, Rsvp
from block_service.schemas import ReasonForm

ENDED = "The meeting has ended; it can no longer be changed or cancelled."
CANCELLED = "This meeting is cancelled."


async def ensure_may_change(viewer: Viewer, meeting_id: int) -> dict:
    """The meeting (404 when there is none), if the viewer convened it or is staff (403 otherwise)."""
    meeting = await _meeting_row(meeting_id)
    _ensure_manager(viewer, meeting)
    return meeting


def _still_changeable(meeting: dict) -> None:
    if meeting["status"] == "cancelled":
        raise Conflict(CANCELLED)
    if meeting["ends_at"] <= now():
        raise Conflict(ENDED)


async def invited_people(meeting_id: int) -> set[int]:
    """Everyone a change concerns: people invited by name, merchants of invited shops and groups, and whoever
    answered (an open meeting's residents who said yes or no). Four statements at most."""
    rows = await Invitee.select(Invitee.invitee_type, Invitee.invitee_id).where(Invitee.meeting == meeting_id)
    by_type: dict[str, list[int]] = {"person": [], "shop": [], "group": []}
    for row in rows:
        by_type[row["invitee_type"]].append(row["invitee_id"])
    people = set(by_type["person"])
    people |= await merchants_of_shops(by_type["shop"])
    if by_type["group"]:
        people |= await merchants_of_groups(by_type["group"])
    answered = await Rsvp.select(Rsvp.person).where(Rsvp.meeting == meeting_id)
    return people | {row["person"] for row in answered}


async def change_meeting(viewer: Viewer, meeting_id: int, form: MeetingChangeForm) -> bool:
    """Move the meeting or rename it; False when nothing changed (a second submit of the same form)."""
    meeting = await ensure_may_change(viewer, meeting_id)
    _still_changeable(meeting)
    starts_at, ends_at = parse_local(form.starts_at, "starts_at"), parse_local(form.ends_at, "ends_at")
    check_times(starts_at, ends_at)
    if ends_at <= now():
        raise Invalid("A meeting cannot be moved into the past.", field="ends_at")
    after = {
        "title": form.title,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": form.place.strip() or WORKSTATION,
    }
    before = {key: meeting[key] for key in after}
    if before == after:
        return False
    changes = {getattr(Meeting, key): value for key, value in after.items()}
    changes[Meeting.sequence] = Meeting.sequence + 1
    if starts_at != meeting["starts_at"]:
        changes[Meeting.reminded_at] = None  # the reminder goes out again a day before the new time
    async with write_transaction():
        moved = (
            await Meeting.update(changes)
            .where((Meeting.id == meeting_id) & (Meeting.status == "scheduled"))
            .returning(Meeting.id)
        )
        if not moved:
            raise Conflict(CANCELLED)
        await record_change(
            actor_id=viewer.person_id,
            action="meeting.changed",
            object_type="meeting",
            object_id=meeting_id,
            before=before,
            after=after,
        )
        await notices.tell(
            await invited_people(meeting_id) - {viewer.person_id}, meeting_id, "changed", actor_name=viewer.display_name
        )
    return True


async def cancel_meeting(viewer: Viewer, meeting_id: int, form: ReasonForm) -> None:
    meeting = await ensure_may_change(viewer, meeting_id)
    _still_changeable(meeting)
    async with write_transaction():
        cancelled = (
            await Meeting.update(
                {
                    Meeting.status: "cancelled",
                    Meeting.cancel_reason: form.reason,
                    Meeting.sequence: Meeting.sequence + 1,
                }
            )
            .where((Meeting.id == meeting_id) & (Meeting.status == "scheduled"))
            .returning(Meeting.id)
        )
        if not cancelled:  # a second submit at the same moment: the first one cancelled it
            raise Conflict(CANCELLED)
        await record_change(
            actor_id=viewer.person_id,
            action="meeting.cancelled",
            object_type="meeting",
            object_id=meeting_id,
            before={"status": "scheduled"},
            after={"status": "cancelled", "reason": form.reason},
        )
        await notices.tell(
            await invited_people(meeting_id) - {viewer.person_id},
            meeting_id,
            "cancelled",
            actor_name=viewer.display_name,
        )
