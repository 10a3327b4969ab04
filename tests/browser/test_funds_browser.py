"""The fund ledger in the browser, on a phone, in Chinese: staff record the year's income, anyone reads it."""

from __future__ import annotations

import pytest

from tests.browser.shell_checks import PHONE, phone_problems, screenshot, watch_console
from tests.browser.steps import expect, label

pytestmark = pytest.mark.browser


def test_staff_record_income_and_the_public_ledger_shows_it_on_a_phone(new_context, staff_session, axe):
    staff = new_context(storage_state=staff_session, viewport=PHONE).new_page()
    errors = watch_console(staff)
    staff.goto("/staff/funds")
    expect(staff.get_by_role("heading", level=1)).to_have_text("记自治金账")
    staff.get_by_label(label("年度")).fill("2026")
    staff.get_by_label(label("金额（元）")).first.fill("-5")
    staff.get_by_role("button", name="登记收入").click()
    expect(staff.locator("#income-form")).to_contain_text("请以元为单位填写金额")
    errors.clear()  # the refused form's 422, which the browser logs
    staff.get_by_label(label("金额（元）")).first.fill("200000")
    staff.get_by_label(label("备注")).first.fill("凌岩街道年度自治金拨款")
    staff.get_by_role("button", name="登记收入").click()
    expect(staff.locator("body")).to_contain_text("收入已记为第")
    problems = phone_problems(staff, axe, errors)
    assert not problems, "\n".join(problems)

    visitor = new_context(viewport=PHONE).new_page()
    errors = watch_console(visitor)
    visitor.goto("/funds?year=2026")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("自治金")
    expect(visitor.get_by_role("table").first).to_contain_text("200,000.00")
    expect(visitor.locator("#ledger")).to_contain_text("凌岩街道年度自治金拨款")
    problems = phone_problems(visitor, axe, errors)
    assert not problems, "\n".join(problems)
    screenshot(visitor, "funds")
