"""Choosing people for a meeting: the name search (names by the rule), one-tap groups, the attendance checklist,
and an anonymous reporter never named to someone who may not know them."""

from __future__ import annotations

import pytest

from block_service.audit.tables import AuditEntry
from block_service.clock import now
from block_service.errors import Conflict, Forbidden, Invalid
from block_service.inbox.tables import InboxEntry
from block_service.meetings import pickers, services
from block_service.meetings.people import GROUP_LABELS
from block_service.meetings.tables import Attendance, Invitee, Meeting
from block_service.threads.tables import MeToo
from tests.council_helpers import merchant, shop_of, staff_viewer, zh
from tests.helpers import TEST_PASSWORD, make_person, make_thread, text_of, viewer_for
from tests.meeting_helpers import make_meeting, move_meeting
from tests.motion_helpers import seated_council

STAFF = "staff@test.example"


async def _invited(meeting_id: int, event: str = "invited") -> set[int]:
    rows = await InboxEntry.select(InboxEntry.person).where(
        (InboxEntry.kind == "meeting") & (InboxEntry.object_id == meeting_id) & (InboxEntry.event == event)
    )
    return {row["person"] for row in rows}


async def test_the_search_names_people_only_to_whom_may_see_them_and_finds_shops(db):
    staff = await staff_viewer(STAFF)
    wang = await make_person("王秀英")
    shopkeeper = await merchant("李老板", "1021号", "王记面馆")
    meeting_id = await make_meeting(staff)
    found = await pickers.search(staff, meeting_id, "王")
    assert [pick.value for pick in found] == [f"person:{wang}", f"shop:{shop_of(shopkeeper)}"]
    assert found[0].label == "王秀英" and found[1].label == "王记面馆 · 1021号"
    assert await pickers.search(staff, meeting_id, "  %_ ") == []  # wildcards are not a search
    resident = viewer_for(await make_person("居民"), "resident")
    with pytest.raises(Forbidden):
        await pickers.search(resident, meeting_id, "王")


async def test_one_tap_groups_invite_the_sitting_council_and_the_reporters_without_naming_them(db):
    council = await seated_council(3)
    reporter = await make_person("匿名居民")
    neighbour = await make_person("邻居")
    thread_id = await make_thread(reporter, anonymous=True, title="夜里烧烤油烟")
    await MeToo.insert(MeToo(thread=thread_id, person=neighbour, created_at=now()))
    meeting_id = await make_meeting(council.staff, kind="coordination", thread_id=thread_id)
    meeting = await Meeting.select().where(Meeting.id == meeting_id).first()
    values = [pick.value for pick in await pickers.group_picks(meeting)]
    assert f"council:{council.term_id}" in values and f"thread:{thread_id}" in values
    added = await pickers.invite_picks(council.staff, meeting_id, [f"council:{council.term_id}", f"thread:{thread_id}"])
    assert added == 2
    assert await _invited(meeting_id) == {m.person_id for m in council.members} | {reporter, neighbour}
    assert await pickers.invite_picks(council.staff, meeting_id, [f"thread:{thread_id}"]) == 0  # a second tap
    assert await Invitee.count().where(Invitee.meeting == meeting_id) == 2
    assert await AuditEntry.count().where(AuditEntry.action == "meeting.invited") == 1
    # Council members (merchants) may see people's names, but not who the anonymous reporter is.
    member = council.members[1]
    detail = await services.get_meeting(member, meeting_id)
    assert [i.name for i in detail.invitees] == [GROUP_LABELS["council"], GROUP_LABELS["thread"]]
    await move_meeting(meeting_id, starts_in_hours=-1)
    rows = await pickers.checklist(member, meeting)
    hidden = [row for row in rows if row.key == f"person-{reporter}"]
    assert hidden and hidden[0].named is False and hidden[0].label == ""
    staff_rows = await pickers.checklist(council.staff, meeting)
    assert next(row for row in staff_rows if row.key == f"person-{reporter}").label == "匿名居民"
    # The reporter is invited, so they may answer.
    assert await services.is_invited(viewer_for(reporter, "resident"), meeting)


async def test_picks_outside_the_list_are_refused_and_change_nothing(db):
    staff = await staff_viewer(STAFF)
    meeting_id = await make_meeting(staff)
    for bad, message in (
        ([], "Choose people, shops or groups from the list."),
        (["person:abc"], "Choose people, shops or groups from the list."),
        (["proposal:5"], "Choose people, shops or groups from the list."),  # the meeting has no proposal
        (["person:987654"], "No such group, shop or person."),
    ):
        with pytest.raises(Invalid) as refused:
            await pickers.invite_picks(staff, meeting_id, bad)
        assert refused.value.message == message and refused.value.field == "pick"
    assert await Invitee.count() == 0


async def test_the_checklist_records_present_absent_and_excused_in_one_form(db):
    staff = await staff_viewer(STAFF)
    one, two = await make_person("张阿姨"), await make_person("陈师傅")
    meeting_id = await make_meeting(staff)
    await pickers.invite_picks(staff, meeting_id, [f"person:{one}", f"person:{two}"])
    with pytest.raises(Conflict) as refused:
        await pickers.record_checklist(staff, meeting_id, {f"person-{one}": "present"})
    assert refused.value.message == "Attendance is recorded once the meeting has begun."
    await move_meeting(meeting_id, starts_in_hours=-1)
    marks = {f"person-{one}": "present", f"person-{two}": "excused"}
    assert await pickers.record_checklist(staff, meeting_id, marks) == 2
    assert await pickers.record_checklist(staff, meeting_id, {f"person-{one}": "present"}) == 0  # a double submit
    await pickers.record_checklist(staff, meeting_id, {f"person-{one}": "absent"})
    rows = await Attendance.select(Attendance.attendee_id, Attendance.status)
    assert {row["attendee_id"]: row["status"] for row in rows} == {one: "absent", two: "excused"}
    stranger = await make_person("路人")
    off_list = "Mark only the people and shops on the list, as present, absent or excused."
    for data, message in (
        ({f"person-{stranger}": "present"}, off_list),
        ({f"person-{one}": "late"}, off_list),
        ({}, "Mark at least one person or shop."),
    ):
        with pytest.raises(Invalid) as refused:
            await pickers.record_checklist(staff, meeting_id, data)
        assert refused.value.message == message
    assert await Attendance.count() == 2
    assert await AuditEntry.count().where(AuditEntry.action == "meeting.attendance_recorded") == 2


async def test_the_picker_routes_search_invite_and_record(db, browser_factory):
    staff = await staff_viewer(STAFF)
    wang = await make_person("王秀英", "13900000031")
    meeting_id = await make_meeting(staff)
    browser = browser_factory("zh-Hans")
    await browser.log_in(STAFF, TEST_PASSWORD)
    page = await browser.get(f"/meetings/{meeting_id}")
    assert zh("Search people or shops by name") in text_of(page.text) and 'name="invitee_id"' not in page.text
    results = await browser.get(f"/meetings/{meeting_id}/people?q=秀英", headers={"HX-Request": "true"})
    assert results.status_code == 200 and results.text.lstrip().startswith('<div id="pick-results"')
    assert f'value="person:{wang}"' in results.text and zh("Invite %(name)s", name="王秀英") in text_of(results.text)
    whole = await browser.get(f"/meetings/{meeting_id}/people?q=秀英")  # without JavaScript: the page with results
    assert "<html" in whole.text and f'value="person:{wang}"' in whole.text
    done = await browser.post(f"/meetings/{meeting_id}/picks", {"pick": f"person:{wang}"})
    assert done.status_code == 303
    assert "王秀英" in text_of((await browser.get(f"/meetings/{meeting_id}")).text)
    bad = await browser.post(f"/meetings/{meeting_id}/picks", {"pick": "council:99"}, htmx=True)
    assert bad.status_code == 422 and zh("Choose people, shops or groups from the list.") in text_of(bad.text)
    invited = browser_factory("zh-Hans")
    await invited.log_in("13900000031", TEST_PASSWORD)
    assert (await invited.get(f"/meetings/{meeting_id}/people?q=王")).status_code == 403
    assert (await invited.post(f"/meetings/{meeting_id}/picks", {"pick": f"person:{wang}"})).status_code == 403
    await move_meeting(meeting_id, starts_in_hours=-1)
    page = await browser.get(f"/meetings/{meeting_id}")
    assert f'name="person-{wang}"' in page.text and zh("Excused") in text_of(page.text)
    marked = await browser.post(f"/meetings/{meeting_id}/attendance/list", {f"person-{wang}": "excused"})
    assert marked.status_code == 303
    wrong = await browser.post(f"/meetings/{meeting_id}/attendance/list", {"person-987654": "present"}, htmx=True)
    assert wrong.status_code == 422
    assert zh("Mark only the people and shops on the list, as present, absent or excused.") in text_of(wrong.text)
    text = text_of((await browser.get(f"/meetings/{meeting_id}")).text)
    assert f"王秀英 — {zh('Excused')}" in text
    assert (await browser.post("/meetings/987654/picks", {"pick": f"person:{wang}"})).status_code == 404
