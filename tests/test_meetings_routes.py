"""Meeting pages, fragments, JSON and iCalendar through HTTP; the hearing on its proposal, the coordination
meeting on its thread; a motion opened from an agenda item."""

import datetime as dt

import icalendar

from block_service.clock import BLOCK_TIMEZONE, now
from block_service.council.motion_tables import Motion
from block_service.council.tables import Seat
from block_service.meetings import records, services
from block_service.meetings.schemas import AgendaItemForm, MinutesForm, RsvpForm
from block_service.meetings.tables import Meeting, Rsvp
from block_service.plans.chain import chain_of
from block_service.plans.lifecycle import load_proposal
from block_service.plans.plans import get_plan
from block_service.web.shared_pages import forget_all
from tests.council_helpers import zh
from tests.helpers import TEST_PASSWORD, make_person, make_thread, text_of, viewer_for
from tests.meeting_helpers import local, make_meeting, move_meeting
from tests.motion_helpers import seated_council
from tests.plans_helpers import file, step

STAFF = "staff@test.example"


async def _staff(browser_factory, language="zh-Hans"):
    from tests.council_helpers import staff_viewer

    staff = await staff_viewer(STAFF)
    browser = browser_factory(language)
    await browser.log_in(STAFF, TEST_PASSWORD)
    return staff, browser


async def _resident(browser_factory, name="居民", contact="13900000011"):
    person = await make_person(name, contact)
    browser = browser_factory("zh-Hans")
    await browser.log_in(contact, TEST_PASSWORD)
    return viewer_for(person, "resident"), browser


async def test_the_list_shows_upcoming_and_past_meetings_by_kind(db, browser_factory):
    staff, _ = await _staff(browser_factory)
    await make_meeting(staff, kind="hearing", title="夜间外摆听证会")
    await make_meeting(staff, kind="council", title="十二月理事会议")
    past = await make_meeting(staff, kind="evaluation", title="绿化评议会")
    await move_meeting(past, starts_in_hours=-48)
    visitor = browser_factory("zh-Hans")
    page = await visitor.get("/meetings")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "夜间外摆听证会" in text and "十二月理事会议" in text and "绿化评议会" not in text
    assert zh("Hearing") in text
    fragment = await visitor.get("/meetings?when=past", headers={"hx-request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and "绿化评议会" in fragment.text
    only_council = text_of((await visitor.get("/meetings?kind=council")).text)
    assert "十二月理事会议" in only_council and "夜间外摆听证会" not in only_council
    assert (await visitor.get("/meetings?kind=party")).status_code == 400


async def test_staff_schedule_a_meeting_and_wrong_dates_come_back_with_the_reason(db, browser_factory):
    _, browser = await _staff(browser_factory)
    form = await browser.get("/meetings/new?kind=hearing")
    assert form.status_code == 200 and 'name="starts_at"' in form.text
    wrong = {
        "kind": "hearing",
        "title": "夜间外摆听证会",
        "starts_at": "2026-12-01T19:00",
        "ends_at": "2026-12-01T18:00",
    }
    refused = await browser.post("/meetings", wrong, htmx=True)
    assert refused.status_code == 422
    assert zh("The meeting must end after it starts.") in refused.text and "<html" not in refused.text
    assert await Meeting.count() == 0
    done = await browser.post("/meetings", {**wrong, "ends_at": "2026-12-01T21:00"})
    assert done.status_code == 303
    meeting = await Meeting.select().first()
    assert done.headers["location"] == f"/meetings/{meeting['id']}"
    assert meeting["starts_at"] == dt.datetime(2026, 12, 1, 11, tzinfo=dt.UTC)
    assert meeting["place"] == "凌岩南路1141弄"


async def test_residents_may_not_schedule(db, browser_factory):
    _, browser = await _resident(browser_factory)
    assert (await browser.get("/meetings/new")).status_code == 403
    assert (await browser.post("/meetings", {"kind": "hearing"})).status_code == 403


async def test_a_resident_answers_through_the_fragment_and_a_full_meeting_says_so(db, browser_factory):
    staff, _ = await _staff(browser_factory)
    meeting = await make_meeting(staff, kind="coordination", open_to_residents=True, capacity=1)
    resident, browser = await _resident(browser_factory)
    page = await browser.get(f"/meetings/{meeting}")
    assert page.status_code == 200 and zh("I will come") in page.text
    answered = await browser.post(f"/meetings/{meeting}/answer", {"answer": "yes"}, htmx=True)
    assert answered.status_code == 200 and 'id="answer"' in answered.text and "<html" not in answered.text
    assert zh("You said you will come.") in answered.text
    again = await browser.post(f"/meetings/{meeting}/answer", {"answer": "yes"}, htmx=True)
    assert again.status_code == 200
    assert await Rsvp.count() == 1
    _, other = await _resident(browser_factory, "邻居", "13900000012")
    full = await other.post(f"/meetings/{meeting}/answer", {"answer": "yes"}, htmx=True)
    assert full.status_code == 409 and zh("The meeting is full.") in full.text
    assert (await other.post(f"/meetings/{meeting}/answer", {"answer": "maybe"}, htmx=True)).status_code == 422


async def test_an_uninvited_resident_is_refused(db, browser_factory):
    staff, _ = await _staff(browser_factory)
    meeting = await make_meeting(staff, kind="coordination")
    _, browser = await _resident(browser_factory)
    assert (await browser.post(f"/meetings/{meeting}/answer", {"answer": "yes"})).status_code == 403
    assert await Rsvp.count() == 0


async def test_the_convener_builds_the_agenda_and_invites_and_records_attendance(db, browser_factory):
    staff, browser = await _staff(browser_factory)
    resident, _ = await _resident(browser_factory)
    thread = await make_thread(resident.person_id, title="门口纸箱")
    meeting = await make_meeting(staff, kind="coordination", thread_id=thread)
    added = await browser.post(
        f"/meetings/{meeting}/agenda", {"title": "纸箱怎么放", "target_type": "thread", "target_id": str(thread)}
    )
    assert added.status_code == 303
    unseen = await browser.post(
        f"/meetings/{meeting}/agenda", {"title": "不存在", "target_type": "thread", "target_id": "99999"}, htmx=True
    )
    assert unseen.status_code == 422 and "agenda-form" in unseen.text
    assert (
        zh("The convener cannot see what this item points at: choose something the convener may open.") in unseen.text
    )
    invited = await browser.post(
        f"/meetings/{meeting}/invitees", {"invitee_type": "person", "invitee_id": str(resident.person_id)}
    )
    assert invited.status_code == 303
    early = await browser.post(
        f"/meetings/{meeting}/attendance",
        {"attendee_type": "person", "attendee_id": str(resident.person_id)},
        htmx=True,
    )
    assert early.status_code == 409
    await move_meeting(meeting, starts_in_hours=-1)
    came = await browser.post(
        f"/meetings/{meeting}/attendance", {"attendee_type": "person", "attendee_id": str(resident.person_id)}
    )
    assert came.status_code == 303
    page = text_of((await browser.get(f"/meetings/{meeting}")).text)
    assert "纸箱怎么放" in page and zh("Attendance") in page and "居民" in page


async def test_minutes_by_the_secretary_show_on_the_thread_and_a_plain_member_is_refused(db, browser_factory):
    council = await seated_council(3, contacts=("13800000021", "13800000022", "13800000023"))
    await Seat.update({Seat.position: "secretary"}).where(Seat.id == council.seats[1])
    resident, _ = await _resident(browser_factory)
    thread = await make_thread(resident.person_id, title="油烟扰民")
    convener = council.members[2]
    meeting = await make_meeting(convener, kind="coordination", thread_id=thread)
    item = await services.add_agenda_item(convener, meeting, AgendaItemForm(title="油烟净化器"))
    await move_meeting(meeting, starts_in_hours=-2)
    member = browser_factory("zh-Hans")
    await member.log_in("13800000023", TEST_PASSWORD)
    refused = await member.post(f"/meetings/{meeting}/minutes", {"item_id": str(item), "minutes": "加装净化器"})
    assert refused.status_code == 403
    secretary = browser_factory("zh-Hans")
    await secretary.log_in("13800000022", TEST_PASSWORD)
    page = await secretary.get(f"/meetings/{meeting}")
    assert zh("Publish the minutes") in page.text
    empty = await secretary.post(f"/meetings/{meeting}/minutes", {"item_id": str(item), "minutes": ""}, htmx=True)
    assert empty.status_code == 422 and 'id="agenda"' in empty.text
    done = await secretary.post(
        f"/meetings/{meeting}/minutes", {"item_id": str(item), "minutes": "商户月底前加装净化器"}
    )
    assert done.status_code == 303
    thread_page = text_of((await browser_factory("zh-Hans").get(f"/threads/{thread}")).text)
    assert zh("Coordination meetings") in thread_page and "商户月底前加装净化器" in thread_page


async def test_a_hearing_shows_on_its_proposals_chain_with_its_minutes(db, browser_factory):
    council = await seated_council(1, contacts=("13800000041",))
    staff = council.staff
    resident, _ = await _resident(browser_factory)
    proposal = await file(resident)
    draft = await file(resident, submit=False, title="草稿提案")
    member = browser_factory("zh-Hans")
    await member.log_in("13800000041", TEST_PASSWORD)
    hearing = {"kind": "hearing", "title": "听证", "starts_at": "2026-12-01T19:00", "ends_at": "2026-12-01T20:00"}
    refused = await member.post("/meetings", {**hearing, "proposal_id": str(draft)}, htmx=True)
    assert refused.status_code == 422 and 'id="e-proposal_id"' in refused.text
    assert await Meeting.count() == 0
    meeting = await make_meeting(staff, kind="hearing", proposal_id=proposal, title="绿化带听证会")
    item = await services.add_agenda_item(
        staff, meeting, AgendaItemForm(title="认养办法", target_type="proposal", target_id=proposal)
    )
    steps = [s for s in await chain_of(proposal, staff) if s.kind == "hearing"]
    assert [(s.title, s.state) for s in steps] == [("绿化带听证会", "waiting")]
    await move_meeting(meeting, starts_in_hours=-2)
    await records.record_minutes(staff, meeting, MinutesForm(item_id=item, minutes="同意认养，工作站出花苗"))
    steps = [s for s in await chain_of(proposal, viewer_for(None)) if s.kind == "hearing"]
    assert steps[0].state == "done" and steps[0].detail_label == "Minutes: %(minutes)s"
    assert "同意认养，工作站出花苗" in steps[0].detail_params["minutes"]
    assert (await load_proposal(proposal))["status"] == "submitted"


async def test_the_chair_opens_a_motion_from_an_agenda_item_on_a_proposal(db, browser_factory):
    council = await seated_council(3, contacts=("13800000031",))
    resident, _ = await _resident(browser_factory)
    proposal = await file(resident)
    await step(council.staff, proposal, "accept")
    meeting = await make_meeting(council.chair, kind="council")
    item = await services.add_agenda_item(
        council.chair, meeting, AgendaItemForm(title="表决绿化带认养", target_type="proposal", target_id=proposal)
    )
    chair = browser_factory("zh-Hans")
    await chair.log_in("13800000031", TEST_PASSWORD)
    page = await chair.get(f"/meetings/{meeting}")
    assert zh("Open a council motion on this item") in page.text
    closes = local(now() + dt.timedelta(days=3))
    opened = await chair.post(
        f"/meetings/{meeting}/items/{item}/motion",
        {
            "title": "批准绿化带认养",
            "text": "是否批准该提案？",
            "closes_at": closes,
            "size": "small",
            "budget_cap": "5000",
        },
    )
    assert opened.status_code == 303, opened.text[:300]
    motion = await Motion.select().first()
    assert (motion["agenda_item_id"], motion["proposal_id"], motion["kind"]) == (item, proposal, "proposal")
    member = browser_factory("zh-Hans")
    await member.log_in(await _contact_of(council.members[1].person_id), TEST_PASSWORD)
    refused = await member.post(
        f"/meetings/{meeting}/items/{item}/motion", {"title": "再开一个", "text": "再开", "closes_at": closes}
    )
    assert refused.status_code == 403


async def _contact_of(person_id: int) -> str:
    from block_service.accounts.tables import Person

    row = await Person.select(Person.phone, Person.email).where(Person.id == person_id).first()
    return row["phone"] or row["email"]


async def test_the_calendar_files_parse_with_the_shanghai_time_zone(db, browser_factory):
    staff, _ = await _staff(browser_factory)
    meeting = await make_meeting(staff, kind="hearing", title="夜间外摆听证会")
    visitor = browser_factory("zh-Hans")
    one = await visitor.get(f"/meetings/{meeting}.ics")
    assert one.status_code == 200 and one.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(one.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    (event,) = calendar.walk("VEVENT")
    stored = await Meeting.select(Meeting.starts_at, Meeting.ends_at).where(Meeting.id == meeting).first()
    start = event.decoded("DTSTART")
    assert start == stored["starts_at"] and start.utcoffset() == dt.timedelta(hours=8)
    assert str(start.tzinfo) == "Asia/Shanghai" or start.tzinfo.key == "Asia/Shanghai"
    assert event.decoded("DTEND") == stored["ends_at"]
    assert "夜间外摆听证会" in str(event["SUMMARY"]) and str(event["LOCATION"]) == "凌岩南路1141弄"
    feed = icalendar.Calendar.from_ical((await visitor.get("/meetings.ics")).content)
    assert [str(e["UID"]) for e in feed.walk("VEVENT")] == [str(event["UID"])]
    assert (await visitor.get("/meetings/98765.ics")).status_code == 404
    assert (await visitor.get("/meetings/12x")).status_code == 400


async def test_the_json_api_lists_and_shows_meetings_without_names_for_visitors(db, browser_factory):
    staff, _ = await _staff(browser_factory)
    resident = await make_person("王阿姨", "13900000013")
    meeting = await make_meeting(staff, kind="evaluation", open_to_residents=True)
    await services.answer(viewer_for(resident, "resident"), meeting, RsvpForm(answer="yes"))
    await move_meeting(meeting, starts_in_hours=-1)
    from block_service.meetings.schemas import AttendanceForm

    await records.record_attendance(staff, meeting, AttendanceForm(attendee_type="person", attendee_id=resident))
    visitor = browser_factory("en")
    listing = (await visitor.get("/api/meetings?when=upcoming")).json()
    assert [m["id"] for m in listing["items"]] == [meeting]
    detail = await visitor.get(f"/api/meetings/{meeting}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["kind"] == "evaluation" and body["going"] == 1 and body["my_answer"] is None
    assert "王阿姨" not in detail.text
    assert (await visitor.get("/api/meetings/98765")).status_code == 404
    schema = (await visitor.get("/schema/openapi.json")).json()
    assert "/api/meetings" in schema["paths"] and "/api/meetings/{meeting_id}" in schema["paths"]


async def test_the_meeting_page_and_list_take_a_constant_number_of_statements(db, browser_factory, count_queries):
    staff, _ = await _staff(browser_factory)
    meeting = await make_meeting(staff, kind="hearing")
    visitor = browser_factory("zh-Hans")
    await visitor.get("/meetings")
    forget_all()  # measure the pages as rendered, not their kept copies
    count_queries.statements.clear()
    await visitor.get("/meetings")
    few = count_queries.count
    for n in range(6):
        await make_meeting(staff, kind="council", title=f"理事会议{n}")
        await services.add_agenda_item(staff, meeting, AgendaItemForm(title=f"议题{n}"))
    forget_all()
    count_queries.statements.clear()
    await visitor.get("/meetings")
    assert count_queries.count == few
    forget_all()
    count_queries.statements.clear()
    await visitor.get(f"/meetings/{meeting}")
    assert count_queries.count <= 8


async def test_a_missing_meeting_is_a_404_on_every_page(db, browser_factory):
    _, browser = await _staff(browser_factory)
    assert (await browser.get("/meetings/98765")).status_code == 404
    assert (await browser.post("/meetings/98765/agenda", {"title": "议题"})).status_code == 404
    assert (await browser.post("/meetings/98765/minutes", {"item_id": "1", "minutes": "纪要"})).status_code == 404


async def test_meeting_times_are_shown_in_beijing_time(db, browser_factory):
    staff, _ = await _staff(browser_factory)
    meeting = await make_meeting(staff, kind="hearing")
    starts = (await Meeting.select(Meeting.starts_at).where(Meeting.id == meeting).first())["starts_at"]
    local_text = starts.astimezone(BLOCK_TIMEZONE).strftime("%Y-%m-%d %H:%M")
    assert local_text in text_of((await browser_factory("zh-Hans").get(f"/meetings/{meeting}")).text)


async def test_a_plans_page_lists_the_meetings_on_its_proposals(db, browser_factory):
    staff, _ = await _staff(browser_factory)
    resident, _ = await _resident(browser_factory)
    proposal = await file(resident, "environment")
    await make_meeting(staff, kind="hearing", proposal_id=proposal, title="绿化带听证会")
    visitor = browser_factory("zh-Hans")
    plan_page = await visitor.get("/plans/environment")
    assert plan_page.status_code == 200 and "绿化带听证会" in text_of(plan_page.text)
    other_plan = text_of((await visitor.get("/plans/safety")).text)
    assert "绿化带听证会" not in other_plan
    assert (await visitor.get("/plans")).status_code == 200
    plan_id = (await get_plan("environment")).id
    assert await services.upcoming_counts_by_plan([plan_id, plan_id + 1]) == {plan_id: 1}
