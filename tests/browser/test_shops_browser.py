"""Shops in the browser: apply, staff approve, the merchant navigation appears; visitors search for it."""

from __future__ import annotations

import re

import pytest

from tests.browser.steps import (
    STAFF_EMAIL,
    STAFF_PASSWORD,
    Person,
    apply_for_shop,
    expect,
    label,
    log_in,
    log_out,
    main_nav,
)

pytestmark = pytest.mark.browser


def test_staff_approve_a_shop_and_the_applicant_becomes_its_merchant(resident: Person, new_context):
    page = resident.page
    shop_name = f"老张生煎{resident.name[-4:]}"
    resident.sign_up()
    expect(main_nav(page).locator('[data-nav="merchant"]')).to_have_count(0)
    apply_for_shop(page, shop_name)
    expect(page.get_by_role("main")).to_contain_text(shop_name)
    resident.log_out()

    staff = new_context().new_page()
    log_in(staff, STAFF_EMAIL, STAFF_PASSWORD)
    main_nav(staff).get_by_role("link", name="入驻审核").click()
    expect(staff).to_have_url(re.compile(r"/staff/applications"))
    application = staff.get_by_role("listitem").filter(
        has=staff.get_by_role("heading", name=re.compile(re.escape(shop_name)))
    )
    expect(application).to_contain_text(resident.name)
    expect(application).to_contain_text("1143号")
    application.get_by_role("button", name="通过").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(shop_name)
    log_out(staff)

    resident.log_in()
    merchant_link = main_nav(page).locator('[data-nav="merchant"]')
    expect(merchant_link).to_have_text("我的店铺")
    merchant_link.click()
    expect(page).to_have_url(re.compile(r"/me/shops$"))
    expect(page.get_by_role("main").get_by_role("link", name=shop_name)).to_be_visible()


def test_visitor_finds_a_shop_by_name_with_the_search_form(resident: Person, new_context):
    shop_name = f"花语花店{resident.name[-4:]}"
    resident.sign_up()
    apply_for_shop(resident.page, shop_name, house_number="1205号", industry="零售")
    staff = new_context().new_page()
    log_in(staff, STAFF_EMAIL, STAFF_PASSWORD)
    staff.goto("/staff/applications")
    application = staff.get_by_role("listitem").filter(
        has=staff.get_by_role("heading", name=re.compile(re.escape(shop_name)))
    )
    application.get_by_role("button", name="通过").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(shop_name)

    visitor = new_context().new_page()
    visitor.goto("/shops")
    search = visitor.get_by_role("search")
    search.get_by_label(label("按店名或门牌号搜索")).fill(shop_name)
    with visitor.expect_response(lambda response: "/shops?" in response.url) as searched:
        search.get_by_role("button", name="搜索").click()
    assert searched.value.status == 200, f"the search answered {searched.value.status}: {searched.value.url}"
    expect(visitor).to_have_url(re.compile(r"[?&]q="))
    # The search names one shop: the list holds exactly that one, and no error is announced.
    results = visitor.locator("#shop-results")
    expect(results).to_contain_text("共找到 1 家店铺")
    expect(results.get_by_role("link", name=shop_name)).to_be_visible()
    expect(visitor.locator("#alerts")).to_be_empty()
