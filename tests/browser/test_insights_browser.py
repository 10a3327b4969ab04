"""The dashboard and a plan's indicators on a phone (Chromium 390×844, Chinese): they fit, and read."""

from __future__ import annotations

import pytest

from tests.browser.shell_checks import PHONE, phone_problems, screenshot, watch_console
from tests.browser.steps import PASSWORD, Person, expect, report_problem, unique_mobile

pytestmark = pytest.mark.browser


def phone(new_context, **options):
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True, **options).new_page()


def test_dashboard_and_plan_indicators_fit_a_phone(new_context, axe):
    page = phone(new_context)
    person = Person(page, name=f"居民{unique_mobile()[-4:]}", mobile=unique_mobile(), password=PASSWORD)
    person.sign_up()
    report_problem(page, category="占道经营", house_number="1143号", title="门口纸箱堆放", body="三天没人收")
    visitor = phone(new_context)
    errors = watch_console(visitor)
    problems = []
    for name, path in (("dashboard", "/dashboard"), ("plan-indicators", "/plans/safety")):
        visitor.goto(path)
        expect(visitor.get_by_role("heading", level=1)).to_be_visible()
        problems += [f"{path}: {p}" for p in phone_problems(visitor, axe, errors)]
        errors.clear()
        screenshot(visitor, name)
    assert not problems, "\n".join(problems)
    # The numbers behind a chart are one tap away.
    visitor.goto("/plans/safety")
    figure = visitor.locator("#indicator-open_reports")
    figure.get_by_text("查看数字").click()
    expect(figure.get_by_role("table")).to_be_visible()
    expect(visitor.get_by_role("img", name="相关类别中未办结的反映")).to_be_visible()


def test_staff_dashboard_fits_a_phone(new_context, staff_session, axe):
    page = phone(new_context, storage_state=staff_session)
    errors = watch_console(page)
    page.goto("/dashboard")
    expect(page.get_by_role("heading", name="工作人员工作量")).to_be_visible()
    problems = phone_problems(page, axe, errors)
    screenshot(page, "dashboard-staff")
    page.goto("/staff/loop")
    expect(page.get_by_role("heading", level=1)).to_have_text("闭环停滞事项")
    problems += phone_problems(page, axe, errors)
    assert not problems, "\n".join(problems)
