"""Meeting rules: convening, the agenda, invitations, answers with a capacity, and reading meetings."""

from __future__ import annotations

import datetime as dt
import functools

import msgspec

from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import BLOCK_TIMEZONE, now
from block_service.council.motions import may_open_motions
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.groups.membership import group_ids_of
from block_service.meetings import notices
from block_service.meetings.people import hidden_reporters, invitee_names, is_secretary, people_of
from block_service.meetings.schemas import (
    WORKSTATION,
    AgendaItemForm,
    AgendaItemOut,
    AttendeeOut,
    InviteeOut,
    InviteForm,
    MeetingDetail,
    MeetingFilter,
    MeetingForm,
    MeetingSummary,
    RsvpForm,
)
from block_service.meetings.tables import AgendaItem, Attendance, Invitee, Meeting, Rsvp
from block_service.meetings.targets import check_target, convener_viewer
from block_service.pagination import Page, clamp, paginate
from block_service.plans.tables import Proposal


def parse_local(text: str, field: str) -> dt.datetime:
    """A time typed in the block's time zone ("2026-12-01T19:00"), as the UTC instant stored."""
    try:
        naive = dt.datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        raise Invalid("Enter a date and time such as 2026-12-01 19:00.", field=field) from None
    return naive.replace(tzinfo=BLOCK_TIMEZONE).astimezone(dt.UTC)


def check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise Invalid("The meeting must end after it starts.", field="ends_at")
    if ends_at - starts_at > dt.timedelta(hours=24):
        raise Invalid("A meeting lasts at most a day.", field="ends_at")


def may_convene(viewer: Viewer) -> bool:
    """Staff and sitting council members convene meetings."""
    return viewer.has("staff", "council")


@functools.cache
def _summary_columns() -> tuple:
    return (
        Meeting.id,
        Meeting.kind,
        Meeting.title,
        Meeting.starts_at,
        Meeting.ends_at,
        Meeting.place,
        Meeting.open_to_residents,
        Meeting.capacity,
        Meeting.going,
        Meeting.proposal_id,
        Meeting.thread_id,
        Meeting.minutes_published_at,
        Meeting.status,
        Meeting.cancel_reason,
        Meeting.sequence,
    )


async def create_meeting(viewer: Viewer, form: MeetingForm) -> int:
    if not may_convene(viewer):
        raise Forbidden("Only staff and council members convene meetings.")
    starts_at, ends_at = parse_local(form.starts_at, "starts_at"), parse_local(form.ends_at, "ends_at")
    check_times(starts_at, ends_at)
    if form.proposal_id is not None:
        await check_target(viewer, "proposal", form.proposal_id, field="proposal_id")
    if form.thread_id is not None:
        await check_target(viewer, "thread", form.thread_id, field="thread_id")
    values = {
        "kind": form.kind,
        "title": form.title,
        "description": form.description,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": form.place.strip() or WORKSTATION,
        "convener": viewer.person_id,
        "open_to_residents": form.open_to_residents,
        "capacity": form.capacity,
        "proposal_id": form.proposal_id,
        "thread_id": form.thread_id,
        "created_at": now(),
    }
    async with write_transaction():
        rows = await Meeting.insert(Meeting(**values)).returning(Meeting.id)
        meeting_id = rows[0]["id"]
        await record_change(
            actor_id=viewer.person_id,
            action="meeting.created",
            object_type="meeting",
            object_id=meeting_id,
            after={key: value for key, value in values.items() if key not in ("created_at",)},
        )
    return meeting_id


async def _meeting_row(meeting_id: int) -> dict:
    row = await Meeting.select().where(Meeting.id == meeting_id).first()
    if row is None:
        raise NotFound("No such meeting.")
    return row


def _ensure_manager(viewer: Viewer, meeting: dict) -> None:
    if not (viewer.is_staff or viewer.person_id == meeting["convener"]):
        raise Forbidden("Only the meeting's convener or staff change this meeting.")


async def add_agenda_item(viewer: Viewer, meeting_id: int, form: AgendaItemForm) -> int:
    meeting = await _meeting_row(meeting_id)
    _ensure_manager(viewer, meeting)
    convener = viewer if viewer.person_id == meeting["convener"] else await convener_viewer(meeting["convener"])
    await check_target(convener, form.target_type, form.target_id)
    async with write_transaction():
        last = (
            await AgendaItem.select(AgendaItem.position)
            .where(AgendaItem.meeting == meeting_id)
            .order_by(AgendaItem.position, ascending=False)
            .first()
        )
        values = {
            "meeting": meeting_id,
            "position": (last["position"] + 1) if last else 1,
            "title": form.title,
            "target_type": form.target_type,
            "target_id": form.target_id if form.target_type else None,
        }
        rows = await AgendaItem.insert(AgendaItem(**values)).returning(AgendaItem.id)
        await record_change(
            actor_id=viewer.person_id,
            action="meeting.agenda_item_added",
            object_type="meeting",
            object_id=meeting_id,
            after=values,
        )
    return rows[0]["id"]


async def invite(viewer: Viewer, meeting_id: int, form: InviteForm) -> None:
    meeting = await _meeting_row(meeting_id)
    _ensure_manager(viewer, meeting)
    if meeting["status"] == "cancelled":
        raise Conflict("This meeting is cancelled.")
    if meeting["ends_at"] <= now():
        raise Conflict("The meeting is over; nobody can be invited any more.")
    names = await invitee_names(viewer, [(form.invitee_type, form.invitee_id)])
    if (form.invitee_type, form.invitee_id) not in names:
        raise Invalid("No such group, shop or person.", field="invitee_id")
    people = await people_of([(form.invitee_type, form.invitee_id)])
    async with write_transaction():
        with duplicate_means(Conflict("Already invited.", field="invitee_id")):
            await Invitee.insert(
                Invitee(meeting=meeting_id, invitee_type=form.invitee_type, invitee_id=form.invitee_id)
            )
        await record_change(
            actor_id=viewer.person_id,
            action="meeting.invited",
            object_type="meeting",
            object_id=meeting_id,
            after={"invitee_type": form.invitee_type, "invitee_id": form.invitee_id},
        )
        await notices.tell(people, meeting_id, "invited", actor_name=viewer.display_name)


async def is_invited(viewer: Viewer, meeting: dict) -> bool:
    """Whether the viewer may answer: open meetings to everyone signed in; else the invited (in person, through a
    shop they act for or a group of it), the convener, staff, and for council meetings the sitting members."""
    if not viewer.is_signed_in:
        return False
    if meeting["open_to_residents"] or viewer.is_staff or viewer.person_id == meeting["convener"]:
        return True
    if meeting["kind"] == "council" and viewer.has("council"):
        return True
    rows = await Invitee.select(Invitee.invitee_type, Invitee.invitee_id).where(Invitee.meeting == meeting["id"])
    invited = {(row["invitee_type"], row["invitee_id"]) for row in rows}
    if ("person", viewer.person_id) in invited or any(("shop", shop) in invited for shop in viewer.shop_ids):
        return True
    if any(kind == "council" for kind, _id in invited) and viewer.has("council"):
        return True
    groups = {invitee_id for kind, invitee_id in invited if kind == "group"}
    if groups and groups & await group_ids_of(viewer):
        return True
    reaching = [(kind, object_id) for kind, object_id in invited if kind in ("proposal", "thread")]
    return bool(reaching) and viewer.person_id in await people_of(reaching)


async def answer(viewer: Viewer, meeting_id: int, form: RsvpForm) -> None:
    """Yes or no; the capacity holds under any number of answers at once (a conditional update of `going`), and
    sending the same answer twice changes nothing."""
    meeting = await _meeting_row(meeting_id)
    if meeting["status"] == "cancelled":
        raise Conflict("This meeting is cancelled.")
    if meeting["starts_at"] <= now():
        raise Conflict("The meeting has begun; answers are closed.")
    if not await is_invited(viewer, meeting):
        raise Forbidden("This meeting is by invitation, and you are not invited.")
    try:
        await _answer(viewer.person_id, meeting_id, form.answer)
    except Conflict as refusal:
        if refusal.message != _ANSWERED:
            raise
        # Two submits at once: the other one stored an answer; the same answer is done, another one is retried.
        await _answer(viewer.person_id, meeting_id, form.answer)


_ANSWERED = "You have already answered."


async def _answer(person_id: int, meeting_id: int, new: str) -> None:
    async with write_transaction():
        row = (
            await Rsvp.select(Rsvp.id, Rsvp.answer)
            .where((Rsvp.meeting == meeting_id) & (Rsvp.person == person_id))
            .first()
        )
        old = row["answer"] if row else None
        if old == new:
            return
        if new == "yes":
            taken = (
                await Meeting.update({Meeting.going: Meeting.going + 1})
                .where((Meeting.id == meeting_id) & (Meeting.capacity.is_null() | (Meeting.going < Meeting.capacity)))
                .returning(Meeting.id)
            )
            if not taken:
                raise Conflict("The meeting is full.", field="answer")
        elif old == "yes":
            await Meeting.update({Meeting.going: Meeting.going - 1}).where(Meeting.id == meeting_id)
        if row is None:
            with duplicate_means(Conflict(_ANSWERED)):
                await Rsvp.insert(Rsvp(meeting=meeting_id, person=person_id, answer=new, answered_at=now()))
        else:
            await Rsvp.update({Rsvp.answer: new, Rsvp.answered_at: now()}).where(Rsvp.id == row["id"])
        await record_change(
            actor_id=person_id,
            action="meeting.answered",
            object_type="meeting",
            object_id=meeting_id,
            before={"answer": old},
            after={"answer": new},
        )


async def list_meetings(filters: MeetingFilter, moment: dt.datetime | None = None) -> Page[MeetingSummary]:
    page, per_page = clamp(filters.page, filters.per_page)
    moment = moment or now()
    upcoming = filters.when == "upcoming"
    condition = (Meeting.ends_at >= moment) if upcoming else (Meeting.ends_at < moment)
    if filters.kind:
        condition = condition & (Meeting.kind == filters.kind)
    query = Meeting.select(*_summary_columns()).where(condition).order_by(Meeting.starts_at, ascending=upcoming)
    query = query.order_by(Meeting.id, ascending=upcoming)
    return await paginate(
        query,
        Meeting.select(Meeting.id).where(condition),
        page,
        per_page,
        lambda row: msgspec.convert(row, MeetingSummary),
    )


async def meetings_for_calendar(moment: dt.datetime | None = None, limit: int = 200) -> list[MeetingSummary]:
    """Meetings from 30 days ago on, for the iCalendar feed."""
    since = (moment or now()) - dt.timedelta(days=30)
    rows = (
        await Meeting.select(*_summary_columns())
        .where(Meeting.ends_at >= since)
        .order_by(Meeting.starts_at)
        .limit(limit)
    )
    return [msgspec.convert(row, MeetingSummary) for row in rows]


async def get_meeting(viewer: Viewer, meeting_id: int) -> MeetingDetail:
    """A meeting as this viewer sees it: agenda, minutes, invitees and attendance (names by the name rules)."""
    rows = await Meeting.select(
        *_summary_columns(),
        Meeting.description,
        Meeting.convener.as_alias("convener_id"),
        Meeting.convener.display_name.as_alias("convener_name"),
    ).where(Meeting.id == meeting_id)
    if not rows:
        raise NotFound("No such meeting.")
    detail = msgspec.convert(rows[0], MeetingDetail)
    items = await AgendaItem.select().where(AgendaItem.meeting == meeting_id).order_by(AgendaItem.position)
    detail.agenda = [msgspec.convert(item, AgendaItemOut) for item in items]
    invited = (
        await Invitee.select(Invitee.invitee_type, Invitee.invitee_id)
        .where(Invitee.meeting == meeting_id)
        .order_by(Invitee.id)
    )
    came = (
        await Attendance.select(Attendance.attendee_type, Attendance.attendee_id, Attendance.status)
        .where(Attendance.meeting == meeting_id)
        .order_by(Attendance.id)
    )
    wanted = [(r["invitee_type"], r["invitee_id"]) for r in invited] + [
        (r["attendee_type"], r["attendee_id"]) for r in came
    ]
    names = await invitee_names(viewer, wanted)
    unnamed = {key for key, name in names.items() if name is None}  # people this viewer may not see named
    unnamed |= {("person", person) for person in await hidden_reporters(viewer, detail.thread_id)}
    detail.invitees = [
        InviteeOut(invitee_type=t, invitee_id=i, name=names.get((t, i)) or "", named=(t, i) not in unnamed)
        for t, i in wanted[: len(invited)]
    ]
    detail.attendance = [
        AttendeeOut(
            attendee_type=t,
            attendee_id=i,
            name=names.get((t, i)) or "",
            named=(t, i) not in unnamed,
            status=row["status"],
        )
        for (t, i), row in zip(wanted[len(invited) :], came, strict=True)
    ]
    moment = now()
    detail.is_past = detail.ends_at < moment
    detail.has_begun = detail.starts_at <= moment
    if viewer.is_signed_in:
        mine = (
            await Rsvp.select(Rsvp.answer)
            .where((Rsvp.meeting == meeting_id) & (Rsvp.person == viewer.person_id))
            .first()
        )
        detail.my_answer = mine["answer"] if mine else None
        meeting = {
            "id": meeting_id,
            "open_to_residents": detail.open_to_residents,
            "convener": detail.convener_id,
            "kind": detail.kind,
        }
        detail.may_answer = (
            detail.status == "scheduled" and detail.starts_at > moment and await is_invited(viewer, meeting)
        )
        detail.may_manage = viewer.is_staff or viewer.person_id == detail.convener_id
        detail.may_write_minutes = viewer.is_staff or (viewer.has("council") and await is_secretary(viewer.person_id))
        detail.may_open_motion = viewer.has("staff", "council") and await may_open_motions(viewer)
    return detail


async def meetings_of_plan(plan_id: int, limit: int = 10) -> list[MeetingSummary]:
    """The latest meetings about the plan's proposals (hearings, and any other meeting naming one): one statement."""
    rows = (
        await Meeting.select(*_summary_columns())
        .where(Meeting.proposal_id.is_in(Proposal.select(Proposal.id).where(Proposal.plan == plan_id)))
        .order_by(Meeting.starts_at, ascending=False)
        .limit(limit)
    )
    return [msgspec.convert(row, MeetingSummary) for row in rows]


async def upcoming_counts_by_plan(plan_ids: list[int]) -> dict[int, int]:
    """{plan: meetings not yet over about its proposals}, for the plan cards: one statement."""
    if not plan_ids:
        return {}
    ids = sorted(set(plan_ids))
    rows = await Meeting.raw(
        "SELECT p.plan AS plan, COUNT(*) AS n FROM meeting m JOIN proposal p ON p.id = m.proposal_id "
        "WHERE m.ends_at >= {} AND p.plan IN (" + ", ".join("{}" for _ in ids) + ") GROUP BY p.plan",
        now(),
        *ids,
    )
    return {row["plan"]: row["n"] for row in rows}
