"""Demo meetings: a past hearing with minutes on a demo proposal, an upcoming coordination meeting on a demo
thread, and an upcoming council meeting convened by the chair."""

from __future__ import annotations

import datetime as dt

from block_service.accounts.people import load_viewer
from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.clock import BLOCK_TIMEZONE, now
from block_service.council.seats import seats_of_term
from block_service.council.terms import current_term
from block_service.meetings import changes, pickers, records, services
from block_service.meetings.schemas import (
    AgendaItemForm,
    AttendanceForm,
    InviteForm,
    MeetingForm,
    MinutesForm,
    RsvpForm,
)
from block_service.meetings.tables import Meeting
from block_service.plans.lifecycle import take_step
from block_service.plans.plans import get_plan
from block_service.plans.proposals import file_proposal, list_proposals
from block_service.plans.schemas import ProposalFilter, ProposalForm, StepForm
from block_service.schemas import ReasonForm
from block_service.threads.listing import list_threads
from block_service.threads.schemas import ThreadFilter


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(BLOCK_TIMEZONE).strftime("%Y-%m-%dT%H:%M")


def _evening(days_from_today: int, hour: int = 19) -> dt.datetime:
    day = dt.datetime.now(BLOCK_TIMEZONE).date() + dt.timedelta(days=days_from_today)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BLOCK_TIMEZONE)


async def _viewer(person_id: int) -> Viewer | None:
    row = await Person.select(Person.session_version).where(Person.id == person_id).first()
    return await load_viewer(person_id, row["session_version"]) if row else None


async def _council_member(position: str) -> Viewer | None:
    term = await current_term()
    if term is None:
        return None
    for seat in await seats_of_term(term.id):
        if seat.position == position and seat.ceased_at is None:
            return await _viewer(seat.person_id)
    return None


async def _residents(limit: int = 3) -> list[Viewer]:
    rows = await Person.select(Person.id).where(Person.phone.like("139%")).order_by(Person.id).limit(limit)
    return [viewer for row in rows if (viewer := await _viewer(row["id"])) is not None]


async def _schedule(convener: Viewer, kind: str, title: str, starts: dt.datetime, **fields) -> int:
    form = MeetingForm(
        kind=kind, title=title, starts_at=_local(starts), ends_at=_local(starts + dt.timedelta(hours=2)), **fields
    )
    return await services.create_meeting(convener, form)


async def seed_demo_meetings(staff: Viewer) -> None:
    residents = await _residents()
    proposals = (await list_proposals(staff, ProposalFilter(per_page=50))).items
    proposal = next((p for p in proposals if p.status not in ("draft", "withdrawn", "declined", "merged")), None)
    if proposal is None and residents:
        proposal_id = await _file_demo_proposal(staff, residents[0])
        proposal = next(
            p for p in (await list_proposals(staff, ProposalFilter(per_page=5))).items if p.id == proposal_id
        )
    if proposal is not None:
        await _past_hearing(staff, proposal.id, proposal.title, residents)
    threads = (await list_threads(staff, ThreadFilter(per_page=20))).items
    if threads:
        thread = threads[0]
        meeting = await _schedule(
            staff,
            "coordination",
            f"协调会：{thread.title}",
            _evening(5),
            description="请反映人、相关商户和工作站一起商量解决办法。",
            thread_id=thread.id,
        )
        await services.add_agenda_item(
            staff, meeting, AgendaItemForm(title="各方说明情况", target_type="thread", target_id=thread.id)
        )
        await services.add_agenda_item(staff, meeting, AgendaItemForm(title="商定整改办法和时间"))
        for resident in residents[:1]:
            await services.invite(staff, meeting, InviteForm(invitee_type="person", invitee_id=resident.person_id))
            await services.answer(resident, meeting, RsvpForm(answer="yes"))
        # One tap on the picker: whoever reported it (an anonymous reporter stays unnamed to the council).
        await pickers.invite_picks(staff, meeting, [f"thread:{thread.id}"])
    evaluation = await _schedule(
        staff,
        "evaluation",
        "评议会：凌岩南路夜间照明改造",
        _evening(7),
        description="请居民和商户评议照明改造的效果。",
        open_to_residents=True,
    )
    await changes.cancel_meeting(staff, evaluation, ReasonForm(reason="施工尚未完工，评议会改到完工以后，另行通知。"))
    chair = await _council_member("chair") or staff
    council_meeting = await _schedule(
        chair,
        "council",
        "理事会例会（本月）",
        _evening(9, 18),
        description="理事会每月例会：通报提案进展，讨论下月工作。",
    )
    await services.add_agenda_item(chair, council_meeting, AgendaItemForm(title="通报各项提案的进展"))
    await services.add_agenda_item(chair, council_meeting, AgendaItemForm(title="下月夜间经济活动安排"))
    await services.answer(chair, council_meeting, RsvpForm(answer="yes"))


async def _file_demo_proposal(staff: Viewer, author: Viewer) -> int:
    """A proposal under deliberation for the hearing, when the plans demo has none."""
    plan = await get_plan("neighbours")
    form = ProposalForm(
        plan_id=plan.id,
        title="1141弄夜间外摆限时到22点",
        body="夏季夜间外摆热闹但影响楼上居民休息。建议外摆统一22点收摊，周末延长到23点，由商户轮流值守。",
        house_number="1141弄",
    )
    proposal_id = await file_proposal(author, form)
    await take_step(staff, proposal_id, StepForm(step="accept", reason="涉及居民和商户双方，先开听证会听取意见。"))
    return proposal_id


async def _past_hearing(staff: Viewer, proposal_id: int, title: str, residents: list[Viewer]) -> None:
    """Scheduled ahead, answered, then (as time passes) held: attendance and minutes by the secretary."""
    meeting = await _schedule(
        staff,
        "hearing",
        f"听证会：{title}",
        _evening(3),
        description="听取居民和商户对提案的意见，再交理事会决定。",
        open_to_residents=True,
        capacity=30,
        proposal_id=proposal_id,
    )
    item = await services.add_agenda_item(
        staff, meeting, AgendaItemForm(title="提案说明与意见", target_type="proposal", target_id=proposal_id)
    )
    second = await services.add_agenda_item(staff, meeting, AgendaItemForm(title="下一步安排"))
    for resident in residents:
        await services.answer(resident, meeting, RsvpForm(answer="yes"))
    held = now() - dt.timedelta(days=6)
    await Meeting.update({Meeting.starts_at: held, Meeting.ends_at: held + dt.timedelta(hours=2)}).where(
        Meeting.id == meeting
    )
    for resident in residents[:2]:
        await records.record_attendance(
            staff, meeting, AttendanceForm(attendee_type="person", attendee_id=resident.person_id)
        )
    if len(residents) > 2:  # the checklist: one who said yes sent their apologies
        await pickers.record_checklist(staff, meeting, {f"person-{residents[2].person_id}": "excused"})
    writer = await _council_member("secretary") or staff
    await records.record_minutes(
        writer,
        meeting,
        MinutesForm(item_id=item, minutes="到会居民和商户大多赞成；有居民提出要兼顾老人通行，建议写入实施方案。"),
    )
    await records.record_minutes(
        writer, meeting, MinutesForm(item_id=second, minutes="工作站整理意见后，提请理事会表决。")
    )
