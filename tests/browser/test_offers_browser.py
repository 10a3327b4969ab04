"""Community offers in real Chromium on a phone, in Chinese: a merchant publishes drinking water, a resident
finds it open now on the list (the road's strip map has no marker API on main yet) and thanks the shop."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from block_service.clock import BLOCK_TIMEZONE
from tests.browser.shell_checks import PHONE, phone_problems, screenshot, watch_console
from tests.browser.steps import Person, apply_for_shop, approve_shop, expect, label, label_starting, unique_mobile
from tests.council_helpers import zh

pytestmark = pytest.mark.browser


def test_a_resident_finds_drinking_water_open_now_and_thanks_the_shop(new_context, staff_session, axe):
    tag = uuid.uuid4().hex[:4]
    shop_name = f"好邻居茶铺{tag}"
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    merchant = Person(new_context(**phone).new_page(), name=f"店主{tag}", mobile=unique_mobile())
    merchant.sign_up()
    apply_for_shop(merchant.page, shop_name, house_number="1151号")
    approve_shop(new_context(storage_state=staff_session).new_page(), shop_name)

    page = merchant.page
    page.goto("/offers/new")
    page.get_by_label(label(zh("Kind of offer"))).select_option(label="饮用水")
    page.get_by_label(label(zh("What you offer"))).fill(f"门口饮水机全天供应温开水{tag}")
    last_day = dt.datetime.now(BLOCK_TIMEZONE).date() + dt.timedelta(days=90)
    page.get_by_label(label(zh("Offered until"))).fill(last_day.isoformat())
    for weekday in ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"):
        page.get_by_label(label_starting(weekday)).fill("00:00-24:00")
    page.get_by_role("button", name=zh("Publish"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/offers/\d+$"))
    expect(page.get_by_role("status")).to_contain_text(
        zh("Your offer is published. Thank you for serving the neighbourhood.")
    )

    resident = Person(new_context(**phone).new_page(), name=f"居民{tag}", mobile=unique_mobile())
    resident.sign_up()
    page = resident.page
    errors = watch_console(page)
    page.goto("/offers")
    page.get_by_label(zh("Kind"), exact=True).select_option(label="饮用水")
    page.get_by_label(zh("Open now")).check()
    expect(page).to_have_url(re.compile(r"open_now=1"))
    card = page.locator("#offer-results li").filter(has_text=f"门口饮水机全天供应温开水{tag}")
    expect(card).to_contain_text(zh("Open now"))
    expect(card).to_contain_text(shop_name)
    assert phone_problems(page, axe, errors) == []
    screenshot(page, "offers-open-now")

    # On the road's map: the home page's segment of No. 1151 opens its panel, and the offer is a marker there.
    segments = page.request.get("/api/segments").json()
    segment = next(s for s in segments if s["first_number"] <= 1151 <= s["last_number"])
    page.goto("/")
    page.locator(f'li a[href="/road/{segment["id"]}"]').first.click()
    panel = page.locator("#road-panel")
    offer_link = panel.get_by_role("link", name=f"饮用水 · {shop_name}")
    expect(offer_link).to_be_visible()
    assert phone_problems(page, axe, errors) == []
    offer_link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(shop_name)
    expect(page.locator("main")).to_contain_text(zh("Open now"))
    page.get_by_role("button", name=zh("Thank you, I used it")).click()
    thanks = page.locator("#offer-thanks")
    expect(thanks).to_contain_text(zh("Thank you! The shop will hear of it."))
    expect(thanks).to_contain_text("1")
    assert phone_problems(page, axe, errors) == []
    page.reload()
    expect(page.locator("#offer-thanks")).to_contain_text(zh("You thanked this shop for this offer this month."))


def test_a_resident_posts_a_need_and_a_neighbour_pledges_on_a_phone(new_context, axe):
    tag = uuid.uuid4().hex[:4]
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    author = Person(new_context(**phone).new_page(), name=f"居民{tag}", mobile=unique_mobile())
    author.sign_up()
    page = author.page
    page.goto("/needs/new")
    page.get_by_label(label(zh("What kind of help"))).select_option(label=zh("Materials"))
    page.get_by_label(label(zh("Title"))).fill(f"读书角缺少儿童绘本{tag}")
    page.get_by_label(label(zh("How many"))).fill("40")
    page.get_by_label(label(zh("Unit"))).fill("本")
    until = dt.datetime.now(BLOCK_TIMEZONE).date() + dt.timedelta(days=30)
    page.get_by_label(label(zh("Needed until"))).fill(until.isoformat())
    page.get_by_role("button", name=zh("Post"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/needs/\d+$"))
    path = re.sub(r"^https?://[^/]+", "", page.url)

    neighbour = Person(new_context(**phone).new_page(), name=f"街坊{tag}", mobile=unique_mobile())
    neighbour.sign_up()
    page = neighbour.page
    errors = watch_console(page)
    page.goto(path)
    panel = page.locator("section.pledge-panel")
    panel.locator("input[name=quantity]").fill("12")
    panel.get_by_role("button").last.click()
    expect(panel).to_contain_text("12")
    assert phone_problems(page, axe, errors) == []
    screenshot(page, "need-with-pledges")
