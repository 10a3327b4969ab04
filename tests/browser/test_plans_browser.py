"""Proposals in the browser, on phones, in Chinese: a report becomes a proposal, a neighbour backs it, staff accept."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.steps import Person, expect, label, label_starting, report_problem, unique_mobile
from tests.browser.test_accessibility_browser import assert_accessible

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_a_report_becomes_a_proposal_that_a_neighbour_supports_and_staff_accept(new_context, staff_session, axe):
    author = Person(new_context(**PHONE).new_page(), name=f"居民{uuid.uuid4().hex[:4]}", mobile=unique_mobile())
    author.sign_up()
    page = author.page
    thread_id = report_problem(
        page,
        category="垃圾堆放",
        house_number="1160号",
        title="垃圾桶每天满溢",
        body="晚上八点以后垃圾桶就满了，袋子堆在地上。",
    )

    # From the report: the form is filled in from it and the proposal links back to it.
    page.get_by_role("link", name="据此提交提案").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("提交提案")
    expect(page.get_by_label(label("标题"))).to_have_value("垃圾桶每天满溢")
    page.get_by_label(label("计划")).select_option(label="环境共治")
    page.get_by_label(label("标题")).fill("增加分类垃圾桶并加一次清运")
    page.get_by_label(label_starting("要做什么、在哪里、为什么")).fill(
        "建议在1160号附近增加两个分类垃圾桶，晚上九点加一次清运。"
    )
    page.get_by_label("微：居民和商户自发组织").check()
    page.get_by_role("button", name="提交提案").click()
    expect(page).to_have_url(re.compile(r"/proposals/\d+$"))
    proposal_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("增加分类垃圾桶并加一次清运")
    expect(page.locator(".tags")).to_contain_text("已提交")
    expect(page.get_by_role("region", name="关联的诉求")).to_contain_text("垃圾桶每天满溢")
    for path in (proposal_url, "/plans", "/plans/environment", "/proposals"):
        assert_accessible(page, axe, path)
    page.goto(f"/threads/{thread_id}")
    expect(page.get_by_role("link", name=re.compile("增加分类垃圾桶并加一次清运"))).to_be_visible()

    # A neighbour supports it from their phone, in one tap, without leaving the page.
    neighbour = Person(new_context(**PHONE).new_page(), name=f"邻居{uuid.uuid4().hex[:4]}", mobile=unique_mobile())
    neighbour.sign_up()
    neighbour.page.goto(proposal_url)
    neighbour.page.get_by_role("button", name="我支持").click()
    expect(neighbour.page.get_by_role("button", name="撤回我的支持")).to_be_visible()
    expect(neighbour.page.locator("#support")).to_contain_text("1 人支持")

    # Staff accept it for deliberation with a reason that everyone taking part reads.
    staff = new_context(storage_state=staff_session, **PHONE).new_page()
    staff.goto(proposal_url)
    staff.get_by_label("受理并进入审议").check()
    staff.get_by_label(label_starting("原因")).fill("居民反映集中，进入审议。")
    staff.get_by_role("button", name="确定").click()
    expect(staff.locator(".tags")).to_contain_text("审议中")
    neighbour.page.goto(proposal_url)
    expect(neighbour.page.get_by_role("region", name="进展：从诉求到决定")).to_contain_text("居民反映集中，进入审议。")
    neighbour.page.goto("/inbox")
    expect(neighbour.page.get_by_role("main")).to_contain_text("增加分类垃圾桶并加一次清运")
