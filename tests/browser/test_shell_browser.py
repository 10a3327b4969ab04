"""The shell on a phone (Chromium 390×844, Chinese): tab bar, the way in, page weight, screenshots."""

from __future__ import annotations

import re

import pytest

from tests.browser.shell_checks import (
    DESKTOP,
    MAX_FIRST_LOAD_BYTES,
    PHONE,
    phone_problems,
    screenshot,
    transferred_bytes,
    watch_console,
)
from tests.browser.steps import (
    PASSWORD,
    Person,
    expect,
    label,
    main_nav,
    move_thread_on,
    report_problem,
    unique_mobile,
)

pytestmark = pytest.mark.browser

VISITOR_PAGES = {
    "home": "/",
    "threads": "/threads",
    "plans": "/plans",
    "proposals": "/proposals",
    "meetings": "/meetings",
    "council": "/council",
    "shops": "/shops",
    "groups": "/groups",
    "contact": "/contact",
    "login": "/login",
    "signup": "/signup",
}
MEMBER_PAGES = {"me": "/me", "inbox": "/inbox", "report-form": "/threads/new", "my-threads": "/me/threads"}


def phone(new_context, **options):
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True, **options).new_page()


@pytest.mark.parametrize("name", list(VISITOR_PAGES))
def test_visitor_pages_fit_a_phone(new_context, axe, name):
    page = phone(new_context)
    errors = watch_console(page)
    page.goto(VISITOR_PAGES[name])
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    problems = phone_problems(page, axe, errors)
    assert not problems, "\n".join(problems)
    screenshot(page, name)
    page.set_viewport_size(DESKTOP)
    screenshot(page, name)


def test_member_pages_fit_a_phone(new_context, axe):
    page = phone(new_context)
    person = Person(page, name=f"居民{unique_mobile()[-4:]}", mobile=unique_mobile(), password=PASSWORD)
    errors = watch_console(page)
    person.sign_up()
    number = report_problem(page, category="占道经营", house_number="1143号", title="门口纸箱堆放", body="三天没人收")
    pages = {**MEMBER_PAGES, "thread": f"/threads/{number}"}
    problems = []
    for name, path in pages.items():
        page.set_viewport_size(PHONE)
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        problems += [f"{path}: {p}" for p in phone_problems(page, axe, errors)]
        errors.clear()
        screenshot(page, name)
        page.set_viewport_size(DESKTOP)
        screenshot(page, name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ["/", "/threads", "/signup", "/login", "/contact"])
def test_first_load_is_light(new_context, path):
    """Everything a first visit transfers (page, CSS, JS, icon), compressed, stays under 80 KB."""
    page = phone(new_context)
    page.goto(path)
    page.wait_for_load_state("load")
    size = transferred_bytes(page)
    print(f"first load of {path}: {size} bytes transferred")  # shown with -s: the numbers of the summary
    assert 0 < size < MAX_FIRST_LOAD_BYTES


def test_the_tab_bar_marks_where_you_are(new_context):
    page = phone(new_context)
    page.goto("/threads")
    tabs = main_nav(page)
    expect(tabs.get_by_role("link", name="反映", exact=True)).to_have_attribute("aria-current", "page")
    expect(tabs.get_by_role("link", name="首页", exact=True)).not_to_have_attribute("aria-current", "page")
    tabs.get_by_role("link", name="议事", exact=True).click()
    expect(page).to_have_url(re.compile(r"/plans$"))
    expect(main_nav(page).get_by_role("link", name="议事", exact=True)).to_have_attribute("aria-current", "page")
    box = main_nav(page).get_by_role("link", name="议事", exact=True).bounding_box()
    assert box is not None and box["y"] + box["height"] >= PHONE["height"] - 2  # at the bottom of the screen


def test_a_visitor_who_starts_a_report_lands_on_the_guided_form(new_context):
    # Signing up at the end and finishing it: tests/browser/test_report_flow_browser.py.
    page = phone(new_context)
    errors = watch_console(page)
    page.goto("/")
    page.get_by_role("link", name="我要反映").click()
    expect(page).to_have_url(re.compile(r"/threads/new$"))
    expect(page.get_by_text("第 1 步，共 6 步：照片")).to_be_visible()
    assert errors == []


def test_the_drawer_holds_the_rest_on_a_phone(new_context):
    page = phone(new_context)
    person = Person(page, name=f"居民{unique_mobile()[-4:]}", mobile=unique_mobile(), password=PASSWORD)
    person.sign_up()
    logout = main_nav(page).get_by_role("button", name="退出登录")
    expect(logout).to_be_hidden()
    main_nav(page).get_by_text("菜单").click()
    expect(logout).to_be_visible()
    logout.click()
    expect(main_nav(page).get_by_role("link", name="登录")).to_be_visible()


def test_answering_and_moving_a_thread_on_logs_no_console_error(new_context, staff_page):
    """htmx swaps the answer box and the status form in place: nothing in them may break the CSP."""
    page = phone(new_context)
    person = Person(page, name=f"居民{unique_mobile()[-4:]}", mobile=unique_mobile(), password=PASSWORD)
    person.sign_up()
    number = report_problem(page, category="占道经营", house_number="1145号", title="货箱占道", body="人行道走不通")
    errors = watch_console(staff_page)
    reporter_errors = watch_console(page)  # the reporter's page takes the changes live
    staff_page.goto(f"/threads/{number}")
    answer_form = staff_page.get_by_role("region", name="官方答复", exact=True)
    answer_form.get_by_label(label("留言内容")).fill("已联系店家，今天收回。")
    # A person drags the text box taller: the browser writes an inline style onto it, which htmx's settling
    # used to copy with setAttribute("style"), a CSP refusal in the console.
    answer_form.get_by_label(label("留言内容")).evaluate("el => { el.style.height = '160px'; }")
    answer_form.get_by_role("button", name="发送答复").click()
    expect(answer_form.get_by_label(label("留言内容"))).to_have_value("")
    move_thread_on(staff_page, "受理", "已派人核实")
    move_thread_on(staff_page, "标记为已解决", "货箱已收回")
    page.reload()
    # The reporter confirms and rates the fix in one step (the evaluation form, swapped in by htmx too).
    evaluation = page.get_by_role("region", name="问题解决了吗？")
    evaluation.get_by_role("radio", name="已解决", exact=True).check()
    evaluation.get_by_role("group", name=re.compile(r"^您满意吗")).get_by_role("radio", name="5", exact=True).check()
    evaluation.get_by_role("button", name="提交我的回答").click()
    expect(page.get_by_role("status")).to_contain_text("感谢您的评价")
    assert errors == [] and reporter_errors == []
