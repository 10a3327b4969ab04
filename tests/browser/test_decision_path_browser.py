"""The whole decision path in real Chromium on phones (390 × 844), in Chinese: a resident's report becomes a
proposal, two neighbours support it, staff accept it, staff hold a hearing on it and publish the minutes, the
chair opens a motion on it from the hearing's agenda, one member recuses, three members vote from their inbox
in two taps, the last vote closes it, and the proposal page reads "已通过" with every step of the chain.

The council, staff and the two neighbours are made in-process on a fresh test database (tests/conftest.py
`fresh_database`), in a worker thread: Playwright's sync loop occupies this one. Then `block-service serve`
runs on that database; everything after that happens in the browser."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.servers import server_env, start_server
from block_service.clock import BLOCK_TIMEZONE, now
from tests import helpers, real_server
from tests.browser import steps
from tests.browser.steps import Person, expect, label, label_starting, log_in, report_problem, unique_mobile
from tests.browser.test_accessibility_browser import PHONE
from tests.council_helpers import staff_viewer, zh
from tests.helpers import TEST_PASSWORD, make_person
from tests.motion_helpers import seated_council

pytestmark = pytest.mark.browser

CHAIR, RECUSING, SECOND, THIRD = COUNCIL = ("13800005001", "13800005002", "13800005003", "13800005004")
SUPPORTERS = (("邻居甲", "13800005101"), ("邻居乙", "13800005102"))
STAFF = "decision-staff@test.example"
ON_A_PHONE = {"viewport": PHONE, "is_mobile": True, "has_touch": True}


@pytest.fixture
def decision_server(_schema, tmp_path):
    """A server of its own on a fresh database with a seated council of four, staff and two neighbours."""
    from tests.conftest import fresh_database

    async def seed() -> None:
        async with fresh_database(tmp_path):
            await seated_council(4, contacts=COUNCIL)
            await staff_viewer(STAFF)
            for name, contact in SUPPORTERS:
                await make_person(name, contact)

    with ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, seed()).result()
    steps.TOTP_SECRETS[STAFF] = helpers.TOTP_SECRETS[STAFF]
    env = server_env(
        real_server.test_database_url(), tmp_path / "server-var", migrate_on_start="false", login_rate_per_minute="1000"
    )
    with start_server(env, log_path=tmp_path / "server.log") as running:
        yield running.base_url


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(BLOCK_TIMEZONE).strftime("%Y-%m-%dT%H:%M")


def _path(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def _fits(page) -> None:
    width, screen = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen, f"{page.url} is {width} px wide on a {screen} px phone"


def _started(zh_phrase: str):
    return re.compile("^" + re.escape(zh_phrase))


def test_a_report_travels_to_a_passed_decision_on_phones(chromium, decision_server):
    def phone(contact: str | None = None):
        context = chromium.new_context(base_url=decision_server, locale="zh-CN", **ON_A_PHONE)
        context.set_default_timeout(15_000)
        page = context.new_page()
        if contact is not None:
            log_in(page, contact, TEST_PASSWORD)
        return page

    tag = uuid.uuid4().hex[:4]
    report_title = f"夜里垃圾桶满溢{tag}"
    proposal_title = f"1160号增加分类垃圾桶{tag}"
    motion_title = f"批准：1160号增加分类垃圾桶{tag}"

    # 1. A resident reports the problem, then files a proposal from the report.
    author = Person(phone(), name=f"居民{tag}", mobile=unique_mobile())
    author.sign_up()
    page = author.page
    thread_id = report_problem(
        page, category="垃圾堆放", house_number="1160号", title=report_title, body="晚上八点以后垃圾桶就满了。"
    )
    page.get_by_role("link", name="据此提交提案").click()
    expect(page.get_by_label(label("标题"))).to_have_value(report_title)
    page.get_by_label(label("计划")).select_option(label="环境共治")
    page.get_by_label(label("标题")).fill(proposal_title)
    page.get_by_label(label_starting("要做什么、在哪里、为什么")).fill(
        "在1160号增加两个分类垃圾桶，晚上九点加一次清运。"
    )
    page.get_by_label("微：居民和商户自发组织").check()
    page.get_by_role("button", name="提交提案").click()
    expect(page).to_have_url(re.compile(r"/proposals/\d+$"))
    proposal_url = _path(page)
    proposal_id = int(proposal_url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(proposal_title)
    expect(page.locator(".tags")).to_contain_text("已提交")
    expect(page.get_by_role("region", name="关联的诉求")).to_contain_text(report_title)
    _fits(page)

    # 2. Two neighbours support it, each in one tap on their phone.
    for count, (_name, contact) in enumerate(SUPPORTERS, start=1):
        neighbour = phone(contact)
        neighbour.goto(proposal_url)
        neighbour.get_by_role("button", name="我支持").click()
        expect(neighbour.get_by_role("button", name="撤回我的支持")).to_be_visible()
        expect(neighbour.locator("#support")).to_contain_text(f"{count} 人支持")

    # 3. Staff accept it for deliberation, with a reason everyone reads.
    staff = phone(STAFF)
    staff.goto(proposal_url)
    staff.get_by_label("受理并进入审议").check()
    staff.get_by_label(label_starting("原因")).fill("居民反映集中，进入审议。")
    staff.get_by_role("button", name="确定").click()
    expect(staff.locator(".tags")).to_contain_text("审议中")

    # 4. Staff hold a hearing on it (begun an hour ago), put the proposal on its agenda, publish the minutes.
    staff.goto("/meetings/new")
    staff.get_by_label(zh("Kind of meeting")).select_option(label=zh("Hearing"))
    staff.get_by_label(_started(zh("Title"))).fill(f"分类垃圾桶听证会{tag}")
    staff.get_by_label(_started(zh("Starts (Beijing time)"))).fill(_local(now() - dt.timedelta(hours=1)))
    staff.get_by_label(_started(zh("Ends (Beijing time)"))).fill(_local(now() + dt.timedelta(hours=1)))
    staff.get_by_label(_started(zh("Proposal number (a hearing's proposal)"))).fill(str(proposal_id))
    staff.get_by_label(zh("Open to every resident (otherwise only those invited answer)")).check()
    staff.get_by_role("button", name=zh("Schedule"), exact=True).click()
    expect(staff).to_have_url(re.compile(r"/meetings/\d+$"))
    meeting_url = _path(staff)
    agenda_form = staff.locator("#agenda-form")
    agenda_form.get_by_label(_started(zh("Item"))).fill("是否增加分类垃圾桶")
    agenda_form.get_by_label(zh("It concerns")).select_option("proposal")
    agenda_form.get_by_label(_started(zh("Its number"))).fill(str(proposal_id))
    agenda_form.get_by_role("button", name=zh("Add to the agenda")).click()
    expect(staff.get_by_role("status")).to_contain_text(zh("The item is on the agenda."))
    staff.get_by_label(zh("Minutes of this item")).fill("到会居民同意增加分类垃圾桶，清运由物业配合。")
    staff.get_by_role("button", name=zh("Publish the minutes")).click()
    expect(staff.get_by_role("status")).to_contain_text(zh("The minutes are published."))
    page.goto(meeting_url)
    expect(page.locator("#agenda")).to_contain_text("到会居民同意增加分类垃圾桶")
    _fits(page)

    # 5. The chair opens a motion on the proposal from the hearing's agenda item.
    chair = phone(CHAIR)
    chair.goto(meeting_url)
    chair.get_by_text(zh("Open a council motion on this item")).click()
    motion_form = chair.locator("form[id^=motion-form-]")
    motion_form.get_by_label(_started(zh("Motion title"))).fill(motion_title)
    motion_form.get_by_label(_started(zh("The question put to the council"))).fill(
        "是否批准在1160号增加两个分类垃圾桶并加一次夜间清运？"
    )
    motion_form.get_by_label(_started(zh("Voting closes (Beijing time)"))).fill(_local(now() + dt.timedelta(days=3)))
    motion_form.get_by_role("button", name=zh("Open the motion")).click()
    expect(chair).to_have_url(re.compile(r"/motions/\d+$"))
    expect(chair.get_by_role("status")).to_contain_text(zh("The motion is open to the council."))
    motion_url = _path(chair)
    _fits(chair)

    # 6. One member recuses themself, with a reason.
    recusing = phone(RECUSING)
    recusing.goto(motion_url)
    recusing.get_by_text(zh("Recuse myself from this vote")).click()
    recusing.get_by_label(_started(zh("Reason"))).fill("我家店在1160号旁，涉及自身利益。")
    recusing.get_by_role("button", name=zh("Recuse myself"), exact=True).click()
    expect(recusing.get_by_role("status")).to_contain_text(
        zh("You have recused yourself from this motion; the page shows your reason.")
    )

    # 7. Three members vote from their inbox on their phones: tap the notice, tap 赞成. The third vote closes it.
    for number, member in enumerate((phone(SECOND), phone(THIRD), chair), start=1):
        member.goto("/inbox")
        member.get_by_role("link", name=motion_title).first.click()
        expect(member).to_have_url(re.compile(re.escape(motion_url) + "#vote-panel$"))
        member.get_by_role("button", name=zh("For (赞成)")).click()
        expect(member.get_by_role("status")).to_contain_text(
            zh("Your vote was the last one: the motion has closed and its result is below.")
            if number == 3
            else zh("Your vote is recorded. You may change it until the motion closes.")
        )
    panel = chair.locator("#vote-panel")
    expect(panel).to_contain_text(zh("Passed"))
    expect(panel).to_contain_text(zh("Roll-call"))
    expect(panel).to_contain_text("我家店在1160号旁")

    # 8. Everyone reads the decision on the proposal: 已通过, the counts, the roll-call one tap away, every step.
    page.goto(proposal_url)
    expect(page.locator(".tags")).to_contain_text("已通过")
    chain = page.get_by_role("region", name="进展：从诉求到决定")
    counts = "赞成 3 · 反对 0 · 弃权 0 / 3"  # the ballot's own words, of 3 eligible members
    expect(chain).to_contain_text(counts)
    for step in (
        report_title,
        "居民反映集中，进入审议。",
        f"分类垃圾桶听证会{tag}",
        "到会居民同意增加分类垃圾桶",
        motion_title,
        zh("Waits for its project"),
    ):
        expect(chain).to_contain_text(step)
    expect(chain.locator(".chain-decision")).to_contain_text("理事会通过")
    _fits(page)
    chain.get_by_role("link", name=motion_title).click()
    roll = page.locator("#vote-panel")
    expect(roll).to_contain_text(zh("Roll-call"))
    expect(roll).to_contain_text(zh("For (赞成)"))
    _fits(page)
    page.goto(f"/threads/{thread_id}")
    # 9. The report shows the same chain: its proposal, the hearing, the motion and the decision.
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name=re.compile(re.escape(f"#{proposal_id}：{proposal_title}")))).to_be_visible()
    expect(main.get_by_role("link", name=motion_title)).to_be_visible()
    expect(main).to_contain_text(counts)
