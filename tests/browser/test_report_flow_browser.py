"""The guided report on a phone (Chromium 390×844, Chinese): a visitor signing up at the end without losing
anything, an error at each step, and joining a suggested duplicate from inside the flow."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.shell_checks import (
    MAX_FIRST_LOAD_BYTES,
    PHONE,
    phone_problems,
    screenshot,
    transferred_bytes,
    watch_console,
)
from tests.browser.steps import PASSWORD, Person, expect, label, label_starting, report_problem, unique_mobile
from tests.browser.test_threads_browser import expect_photo_shown, jpeg_with_gps

pytestmark = pytest.mark.browser


def phone_person(new_context) -> Person:
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    return Person(page, name=f"居民{uuid.uuid4().hex[:4]}", mobile=unique_mobile(), password=PASSWORD)


def console_errors(errors: list[str]) -> list[str]:
    # A refused step answers 422 on purpose; Chromium logs that status. Any other console error fails.
    return [e for e in errors if "422" not in e]


def check(page, axe, errors: list[str], name: str) -> None:
    problems = phone_problems(page, axe, console_errors(errors))
    assert not problems, f"{name}:\n" + "\n".join(problems)
    screenshot(page, name)


def continue_(page) -> None:
    page.get_by_role("main").get_by_role("button", name="下一步", exact=True).click()


def choose(page, text: str) -> None:
    """Tap a tile (category, shop, privacy): its label, as a finger does; the icon before the words is decoration."""
    page.locator(".tile-choice label").filter(has_text=re.compile(re.escape(text) + "$")).click()


def expect_step(page, number: int, name: str) -> None:
    expect(page.get_by_text(f"第 {number} 步，共 6 步：{name}")).to_be_visible()


def expect_summary(page, text: str):
    summary = page.get_by_role("alert").filter(has_text="请先更正以下内容")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(text)
    assert summary.bounding_box()["y"] < PHONE["height"], "the error summary is off-screen"
    return summary


def test_a_visitor_reports_signs_up_at_the_end_and_loses_nothing(new_context, axe, tmp_path):
    person = phone_person(new_context)
    page = person.page
    errors = watch_console(page)
    page.goto("/threads/new")  # a first load, nothing cached: the page, its CSS and htmx
    expect_step(page, 1, "照片")
    assert transferred_bytes(page) < MAX_FIRST_LOAD_BYTES
    page.goto("/")
    page.get_by_role("link", name="我要反映").click()
    expect(page).to_have_url(re.compile(r"/threads/new$"))
    expect_step(page, 1, "照片")
    expect(page.locator("#f-photos")).to_have_attribute("capture", "environment")
    check(page, axe, errors, "report-step-photo")
    page.locator("#f-photos").set_input_files([jpeg_with_gps(tmp_path / "IMG_0101.jpg")])
    continue_(page)

    expect(page).to_have_url(re.compile(r"step=place$"))
    page.locator(".segment-button").first.click()
    expect(page.locator(".segment-button.chosen")).to_have_count(1)
    page.get_by_label(label("或填写门牌号")).fill("1143号")
    check(page, axe, errors, "report-step-place")
    continue_(page)

    expect(page).to_have_url(re.compile(r"step=category$"))
    emergency = page.get_by_role("region", name=re.compile(r"^燃气泄漏、起火或有人受伤"))
    expect(emergency.get_by_role("link", name="119 火警")).to_have_attribute("href", "tel:119")
    check(page, axe, errors, "report-step-category")
    choose(page, "占道经营")
    continue_(page)

    title = f"门口纸箱堆满人行道{person.name[-4:]}"
    body = "每天早上七点卸货，纸箱一直堆到中午。"
    page.get_by_label(label("一句话说明")).fill(title)
    page.get_by_label(label("详细情况（可不填）")).fill(body)
    check(page, axe, errors, "report-step-details")
    continue_(page)

    choose(page, "显示我的名字")
    check(page, axe, errors, "report-step-privacy")
    continue_(page)

    expect(page).to_have_url(re.compile(r"step=review$"))
    expect(page.get_by_role("main")).to_contain_text(title)
    check(page, axe, errors, "report-step-review-visitor")
    page.get_by_role("link", name="注册并提交").click()
    expect(page).to_have_url(re.compile(r"/signup\?next="))
    page.get_by_label(label("昵称")).fill(person.name)
    page.get_by_label(label_starting("手机号")).fill(person.mobile)
    page.get_by_label(label("密码")).fill(PASSWORD)
    page.get_by_label(label("确认密码")).fill(PASSWORD)
    page.locator("#f-accept_privacy").check()
    page.get_by_role("button", name="注册账号").click()

    expect(page).to_have_url(re.compile(r"/threads/new\?step=review$"))
    main = page.get_by_role("main")
    expect(main).to_contain_text(title)
    expect(main).to_contain_text(body)
    expect_photo_shown(page, "您添加的第 1 张照片")
    check(page, axe, errors, "report-step-review")
    main.get_by_role("button", name="提交", exact=True).click()
    expect(page).to_have_url(re.compile(r"/threads/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("main")).to_contain_text(body)
    expect_photo_shown(page, "问题照片 1")
    assert console_errors(errors) == []


def test_an_error_at_each_step_is_summarised_focused_and_keeps_what_was_typed(new_context, axe, tmp_path):
    person = phone_person(new_context)
    person.sign_up()
    page = person.page
    errors = watch_console(page)
    page.goto("/threads/new")
    not_a_photo = tmp_path / "note.jpg"
    not_a_photo.write_bytes(b"this is not a photo")
    page.locator("#f-photos").set_input_files([not_a_photo])
    continue_(page)
    expect_summary(page, "JPEG")
    expect(page.locator("#f-photos")).to_have_attribute("aria-describedby", "e-photos")
    check(page, axe, errors, "report-error-photo")
    page.locator("#f-photos").set_input_files([])
    continue_(page)

    expect_step(page, 2, "地点")
    page.get_by_label(label("或填写门牌号")).fill("月亮上")
    continue_(page)
    expect_summary(page, "门牌号")
    expect(page.get_by_label(label("或填写门牌号"))).to_have_value("月亮上")
    expect(page.get_by_label(label("或填写门牌号"))).to_have_attribute("aria-describedby", "e-house_number")
    check(page, axe, errors, "report-error-place")
    page.get_by_label(label("或填写门牌号")).fill("1107号")
    continue_(page)

    expect_step(page, 3, "类别")
    continue_(page)
    expect_summary(page, "请选择问题类别")
    check(page, axe, errors, "report-error-category")
    choose(page, "油烟")
    continue_(page)

    expect_step(page, 4, "描述")
    body = "晚上八点以后油烟很重，窗户都不敢开。"
    page.get_by_label(label("一句话说明")).fill("油烟")
    page.get_by_label(label("详细情况（可不填）")).fill(body)
    continue_(page)
    expect_summary(page, "至少 4 个字")
    expect(page.get_by_label(label("一句话说明"))).to_have_attribute("aria-describedby", "e-title")
    expect(page.get_by_label(label("详细情况（可不填）"))).to_have_value(body)
    check(page, axe, errors, "report-error-details")
    title = f"晚间油烟扰民{person.name[-4:]}"
    page.get_by_label(label("一句话说明")).fill(title)
    continue_(page)

    expect_step(page, 5, "隐私")
    continue_(page)
    expect_summary(page, "请选择是否公开显示您的名字")
    check(page, axe, errors, "report-error-privacy")
    choose(page, "对外只显示为“一位居民”")
    continue_(page)

    expect_step(page, 6, "提交")
    page.go_back()  # the browser's back button: the previous step, with its answer
    expect_step(page, 5, "隐私")
    expect(page.locator("#f-anonymous-yes")).to_be_checked()
    page.go_forward()
    expect_step(page, 6, "提交")
    page.get_by_role("main").get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("main")).to_contain_text(body)
    assert console_errors(errors) == []


def test_joining_a_suggested_duplicate_from_inside_the_flow(new_context, axe):
    neighbour = phone_person(new_context)
    neighbour.sign_up()
    theirs = f"生煎店门口纸箱占道{neighbour.name[-4:]}"
    report_problem(neighbour.page, category="占道经营", house_number="1143号", title=theirs, body="人行道走不通。")

    person = phone_person(new_context)
    person.sign_up()
    page = person.page
    errors = watch_console(page)
    page.goto("/threads/new?step=place")
    page.get_by_label(label("或填写门牌号")).fill("1143号")
    continue_(page)
    expect_step(page, 3, "类别")
    suggestions = page.get_by_role("region", name=re.compile("^是下面这些问题吗"))
    row = suggestions.get_by_role("listitem").filter(has_text=theirs)
    expect(row).to_have_count(1)
    check(page, axe, errors, "report-suggestions")
    row.get_by_role("button", name=re.compile("^我也遇到")).click()
    expect(row.get_by_role("status")).to_contain_text("已关注 ✓")
    expect(page).to_have_url(re.compile(r"step=category$"))
    check(page, axe, errors, "report-suggestion-joined")
    choose(page, "占道经营")
    continue_(page)
    expect_step(page, 4, "描述")
    page.goto("/threads/new?step=review")
    expect(page.get_by_role("main")).to_contain_text("1143号")  # the draft is still there
    assert console_errors(errors) == []
