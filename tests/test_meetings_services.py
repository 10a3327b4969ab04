"""Meeting rules: convening, dates, agenda targets, invitations, answers under a capacity, attendance, minutes,
reminders."""

import asyncio
import datetime as dt

import pytest

from block_service.clock import now
from block_service.council.ballots import close_election, open_voting
from block_service.council.schemas import PositionForm
from block_service.council.seats import assign_position, seats_of_term
from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.meetings import records, services
from block_service.meetings.schemas import (
    AgendaItemForm,
    AttendanceForm,
    InviteForm,
    MeetingFilter,
    MeetingForm,
    MinutesForm,
    RsvpForm,
)
from block_service.meetings.tables import Meeting, Rsvp
from tests.council_helpers import make_election, make_term, merchant, shop_of, staff_viewer, stand, zh
from tests.helpers import make_person, make_thread, viewer_for
from tests.meeting_helpers import make_meeting, move_meeting


async def _resident(name="居民"):
    return viewer_for(await make_person(name), "resident")


async def test_staff_convene_a_meeting_at_the_workstation_stored_in_utc(db):
    staff = await staff_viewer()
    form = MeetingForm(kind="hearing", title="夜间外摆听证会", starts_at="2026-12-01T19:00", ends_at="2026-12-01T21:00")
    meeting_id = await services.create_meeting(staff, form)
    detail = await services.get_meeting(staff, meeting_id)
    assert detail.place == "凌岩南路1141弄"
    assert detail.starts_at == dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.UTC)
    assert detail.convener_id == staff.person_id


async def test_a_resident_may_not_convene(db):
    with pytest.raises(Forbidden, match="Only staff and council members convene meetings"):
        await make_meeting(await _resident())
    assert await Meeting.count() == 0


async def test_dates_in_the_wrong_order_are_refused(db):
    staff = await staff_viewer()
    form = MeetingForm(kind="coordination", title="协调会", starts_at="2026-12-01T19:00", ends_at="2026-12-01T18:00")
    with pytest.raises(Invalid, match="end after it starts") as refusal:
        await services.create_meeting(staff, form)
    assert refusal.value.field == "ends_at" and refusal.value.status_code == 422
    bad = MeetingForm(kind="coordination", title="协调会", starts_at="2026-13-45T19:00", ends_at="2026-12-01T18:00")
    with pytest.raises(Invalid, match="Enter a date and time"):
        await services.create_meeting(staff, bad)
    assert await Meeting.count() == 0


async def test_an_agenda_item_the_convener_may_not_see_is_refused(db):
    zhang = await merchant("张师傅", "1143号", "老张生煎")
    li = await merchant("李老板", "1021号", "凌岩水果店")
    staff = await staff_viewer()
    term = await make_term(staff, seats=2)
    election = await make_election(staff, term)
    await stand(li, election)
    await open_voting(staff, election)
    await close_election(staff, election)
    li = viewer_for(li.person_id, "resident", "merchant", "council", shops=tuple(li.shop_ids))
    from block_service.groups.membership import group_ids_of
    from block_service.threads.opening import open_group_thread

    private_group = next(iter((await group_ids_of(zhang)) - await group_ids_of(li)))
    hidden = await open_group_thread(zhang, private_group, "组内商量", "只给组里看")
    public = await make_thread(zhang.person_id, shop_id=shop_of(zhang))
    meeting = await make_meeting(li, kind="coordination")
    with pytest.raises(Invalid, match="convener cannot see") as refusal:
        await services.add_agenda_item(
            li, meeting, AgendaItemForm(title="组内的事", target_type="thread", target_id=hidden)
        )
    assert refusal.value.field == "target_id"
    # Staff adding to the council member's meeting: still the convener's view decides.
    with pytest.raises(Invalid, match="convener cannot see"):
        await services.add_agenda_item(
            staff, meeting, AgendaItemForm(title="组内的事", target_type="thread", target_id=hidden)
        )
    with pytest.raises(Invalid, match="convener cannot see"):
        await services.add_agenda_item(
            li, meeting, AgendaItemForm(title="不存在", target_type="thread", target_id=99999)
        )
    await services.add_agenda_item(
        li, meeting, AgendaItemForm(title="门前纸箱", target_type="thread", target_id=public)
    )
    await services.add_agenda_item(li, meeting, AgendaItemForm(title="其他事项"))
    detail = await services.get_meeting(li, meeting)
    assert [(item.position, item.title, item.target_id) for item in detail.agenda] == [
        (1, "门前纸箱", public),
        (2, "其他事项", None),
    ]


async def test_only_the_convener_or_staff_change_a_meeting(db):
    staff = await staff_viewer()
    meeting = await make_meeting(staff)
    with pytest.raises(Forbidden, match="convener or staff"):
        await services.add_agenda_item(await _resident(), meeting, AgendaItemForm(title="我的议题"))


async def test_an_invitation_lets_the_invited_answer_and_nobody_else(db):
    staff = await staff_viewer()
    zhang = await merchant("张师傅", "1143号", "老张生煎")
    guest, stranger = await _resident("客人"), await _resident("路人")
    meeting = await make_meeting(staff, kind="coordination")
    with pytest.raises(Forbidden, match="by invitation"):
        await services.answer(guest, meeting, RsvpForm(answer="yes"))
    await services.invite(staff, meeting, InviteForm(invitee_type="person", invitee_id=guest.person_id))
    await services.invite(staff, meeting, InviteForm(invitee_type="shop", invitee_id=shop_of(zhang)))
    with pytest.raises(Conflict, match="Already invited"):
        await services.invite(staff, meeting, InviteForm(invitee_type="shop", invitee_id=shop_of(zhang)))
    with pytest.raises(Invalid, match="No such group, shop or person"):
        await services.invite(staff, meeting, InviteForm(invitee_type="shop", invitee_id=98765))
    await services.answer(guest, meeting, RsvpForm(answer="yes"))
    await services.answer(zhang, meeting, RsvpForm(answer="yes"))
    with pytest.raises(Forbidden, match="by invitation"):
        await services.answer(stranger, meeting, RsvpForm(answer="yes"))
    assert (await services.get_meeting(staff, meeting)).going == 2


async def test_a_group_invitation_reaches_the_groups_merchants(db):
    staff = await staff_viewer()
    zhang = await merchant("张师傅", "1143号", "老张生煎")
    from block_service.groups.membership import group_ids_of

    group = next(iter(await group_ids_of(zhang)))
    meeting = await make_meeting(staff, kind="evaluation")
    await services.invite(staff, meeting, InviteForm(invitee_type="group", invitee_id=group))
    await services.answer(zhang, meeting, RsvpForm(answer="yes"))
    detail = await services.get_meeting(zhang, meeting)
    assert detail.my_answer == "yes" and detail.invitees[0].invitee_type == "group"


async def test_answers_change_in_place_and_a_double_submit_is_harmless(db):
    staff = await staff_viewer()
    guest = await _resident()
    meeting = await make_meeting(staff, open_to_residents=True, capacity=5)
    await services.answer(guest, meeting, RsvpForm(answer="yes"))
    await services.answer(guest, meeting, RsvpForm(answer="yes"))
    assert (await services.get_meeting(guest, meeting)).going == 1
    await services.answer(guest, meeting, RsvpForm(answer="no"))
    detail = await services.get_meeting(guest, meeting)
    assert (detail.going, detail.my_answer) == (0, "no")
    assert await Rsvp.count() == 1


async def test_the_capacity_holds_when_everyone_answers_at_once(db):
    staff = await staff_viewer()
    meeting = await make_meeting(staff, open_to_residents=True, capacity=3)
    people = [await _resident(f"居民{n}") for n in range(8)]
    results = await asyncio.gather(
        *(services.answer(person, meeting, RsvpForm(answer="yes")) for person in people), return_exceptions=True
    )
    refused = [result for result in results if isinstance(result, Exception)]
    assert all(isinstance(result, Conflict) and result.message == "The meeting is full." for result in refused)
    assert len(refused) == 5
    assert (await services.get_meeting(staff, meeting)).going == 3
    assert await Rsvp.count().where(Rsvp.answer == "yes") == 3


async def test_one_person_submitting_many_times_at_once_counts_once(db):
    staff = await staff_viewer()
    guest = await _resident()
    meeting = await make_meeting(staff, open_to_residents=True, capacity=2)
    await asyncio.gather(*(services.answer(guest, meeting, RsvpForm(answer="yes")) for _ in range(10)))
    assert (await services.get_meeting(guest, meeting)).going == 1
    assert await Rsvp.count() == 1


async def test_answers_close_when_the_meeting_begins(db):
    staff = await staff_viewer()
    meeting = await make_meeting(staff, open_to_residents=True)
    await move_meeting(meeting, starts_in_hours=-1)
    with pytest.raises(Conflict, match="answers are closed"):
        await services.answer(await _resident(), meeting, RsvpForm(answer="yes"))


async def test_council_members_answer_a_council_meeting_without_an_invitation(db):
    staff = await staff_viewer()
    member = viewer_for(await make_person("理事"), "resident", "merchant", "council")
    meeting = await make_meeting(staff, kind="council")
    await services.answer(member, meeting, RsvpForm(answer="yes"))
    with pytest.raises(Forbidden):
        await services.answer(await _resident(), meeting, RsvpForm(answer="yes"))


async def _secretary_and_member(staff):
    li = await merchant("李老板", "1021号", "凌岩水果店")
    chen = await merchant("陈经理", "1152号", "好邻居便利店")
    election = await make_election(staff, await make_term(staff, seats=2))
    await stand(li, election)
    await stand(chen, election)
    await open_voting(staff, election)
    await close_election(staff, election)
    seats = {seat.person_id: seat.id for seat in await seats_of_term(1)}
    await assign_position(staff, seats[li.person_id], PositionForm(position="secretary"))
    as_member = [
        viewer_for(v.person_id, "resident", "merchant", "council", shops=tuple(v.shop_ids)) for v in (li, chen)
    ]
    return as_member[0], as_member[1]


async def test_minutes_are_published_by_the_secretary_or_staff_only(db):
    staff = await staff_viewer()
    secretary, member = await _secretary_and_member(staff)
    meeting = await make_meeting(member, kind="hearing")
    item = await services.add_agenda_item(member, meeting, AgendaItemForm(title="夜间外摆时间"))
    with pytest.raises(Conflict, match="once the meeting has begun"):
        await records.record_minutes(secretary, meeting, MinutesForm(item_id=item, minutes="同意到22点。"))
    await move_meeting(meeting, starts_in_hours=-3)
    with pytest.raises(Forbidden, match="secretary or staff"):
        await records.record_minutes(member, meeting, MinutesForm(item_id=item, minutes="同意到22点。"))
    with pytest.raises(Forbidden, match="secretary or staff"):
        await records.record_minutes(await _resident(), meeting, MinutesForm(item_id=item, minutes="同意到22点。"))
    assert (await services.get_meeting(staff, meeting)).minutes_published_at is None
    await records.record_minutes(secretary, meeting, MinutesForm(item_id=item, minutes="同意到22点。"))
    await records.record_minutes(staff, meeting, MinutesForm(item_id=item, minutes="同意到22点，周末23点。"))
    detail = await services.get_meeting(await _resident(), meeting)
    assert detail.minutes_published_at is not None
    assert detail.agenda[0].minutes == "同意到22点，周末23点。"
    other = await make_meeting(staff)
    await move_meeting(other, starts_in_hours=-3)
    with pytest.raises(NotFound, match="No such agenda item"):
        await records.record_minutes(staff, other, MinutesForm(item_id=item, minutes="别的会"))


async def test_attendance_is_recorded_after_the_start_once_per_person_and_shop(db):
    staff = await staff_viewer()
    zhang = await merchant("张师傅", "1143号", "老张生煎")
    meeting = await make_meeting(staff, kind="evaluation")
    with pytest.raises(Conflict, match="once the meeting has begun"):
        await records.record_attendance(
            staff, meeting, AttendanceForm(attendee_type="shop", attendee_id=shop_of(zhang))
        )
    await move_meeting(meeting, starts_in_hours=-1)
    await records.record_attendance(staff, meeting, AttendanceForm(attendee_type="shop", attendee_id=shop_of(zhang)))
    await records.record_attendance(staff, meeting, AttendanceForm(attendee_type="person", attendee_id=zhang.person_id))
    with pytest.raises(Conflict, match="recorded already"):
        await records.record_attendance(
            staff, meeting, AttendanceForm(attendee_type="shop", attendee_id=shop_of(zhang))
        )
    with pytest.raises(Invalid, match="No such shop or person"):
        await records.record_attendance(staff, meeting, AttendanceForm(attendee_type="person", attendee_id=87654))
    with pytest.raises(Forbidden):
        await records.record_attendance(
            await _resident(), meeting, AttendanceForm(attendee_type="person", attendee_id=1)
        )
    visitor_view = await services.get_meeting(viewer_for(None), meeting)
    # A person the visitor may not know by name comes without one; the page says "a person" in its language.
    assert [a.name for a in visitor_view.attendance] == ["老张生煎 · 1143号", ""]
    merchant_view = await services.get_meeting(zhang, meeting)
    assert merchant_view.attendance[1].name == "张师傅"


async def test_reminders_go_once_to_those_who_said_yes_even_when_two_workers_run_at_once(db, monkeypatch):
    told = []

    async def tell(people, meeting_id, event, *, actor_name=""):
        told.append((sorted(people), meeting_id, event))
        return len(list(people))

    monkeypatch.setattr(records.notices, "tell", tell)
    staff = await staff_viewer()
    soon = await make_meeting(staff, open_to_residents=True, in_hours=48)
    later = await make_meeting(staff, open_to_residents=True, in_hours=72)
    yes, no = await _resident("来"), await _resident("不来")
    await services.answer(yes, soon, RsvpForm(answer="yes"))
    await services.answer(no, soon, RsvpForm(answer="no"))
    await services.answer(yes, later, RsvpForm(answer="yes"))
    moment = now() + dt.timedelta(hours=30)  # a day and a bit before `soon`, two days before `later`
    assert await records.send_reminders(moment) == 1
    results = await asyncio.gather(records.send_reminders(moment), records.send_reminders(moment))
    assert results == [0, 0]
    assert told == [([yes.person_id], soon, "reminder")]


async def test_the_list_shows_upcoming_and_past_by_kind(db):
    staff = await staff_viewer()
    hearing = await make_meeting(staff, kind="hearing", title="听证会一")
    council_meeting = await make_meeting(staff, kind="council", title="理事会议")
    past = await make_meeting(staff, kind="evaluation", title="评议会")
    await move_meeting(past, starts_in_hours=-30)
    upcoming = await services.list_meetings(MeetingFilter())
    assert [m.id for m in upcoming.items] == [hearing, council_meeting]
    assert [m.id for m in (await services.list_meetings(MeetingFilter(kind="council"))).items] == [council_meeting]
    assert [m.id for m in (await services.list_meetings(MeetingFilter(when="past"))).items] == [past]


async def test_a_missing_meeting_is_not_found(db):
    with pytest.raises(NotFound, match="No such meeting"):
        await services.get_meeting(viewer_for(None), 4242)


async def test_the_demo_has_a_past_hearing_with_minutes_an_upcoming_coordination_and_a_council_meeting(db):
    from block_service.seed import seed_demo

    assert await seed_demo()
    past = (await services.list_meetings(MeetingFilter(when="past"))).items
    hearing = next(m for m in past if m.kind == "hearing")
    assert hearing.proposal_id and hearing.minutes_published_at is not None
    detail = await services.get_meeting(viewer_for(None), hearing.id)
    assert all(item.minutes for item in detail.agenda)
    assert sorted(a.status for a in detail.attendance) in (["present", "present"], ["excused", "present", "present"])
    upcoming = {m.kind: m for m in (await services.list_meetings(MeetingFilter())).items}
    assert upcoming["coordination"].thread_id and "council" in upcoming
    assert upcoming["evaluation"].status == "cancelled" and upcoming["evaluation"].cancel_reason
    minutes = await records.published_minutes(proposal_ids=[hearing.proposal_id])
    assert minutes[0].items[0].minutes.startswith("到会居民")


async def test_a_persons_meetings_are_in_their_data_and_deleting_the_account_frees_their_places(db):
    from block_service.privacy import services as privacy
    from block_service.privacy.schemas import DeleteAccountForm
    from tests.helpers import TEST_PASSWORD

    staff = await staff_viewer()
    guest = await _resident("王阿姨")
    coming = await make_meeting(staff, open_to_residents=True, capacity=3)
    held = await make_meeting(staff, open_to_residents=True)
    await services.answer(guest, coming, RsvpForm(answer="yes"))
    await services.answer(guest, held, RsvpForm(answer="yes"))
    await move_meeting(held, starts_in_hours=-5)
    await records.record_attendance(staff, held, AttendanceForm(attendee_type="person", attendee_id=guest.person_id))
    data = await privacy.collect_personal_data(guest.person_id)
    assert sorted(row["meeting"] for row in data["meetings"]["answers"]) == [coming, held]
    assert [row["meeting"] for row in data["meetings"]["attended"]] == [held]
    await privacy.delete_own_account(guest, DeleteAccountForm(password=TEST_PASSWORD, confirm=True))
    assert (await services.get_meeting(staff, coming)).going == 0
    past = await services.get_meeting(staff, held)
    assert past.going == 1 and str(past.attendance[0].name) == zh("A former resident")


async def test_invitations_reminders_and_minutes_reach_the_inbox(db):
    from block_service.inbox.tables import InboxEntry

    staff = await staff_viewer()
    zhang = await merchant("张师傅", "1143号", "老张生煎")
    meeting = await make_meeting(staff, kind="coordination", in_hours=10)
    item = await services.add_agenda_item(staff, meeting, AgendaItemForm(title="门前三包"))
    await services.invite(staff, meeting, InviteForm(invitee_type="shop", invitee_id=shop_of(zhang)))
    await services.answer(zhang, meeting, RsvpForm(answer="yes"))
    assert await records.send_reminders() == 1
    await move_meeting(meeting, starts_in_hours=-3)
    await records.record_minutes(staff, meeting, MinutesForm(item_id=item, minutes="商户承诺每天清扫。"))
    await records.record_minutes(staff, meeting, MinutesForm(item_id=item, minutes="商户承诺每天早晚清扫。"))
    rows = (
        await InboxEntry.select(InboxEntry.event)
        .where((InboxEntry.person == zhang.person_id) & (InboxEntry.kind == "meeting"))
        .order_by(InboxEntry.id)
    )
    assert [row["event"] for row in rows] == ["invited", "reminder", "minutes"]
