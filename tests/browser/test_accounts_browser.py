"""A resident signs up and logs in, in Chinese; staff disabling an account ends its open session."""

from __future__ import annotations

import re

import pytest

from tests.browser.steps import Person, expect, label, label_starting, main_nav

pytestmark = pytest.mark.browser


def test_resident_signs_up_logs_out_and_logs_in_again_in_chinese(resident: Person):
    page = resident.page
    resident.sign_up()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账号")

    resident.log_out()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(main_nav(page)).not_to_contain_text(resident.name)

    resident.log_in()
    page.goto("/me")
    expect(main_nav(page).get_by_role("link", name=re.compile(re.escape(resident.name)))).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(resident.mobile)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")


def test_a_new_resident_is_welcomed(resident: Person):
    resident.sign_up()
    expect(resident.page.get_by_role("status")).to_contain_text("欢迎", timeout=1_000)


def test_signup_page_speaks_chinese(page):
    page.goto("/signup")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("main")).to_contain_text("注册")


def test_disabling_an_account_ends_the_persons_open_session(resident: Person, staff_page):
    resident.sign_up()

    staff_page.goto("/staff/people")
    search = staff_page.get_by_role("search")
    search.get_by_label(label("按昵称、手机号或邮箱搜索")).fill(resident.mobile)
    search.get_by_role("button", name="搜索").click()
    staff_page.get_by_role("link", name=resident.name, exact=True).click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text(resident.name)
    staff_page.get_by_label(label("停用原因")).fill("多次发布不实信息")
    staff_page.get_by_role("button", name="停用账号").click()
    expect(staff_page.get_by_role("main")).to_contain_text("多次发布不实信息")
    expect(staff_page.get_by_role("button", name="启用账号")).to_be_visible()

    page = resident.page
    page.goto("/me")
    expect(page).to_have_url(re.compile(r"/login\?next=/me$"))
    expect(main_nav(page)).not_to_contain_text(resident.name)

    # Logging in again is refused with a reason, and the person stays logged out.
    page.get_by_label(label_starting("手机号")).fill(resident.mobile)
    page.get_by_label(label("密码")).fill(resident.password)
    page.get_by_role("main").get_by_role("button", name="登录").click()
    expect(page.get_by_role("main").get_by_role("alert").filter(has_text="该账号已被停用")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(main_nav(page)).not_to_contain_text(resident.name)
