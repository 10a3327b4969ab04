"""A scheduled meeting moved, renamed or cancelled by its convener or staff: the invitees told, the calendar's
SEQUENCE bumped and CANCELLED marked, refused once the meeting has ended, audited."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from block_service.audit.tables import AuditEntry
from block_service.clock import now
from block_service.errors import Conflict, Forbidden, Invalid
from block_service.inbox.tables import InboxEntry
from block_service.meetings import changes, services
from block_service.meetings.schemas import InviteForm, MeetingChangeForm, RsvpForm
from block_service.meetings.tables import Meeting
from block_service.schemas import ReasonForm
from tests.council_helpers import staff_viewer, zh
from tests.helpers import TEST_PASSWORD, make_person, text_of, viewer_for
from tests.meeting_helpers import local, make_meeting, move_meeting

STAFF = "staff@test.example"
WHY = ReasonForm(reason="场地临时被占用，改期另行通知")


def _change(**fields) -> MeetingChangeForm:
    starts = now() + dt.timedelta(days=3)
    values = {
        "title": "关于夜间外摆的听证会（改期）",
        "starts_at": local(starts),
        "ends_at": local(starts + dt.timedelta(hours=2)),
    }
    return MeetingChangeForm(**(values | fields))


async def _told(meeting_id: int, event: str) -> set[int]:
    rows = await InboxEntry.select(InboxEntry.person).where(
        (InboxEntry.kind == "meeting") & (InboxEntry.object_id == meeting_id) & (InboxEntry.event == event)
    )
    return {row["person"] for row in rows}


async def _invited_meeting():
    staff = await staff_viewer(STAFF)
    invited = viewer_for(await make_person("王阿姨", "13900000021"), "resident")
    meeting_id = await make_meeting(staff)
    await services.invite(staff, meeting_id, InviteForm(invitee_type="person", invitee_id=invited.person_id))
    return staff, invited, meeting_id


async def test_the_convener_moves_a_meeting_and_the_invitees_are_told(db):
    staff, invited, meeting_id = await _invited_meeting()
    form = _change(place="凌岩南路1143号二楼")
    assert await changes.change_meeting(staff, meeting_id, form) is True
    row = await Meeting.select().where(Meeting.id == meeting_id).first()
    assert (row["title"], row["place"], row["sequence"], row["status"]) == (
        form.title,
        "凌岩南路1143号二楼",
        1,
        "scheduled",
    )
    assert await _told(meeting_id, "changed") == {invited.person_id}
    assert await changes.change_meeting(staff, meeting_id, form) is False  # the same form again changes nothing
    assert await AuditEntry.count().where(AuditEntry.action == "meeting.changed") == 1
    with pytest.raises(Invalid) as refused:
        await changes.change_meeting(staff, meeting_id, _change(ends_at=form.starts_at))
    assert refused.value.message == "The meeting must end after it starts." and refused.value.field == "ends_at"


async def test_only_the_convener_or_staff_change_or_cancel(db):
    staff, invited, meeting_id = await _invited_meeting()
    with pytest.raises(Forbidden) as refused:
        await changes.change_meeting(invited, meeting_id, _change())
    assert refused.value.message == "Only the meeting's convener or staff change this meeting."
    with pytest.raises(Forbidden):
        await changes.cancel_meeting(invited, meeting_id, WHY)
    assert (await Meeting.select(Meeting.sequence).where(Meeting.id == meeting_id).first())["sequence"] == 0


async def test_a_cancelled_meeting_takes_no_answers_or_changes_and_an_ended_one_cannot_be_cancelled(db):
    staff, invited, meeting_id = await _invited_meeting()
    await services.answer(invited, meeting_id, RsvpForm(answer="yes"))
    await changes.cancel_meeting(staff, meeting_id, WHY)
    row = await Meeting.select().where(Meeting.id == meeting_id).first()
    assert (row["status"], row["cancel_reason"], row["sequence"]) == ("cancelled", WHY.reason, 1)
    assert await _told(meeting_id, "cancelled") == {invited.person_id}
    assert await AuditEntry.count().where(AuditEntry.action == "meeting.cancelled") == 1
    for attempt in (
        changes.cancel_meeting(staff, meeting_id, WHY),
        changes.change_meeting(staff, meeting_id, _change()),
        services.answer(invited, meeting_id, RsvpForm(answer="no")),
    ):
        with pytest.raises(Conflict) as refused:
            await attempt
        assert refused.value.message == "This meeting is cancelled."
    ended = await make_meeting(staff, title="已经开过的协调会")
    await move_meeting(ended, starts_in_hours=-3, hours=1)
    with pytest.raises(Conflict) as refused:
        await changes.cancel_meeting(staff, ended, WHY)
    assert refused.value.message == changes.ENDED


async def test_the_pages_and_the_calendar_show_the_change_and_the_cancellation(db, browser_factory):
    staff, invited, meeting_id = await _invited_meeting()
    browser = browser_factory("zh-Hans")
    await browser.log_in(STAFF, TEST_PASSWORD)
    page = text_of((await browser.get(f"/meetings/{meeting_id}")).text)
    assert zh("Change the time, place or title") in page
    other = browser_factory("zh-Hans")
    await other.log_in("13900000021", TEST_PASSWORD)
    assert zh("Change the time, place or title") not in text_of((await other.get(f"/meetings/{meeting_id}")).text)
    assert (await other.post(f"/meetings/{meeting_id}/cancel", {"reason": "我不想开"})).status_code == 403
    bad = await browser.post(
        f"/meetings/{meeting_id}/change",
        {"change_title": "改期", "change_starts_at": "x", "change_ends_at": ""},
        htmx=True,
    )
    assert bad.status_code == 422 and 'id="change-forms"' in bad.text and 'id="e-change_starts_at"' in bad.text
    form = _change()
    moved = await browser.post(
        f"/meetings/{meeting_id}/change",
        {
            "change_title": form.title,
            "change_starts_at": form.starts_at,
            "change_ends_at": form.ends_at,
            "change_place": "",
        },
    )
    assert moved.status_code == 303
    (event,) = icalendar.Calendar.from_ical((await browser.get(f"/meetings/{meeting_id}.ics")).content).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1 and str(event["STATUS"]) == "CONFIRMED" and form.title in str(event["SUMMARY"])
    empty = await browser.post(f"/meetings/{meeting_id}/cancel", {"reason": ""}, htmx=True)
    assert empty.status_code == 422 and 'id="e-reason"' in empty.text
    assert (await browser.post("/meetings/987654/cancel", {"reason": WHY.reason})).status_code == 404
    assert (await browser.post(f"/meetings/{meeting_id}/cancel", {"reason": WHY.reason})).status_code == 303
    html = (await browser_factory("zh-Hans").get(f"/meetings/{meeting_id}")).text
    assert f"<s>{form.title}</s>" in html and WHY.reason in text_of(html)
    assert f"<s>{form.title}</s>" in (await browser_factory("zh-Hans").get("/meetings")).text
    feed = icalendar.Calendar.from_ical((await browser_factory("en").get("/meetings.ics")).content)
    (event,) = feed.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
    again = await browser.post(f"/meetings/{meeting_id}/cancel", {"reason": WHY.reason}, htmx=True)
    assert again.status_code == 409 and zh("This meeting is cancelled.") in text_of(again.text)
