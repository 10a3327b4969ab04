"""Meetings in real Chromium on a phone, in Chinese: staff schedule a hearing, a resident says they will come,
staff record the minutes of a hearing held."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from block_service.clock import BLOCK_TIMEZONE
from tests.browser.shell_checks import phone_problems, screenshot, watch_console
from tests.browser.steps import Person, expect, unique_mobile
from tests.browser.test_accessibility_browser import PHONE, assert_accessible
from tests.council_helpers import zh

pytestmark = pytest.mark.browser


def _local(days: int, hour: int) -> str:
    day = dt.datetime.now(BLOCK_TIMEZONE).date() + dt.timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


def _around_now(hours: int) -> str:
    """A time some hours from now, as the datetime-local field takes it (a meeting going on now)."""
    return (dt.datetime.now(BLOCK_TIMEZONE) + dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def _schedule(staff, title: str, days: int, *, open_to_residents: bool = True, now_on: bool = False) -> str:
    """Staff fill the scheduling form; returns the new meeting's path."""
    staff.goto("/meetings/new")
    staff.get_by_label(zh("Kind of meeting")).select_option(label=zh("Hearing"))
    staff.get_by_label(re.compile("^" + re.escape(zh("Title")))).fill(title)
    starts, ends = (_around_now(-1), _around_now(2)) if now_on else (_local(days, 19), _local(days, 21))
    staff.get_by_label(re.compile("^" + re.escape(zh("Starts (Beijing time)")))).fill(starts)
    staff.get_by_label(re.compile("^" + re.escape(zh("Ends (Beijing time)")))).fill(ends)
    staff.get_by_label(zh("Places (empty: no limit)")).fill("20")
    if open_to_residents:
        staff.get_by_label(zh("Open to every resident (otherwise only those invited answer)")).check()
    staff.get_by_role("button", name=zh("Schedule"), exact=True).click()
    expect(staff).to_have_url(re.compile(r"/meetings/\d+$"))
    expect(staff.get_by_role("status")).to_contain_text(
        zh("The meeting is scheduled. Add its agenda and invite people.")
    )
    return re.sub(r"^https?://[^/]+", "", staff.url)


def _add_item(staff, title: str) -> None:
    form = staff.locator("#agenda-form")
    form.get_by_label(re.compile("^" + re.escape(zh("Item")))).fill(title)
    form.get_by_role("button", name=zh("Add to the agenda")).click()
    expect(staff.get_by_role("status")).to_contain_text(zh("The item is on the agenda."))


def test_staff_schedule_a_hearing_a_resident_answers_and_staff_record_minutes(new_context, staff_session, axe):
    tag = uuid.uuid4().hex[:4]
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    staff = new_context(storage_state=staff_session, **phone).new_page()
    title = f"夜间外摆听证会{tag}"
    path = _schedule(staff, title, days=2)
    expect(staff.get_by_role("heading", level=1)).to_have_text(title)
    expect(staff.get_by_role("main")).to_contain_text("凌岩南路1141弄")
    _add_item(staff, "外摆时间怎么定")

    resident = Person(new_context(**phone).new_page(), name=f"居民{tag}", mobile=unique_mobile())
    resident.sign_up()
    page = resident.page
    page.goto(path)
    answer = page.locator("#answer")
    answer.get_by_role("button", name=zh("I will come")).click()
    expect(answer).to_contain_text(zh("You said you will come."))
    expect(answer).to_contain_text(zh("%(going)s of %(capacity)s places taken", going=1, capacity=20))
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the meeting page is {widths[0]} px wide on a {widths[1]} px phone"

    # A hearing held yesterday: staff add its item and publish the minutes; anyone reads them.
    held = _schedule(staff, f"昨天的听证会{tag}", days=-1)
    _add_item(staff, "绿化带认养办法")
    staff.get_by_label(zh("Minutes of this item")).fill("到会居民赞成认养，工作站提供花苗。")
    staff.get_by_role("button", name=zh("Publish the minutes")).click()
    expect(staff.get_by_role("status")).to_contain_text(zh("The minutes are published."))
    visitor = new_context(**phone).new_page()
    visitor.goto(held)
    expect(visitor.locator("#agenda")).to_contain_text("到会居民赞成认养，工作站提供花苗。")
    visitor.goto("/meetings?when=past")
    expect(visitor.get_by_role("main")).to_contain_text(f"昨天的听证会{tag}")
    assert_accessible(visitor, axe, held)
    assert_accessible(visitor, axe, "/meetings")


def test_a_clerk_invites_by_name_on_a_phone_and_ticks_attendance_in_one_form(new_context, staff_session, axe):
    """The picker: a name search answers as you type with buttons that invite in one tap; attendance is one
    checklist of the invitees (present / absent / excused) saved at once."""
    tag = uuid.uuid4().hex[:4]
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    resident = Person(new_context(**phone).new_page(), name=f"秀英{tag}", mobile=unique_mobile())
    resident.sign_up()
    staff = new_context(storage_state=staff_session, **phone).new_page()
    errors = watch_console(staff)
    path = _schedule(staff, f"门口停车协调会{tag}", days=0, open_to_residents=False, now_on=True)
    picker = staff.locator("#invite-form")
    picker.get_by_label(zh("Search people or shops by name")).fill(f"秀英{tag}")
    invite = picker.get_by_role("button", name=zh("Invite %(name)s", name=f"秀英{tag}"))
    expect(invite).to_be_visible()  # the suggestions came as typed (htmx), no number was needed
    problems = phone_problems(staff, axe, errors)
    screenshot(staff, "meeting-picker")
    assert not problems, problems
    invite.click()
    expect(staff.get_by_role("status")).to_contain_text(zh("The invitation is sent."))
    expect(staff.locator("section[aria-labelledby=invitees-title]")).to_contain_text(f"秀英{tag}")
    # The meeting is going on: the clerk ticks the invitee as excused in the checklist and saves once.
    checklist = staff.locator("#attendance-form")
    row = checklist.get_by_role("group", name=f"秀英{tag}")
    row.get_by_label(zh("Excused")).check()
    checklist.get_by_role("button", name=zh("Save the attendance")).click()
    expect(staff.get_by_role("status")).to_contain_text(zh("The attendance is recorded."))
    expect(staff.locator("section[aria-labelledby=attendance-title]")).to_contain_text(f"秀英{tag} — {zh('Excused')}")
    staff.goto(path)
    problems = phone_problems(staff, axe, errors)
    screenshot(staff, "meeting-attendance")
    assert not problems, problems
