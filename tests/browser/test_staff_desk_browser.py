"""The staff desk on phones (Chromium 390×844, Chinese): staff land on the desk after log-in, assign a thread
to a colleague from its row, and the colleague finds it under "我的". The other staff pages fit a phone too.

Two staff members, a resident with two reports and a pending shop application are made in-process on a fresh
test database, in a worker thread (Playwright's sync loop occupies this one); then `block-service serve`
runs on it."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.servers import server_env, start_server
from tests import helpers, real_server
from tests.browser import steps
from tests.browser.shell_checks import DESKTOP, PHONE, phone_problems, screenshot, watch_console
from tests.browser.steps import expect, log_in
from tests.helpers import TEST_PASSWORD, make_person, make_thread

pytestmark = pytest.mark.browser

WANG = "desk-wang@test.example"
LI = "desk-li@test.example"
ON_A_PHONE = {"viewport": PHONE, "is_mobile": True, "has_touch": True}


@pytest.fixture
def desk_server(_schema, tmp_path):
    from block_service.audit.services import record_change
    from tests.conftest import fresh_database

    async def seed() -> None:
        async with fresh_database(tmp_path):
            wang = await make_person("王工", WANG, roles=("staff",))
            await make_person("李工", LI, roles=("staff",))
            reporter = await make_person("居民老陈", "13900007001")
            await make_thread(reporter, title="门口纸箱堆了三天", house_number="1143号")
            await make_thread(reporter, title="路灯一到晚上就闪", house_number="1188号")
            merchant = await make_person("开店的小马", "13800007001")
            await helpers.make_shop(merchant, name="小马烧烤店带一个相当长的名字用来测试换行", house_number="1147号")
            await _pending_application(await make_person("申请人老周", "13800007002"))
            await record_change(
                actor_id=wang,
                action="role.granted",
                object_type="person",
                object_id=reporter,
                after={"role": "resident"},
            )

    with ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, seed()).result()
    for contact in (WANG, LI):
        steps.TOTP_SECRETS[contact] = helpers.TOTP_SECRETS[contact]
    env = server_env(
        real_server.test_database_url(), tmp_path / "server-var", migrate_on_start="false", login_rate_per_minute="1000"
    )
    with start_server(env, log_path=tmp_path / "server.log") as running:
        yield running.base_url


async def _pending_application(person_id: int) -> None:
    """An application waiting on /staff/applications, with long values that must wrap on a phone."""
    from block_service.shops.applications import apply_for_shop
    from block_service.shops.schemas import ShopApplicationForm
    from block_service.shops.segments import list_industries
    from tests.helpers import viewer_for

    industry = (await list_industries())[0]
    await apply_for_shop(
        viewer_for(person_id, "resident"),
        ShopApplicationForm(
            shop_name="老周家常菜馆（凌岩南路一一六零号店）",
            house_number="1160号",
            industry_id=industry.id,
            licence_number="91310115MA1K4AC99Z",
            phone="021-58881160",
        ),
    )


def _phone(chromium, base_url: str):
    context = chromium.new_context(base_url=base_url, locale="zh-CN", **ON_A_PHONE)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _check(page, axe, errors: list[str], name: str) -> list[str]:
    problems = [f"{page.url}: {problem}" for problem in phone_problems(page, axe, errors)]
    errors.clear()
    screenshot(page, name)
    page.set_viewport_size(DESKTOP)
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    return problems


def test_staff_assign_a_thread_to_a_colleague_from_the_desk(chromium, desk_server, axe):
    wang_context, wang = _phone(chromium, desk_server)
    li_context, li = _phone(chromium, desk_server)
    try:
        errors = watch_console(wang)
        log_in(wang, WANG, TEST_PASSWORD)
        expect(wang).to_have_url(re.compile(r"/staff$"))  # staff land on their desk
        expect(wang.get_by_role("heading", level=1)).to_have_text("工作台")
        queues = wang.get_by_role("navigation", name="工作队列")
        expect(queues.get_by_role("link", name=re.compile(r"^新诉求\s*2$"))).to_be_visible()
        problems = _check(wang, axe, errors, "staff-desk")

        row = wang.get_by_role("listitem").filter(has=wang.get_by_role("heading", name="门口纸箱堆了三天"))
        row.get_by_label("分派给").select_option(label="李工")
        row.get_by_role("button", name="分派").click()
        row = wang.get_by_role("listitem").filter(has=wang.get_by_role("heading", name="门口纸箱堆了三天"))
        expect(row.locator(".assignee")).to_have_text("李工")  # the row swapped in place
        problems += [f"after assigning: {p}" for p in phone_problems(wang, axe, errors)]

        for name, path in (
            ("staff-applications", "/staff/applications"),
            ("staff-audit", "/staff/audit"),
            ("staff-people", "/staff/people"),
            ("staff-person", "/staff/people/3"),
            ("staff-intake", "/staff/intake"),
            ("staff-triage", "/staff/triage"),
            ("staff-categories", "/staff/categories"),
            ("staff-registry", "/staff/registry"),
            ("staff-moderation", "/staff/moderation"),
            ("staff-thread", "/threads/1"),
        ):
            wang.goto(path)
            expect(wang.get_by_role("heading", level=1)).to_be_visible()
            problems += _check(wang, axe, errors, name)
        wang.goto("/staff/audit")
        expect(wang.get_by_role("main")).to_contain_text("王工 分派了诉求 #1。")
        expect(wang.get_by_role("main")).not_to_contain_text("thread.assigned 李工")

        li_errors = watch_console(li)
        log_in(li, LI, TEST_PASSWORD)
        expect(li).to_have_url(re.compile(r"/staff$"))
        li.get_by_role("navigation", name="工作队列").get_by_role("link", name=re.compile(r"^我的")).click()
        expect(li).to_have_url(re.compile(r"queue=mine"))
        expect(li.get_by_role("heading", name="门口纸箱堆了三天")).to_be_visible()
        expect(li.get_by_role("heading", name="路灯一到晚上就闪")).to_have_count(0)
        problems += _check(li, axe, li_errors, "staff-desk-mine")
        assert not problems, "\n".join(problems)
    finally:
        wang_context.close()
        li_context.close()
