"""A council motion in real Chromium on phones (390 px, Chinese): the chair opens it, one member recuses, the
others vote from their inbox in two taps, the last vote closes it, and everyone reads the result and roll-call.

The council is seated in-process (tests/motion_helpers.py); `block-service serve` then runs on that database.
Playwright's sync API runs in a worker thread, so this async test's event loop stays free."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _require_browser
from tests.browser.steps import expect, log_in
from tests.council_helpers import zh
from tests.helpers import TEST_PASSWORD
from tests.motion_helpers import seated_council
from tests.real_server import real_server

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
CONTACTS = ("13800004001", "13800004002", "13800004003", "13800004004")


def _phone(browser, base_url: str, contact: str):
    context = browser.new_context(base_url=base_url, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, contact, TEST_PASSWORD)
    return page


def _fits(page) -> None:
    width, screen = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen, f"{page.url} is {width} px wide on a {screen} px phone"


def _walk(base_url: str) -> None:
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            chair, recusing, second, third = (_phone(browser, base_url, contact) for contact in CONTACTS)

            # The chair opens a motion from the desk.
            chair.goto("/council/motions")
            chair.get_by_role("link", name=zh("Open a motion")).click()
            _fits(chair)
            chair.get_by_label(re.compile("^" + zh("Title"))).fill("1141弄口增设共享充电桩")
            chair.get_by_label(re.compile("^" + zh("The question put to the council"))).fill(
                "是否使用自治金在1141弄口增设4个电动自行车充电桩？"
            )
            chair.get_by_label(zh("Kind of motion")).select_option("funds")
            chair.get_by_role("button", name=zh("Open the motion")).click()
            expect(chair.get_by_role("status")).to_contain_text(
                zh("The motion is open. The members on its roll have been told.")
            )
            motion_url = re.sub(r"^https?://[^/]+", "", chair.url)
            assert re.fullmatch(r"/motions/\d+", motion_url)
            _fits(chair)
            expect(chair.get_by_role("main")).to_contain_text(
                zh(
                    "If a member's seat ends while the motion is open, "
                    "they can no longer vote or change their vote. A vote "
                    "they cast before stands and is counted; if they had "
                    "not voted, they leave the eligible members."
                )
            )

            # One member recuses with a reason.
            recusing.goto(motion_url)
            recusing.get_by_text(zh("Recuse myself from this vote")).click()
            recusing.get_by_label(re.compile("^" + zh("Reason"))).fill("充电桩由我家店看护，涉及自身利益。")
            recusing.get_by_role("button", name=zh("Recuse myself"), exact=True).click()
            expect(recusing.get_by_role("status")).to_contain_text(
                zh("You have recused yourself from this motion; the page shows your reason.")
            )

            # Two members vote from their inbox: tap the notice, tap 赞成.
            for member in (second, third):
                member.goto("/inbox")
                member.get_by_role("link", name="1141弄口增设共享充电桩").first.click()
                expect(member).to_have_url(re.compile(re.escape(motion_url) + "#vote-panel$"))
                member.get_by_role("button", name=zh("For (赞成)")).click()
                expect(member.get_by_role("status")).to_contain_text(
                    zh("Your vote is recorded. You may change it until the motion closes.")
                )
            expect(second.locator("#vote-panel")).to_contain_text(zh("Has voted"))
            expect(second.locator("#vote-panel")).not_to_contain_text(zh("Roll-call"))

            # The chair votes last: that closes it.
            chair.goto(motion_url)
            chair.get_by_role("button", name=zh("Against (反对)")).click()
            expect(chair.get_by_role("status")).to_contain_text(
                zh("Your vote was the last one: the motion has closed and its result is below.")
            )
            panel = chair.locator("#vote-panel")
            expect(panel).to_contain_text(zh("Passed"))
            expect(panel).to_contain_text(zh("Roll-call"))
            expect(panel).to_contain_text("充电桩由我家店看护")
            expect(panel).to_contain_text(zh("Against (反对)"))
            second.goto("/council/motions")
            expect(second.get_by_role("main")).to_contain_text(zh("Passed"))
            _fits(second)
        finally:
            browser.close()


async def test_the_chair_opens_a_motion_members_vote_on_phones_and_it_closes(db, tmp_path):
    _require_browser()
    await seated_council(4, contacts=CONTACTS)
    async with real_server(tmp_path) as server:
        await asyncio.to_thread(_walk, server.base_url)
