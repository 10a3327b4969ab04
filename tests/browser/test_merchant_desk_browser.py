"""Issue 13 on a phone (Chromium 390×844, Chinese): a merchant answers a complaint from their to-do, and the strip
map shows the shops and open reports around a thread, its own place highlighted, a segment's panel on a tap."""

from __future__ import annotations

import re

import pytest

from tests.browser.shell_checks import DESKTOP, PHONE, phone_problems, screenshot, watch_console
from tests.browser.steps import (
    PASSWORD,
    Person,
    apply_for_shop,
    approve_shop,
    expect,
    label,
    report_problem,
    unique_mobile,
)

pytestmark = pytest.mark.browser


def _phone(new_context):
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()


def _person(new_context, role: str) -> Person:
    return Person(_phone(new_context), name=f"{role}{unique_mobile()[-4:]}", mobile=unique_mobile(), password=PASSWORD)


def test_a_merchant_answers_from_the_to_do_and_the_thread_shows_its_place_on_the_strip_map(
    new_context, staff_page, axe
):
    merchant = Person(
        _phone(new_context), name=f"店主{unique_mobile()[-4:]}", mobile=unique_mobile(), password=PASSWORD
    )
    shop_name = f"阿芳馄饨{merchant.name[-4:]}"
    merchant.sign_up()
    apply_for_shop(merchant.page, shop_name, house_number="1147号")
    approve_shop(staff_page, shop_name)

    resident = Person(
        _phone(new_context), name=f"居民{unique_mobile()[-4:]}", mobile=unique_mobile(), password=PASSWORD
    )
    resident.sign_up()
    title = "馄饨店门口桌椅占道"
    number = report_problem(
        resident.page, category="占道经营", house_number="1147号", shop_name=shop_name, title=title, body="晚上摆满桌椅"
    )

    # The thread page: the road north at the top, the shop as a marker, this report's place highlighted.
    page = resident.page
    errors = watch_console(page)
    page.goto(f"/threads/{number}")
    place = page.locator(".place-map")
    expect(place.locator("figure > svg circle.here")).to_have_count(1)
    expect(place.locator("figure > svg .marker.kind-shop").first).to_be_visible()
    expect(place.get_by_role("link", name=shop_name)).to_be_visible()
    expect(place).to_contain_text("本条反映")
    problems = phone_problems(page, axe, errors)
    assert not problems, "\n".join(problems)
    screenshot(page, "thread-strip-map")

    # The home page: the whole road the same way round; tapping a segment opens what is there, in place.
    page.goto("/")
    page.locator(".road-map .segment-list a").first.click()
    expect(page.locator("#road-panel .segment-panel")).to_be_visible()
    problems = phone_problems(page, axe, errors)
    assert not problems, "\n".join(problems)
    screenshot(page, "home-road-panel")

    # The merchant's to-do: the complaint waits for an answer; answered in place, no reload, no console error.
    page = merchant.page
    errors = watch_console(page)
    page.goto("/me/shops")
    todo = page.get_by_role("region", name="我的店铺待办")
    item = todo.get_by_role("listitem").filter(has=page.get_by_role("link", name=title))
    expect(item).to_contain_text("等待您答复")
    screenshot(page, "merchant-todo")
    item.get_by_text("立即答复").click()
    item.get_by_role("button", name="发送答复").click()  # empty: the error comes back beside the box
    expect(item.locator(".error")).to_be_visible()
    errors.remove(next(e for e in errors if "422" in e))  # the refused answer's own status, nothing else
    item.get_by_label(label("留言内容")).fill("今晚起桌椅只摆在店内，谢谢提醒。")
    item.get_by_role("button", name="发送答复").click()
    expect(item.get_by_role("status")).to_contain_text("答复已发出")
    expect(item).to_contain_text("已答复 ✓")
    expect(page).to_have_url(re.compile(r"/me/shops$"))
    problems = phone_problems(page, axe, errors)
    assert not problems, "\n".join(problems)
    screenshot(page, "merchant-todo-answered")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "merchant-todo-answered")

    # The answer is on the thread, as the shop's official answer; the shop neither joins nor flags it.
    page.goto(f"/threads/{number}")
    expect(page.locator("#answers")).to_contain_text("今晚起桌椅只摆在店内")
    expect(page.get_by_role("button", name=re.compile("我也遇到"))).to_have_count(0)
    expect(page.get_by_text("举报此诉求")).to_have_count(0)
