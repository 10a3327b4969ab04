"""Meetings in real Chromium on a phone, in Chinese: staff schedule a hearing, a resident says they will come,
staff record the minutes of a hearing held."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from block_service.clock import BLOCK_TIMEZONE
from tests.browser.steps import Person, expect, unique_mobile
from tests.browser.test_accessibility_browser import PHONE, assert_accessible
from tests.council_helpers import zh

pytestmark = pytest.mark.browser


def _local(days: int, hour: int) -> str:
    day = dt.datetime.now(BLOCK_TIMEZONE).date() + dt.timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


def _schedule(staff, title: str, days: int, *, open_to_residents: bool = True) -> str:
    """Staff fill the scheduling form; returns the new meeting's path."""
    staff.goto("/meetings/new")
    staff.get_by_label(zh("Kind of meeting")).select_option(label=zh("Hearing"))
    staff.get_by_label(re.compile("^" + re.escape(zh("Title")))).fill(title)
    staff.get_by_label(re.compile("^" + re.escape(zh("Starts (Beijing time)")))).fill(_local(days, 19))
    staff.get_by_label(re.compile("^" + re.escape(zh("Ends (Beijing time)")))).fill(_local(days, 21))
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
