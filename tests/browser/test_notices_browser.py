"""Notices in real Chromium on a phone, in Chinese: staff send a notice to the catering group, a merchant
reads and acknowledges it on a phone, staff see "1 of N" shops read and acknowledged."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.shell_checks import PHONE, phone_problems, screenshot, watch_console
from tests.browser.steps import Person, apply_for_shop, approve_shop, expect, unique_mobile

pytestmark = pytest.mark.browser


def test_staff_send_to_catering_a_merchant_acknowledges_on_a_phone_staff_see_1_of_n(new_context, staff_session, axe):
    tag = uuid.uuid4().hex[:4]
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    merchant = Person(new_context(**phone).new_page(), name=f"面馆老板{tag}", mobile=unique_mobile())
    merchant.sign_up()
    shop_name = f"凌岩面馆{tag}"
    apply_for_shop(merchant.page, shop_name, house_number="1117号", industry="餐饮")
    staff = new_context(storage_state=staff_session, **phone).new_page()
    approve_shop(staff, shop_name)

    # Staff send the notice to the catering group, asking for an acknowledgement.
    title = f"燃气安全检查通知{tag}"
    staff_errors = watch_console(staff)
    staff.goto("/staff/notices/new")
    expect(staff.get_by_role("heading", level=1)).to_have_text("发布通知")
    assert phone_problems(staff, axe, staff_errors) == []
    staff.get_by_label(re.compile("^标题")).fill(title)
    staff.get_by_label(re.compile("^正文")).fill("各餐饮商户：\n\n下周二上门检查燃气管道，请店内留人配合。")
    staff.get_by_label("区域或行业小组", exact=True).check()
    staff.locator("#f-groups label").filter(has_text=re.compile(r"^\s*餐饮")).get_by_role("checkbox").check()
    staff.get_by_label("要求每家商铺确认“收到/已知悉”").check()
    staff.get_by_role("button", name="发出通知").click()
    expect(staff).to_have_url(re.compile(r"/staff/notices/\d+$"))
    expect(staff.get_by_role("status")).to_contain_text("通知已发出。")
    counts = staff.locator("#receipt-counts")
    expect(counts).to_contain_text(re.compile(r"\d+ 家商铺中 0 家已读"))
    shops = int(re.search(r"(\d+) 家商铺中", counts.inner_text()).group(1))
    assert shops >= 1

    # The merchant finds it in the inbox on the phone, reads it and acknowledges it for the shop.
    page = merchant.page
    errors = watch_console(page)
    page.goto("/inbox")
    page.get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(r"/notices/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert phone_problems(page, axe, errors) == []
    screenshot(page, "notice-merchant")
    page.get_by_role("button", name="收到/已知悉").click()
    expect(page.get_by_role("status")).to_contain_text("谢谢，已为您的商铺记录“收到/已知悉”。")
    expect(page.get_by_role("main")).to_contain_text(f"{merchant.name} 已于")
    assert phone_problems(page, axe, errors) == []
    screenshot(page, "notice-acknowledged")

    # Staff see 1 of N read and acknowledged.
    staff.reload()
    expect(counts).to_contain_text(f"{shops} 家商铺中 1 家已读")
    expect(counts).to_contain_text("1 家已确认")
    assert phone_problems(staff, axe, staff_errors) == []
    screenshot(staff, "notice-follow-up")
