"""A passed decision becomes work people can watch and judge, in real Chromium on a phone (390 × 844), in
Chinese: staff start a small project from the passed motion's page, add milestones and mark one done, allocate
from the fund and record a spending with its receipt photo, name the maintainer, complete it, and three residents
the project serves evaluate it from their phones.

The council's passed motion on a proposal, its three supporters, the year's fund and staff are made in-process
on a fresh test database (as in test_decision_path_browser.py); everything after that happens in the browser."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.servers import server_env, start_server
from block_service.clock import block_today
from tests import helpers, real_server
from tests.browser import steps
from tests.browser.shell_checks import phone_problems, watch_console
from tests.browser.steps import expect, label, label_starting, log_in
from tests.browser.test_accessibility_browser import PHONE
from tests.council_helpers import staff_viewer, zh
from tests.helpers import TEST_PASSWORD, make_person

pytestmark = pytest.mark.browser

STAFF = "projects-staff@test.example"
RESIDENTS = (("受益居民甲", "13800006101"), ("受益居民乙", "13800006102"), ("受益居民丙", "13800006103"))
ON_A_PHONE = {"viewport": PHONE, "is_mobile": True, "has_touch": True}


@pytest.fixture
def project_server(_schema, tmp_path):
    """A server of its own: staff, three residents supporting a proposal the council passed (motion returned)."""
    from tests.conftest import fresh_database
    from tests.plans_helpers import age

    found = {}

    async def seed() -> None:
        from block_service.clock import now
        from block_service.plans.tables import Support
        from tests.funds_helpers import funded_year
        from tests.project_helpers import passed_motion

        async with fresh_database(tmp_path):
            staff = await staff_viewer(STAFF)
            motion_id, proposal_id = await passed_motion(staff, size="small", budget_cap=6000)
            await funded_year(staff, block_today().year, "200000")
            for name, contact in RESIDENTS:
                person = await make_person(name, contact)
                await age(person)
                await Support.insert(Support(proposal=proposal_id, person=person, created_at=now()))
            found.update(motion=motion_id, staff=staff.person_id)

    with ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, seed()).result()
    steps.TOTP_SECRETS[STAFF] = helpers.TOTP_SECRETS[STAFF]
    env = server_env(
        real_server.test_database_url(), tmp_path / "server-var", migrate_on_start="false", login_rate_per_minute="1000"
    )
    with start_server(env, log_path=tmp_path / "server.log") as running:
        yield running.base_url, found


def _jpeg() -> bytes:
    import io

    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", (60, 40), (220, 220, 200)).save(output, "JPEG")
    return output.getvalue()


def _path(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def _completed_this_month(page) -> int:
    """The environment plan's "projects completed" figure for this month, read from the chart's table."""
    page.goto("/plans/environment")
    chart = page.locator("#indicator-projects_completed")
    expect(chart).to_be_visible()
    month = block_today().strftime("%Y-%m")
    return int(chart.locator("tr", has=page.locator(f'th:text-is("{month}")')).locator("td").text_content())


def _fund_balance(page) -> float:
    page.goto("/dashboard")
    figure = page.locator('[data-section="fund"] .big-figure').inner_text()
    return float(figure.replace("¥", "").replace(",", ""))


def test_a_passed_motion_becomes_a_small_project_that_three_residents_evaluate(chromium, project_server, axe):
    base_url, found = project_server

    def phone(contact: str):
        context = chromium.new_context(base_url=base_url, locale="zh-CN", **ON_A_PHONE)
        context.set_default_timeout(15_000)
        page = context.new_page()
        log_in(page, contact, TEST_PASSWORD)
        return page

    # 1. Staff start the project from the passed motion's page. First, what the plan and the dashboard show.
    staff = phone(STAFF)
    errors = watch_console(staff)
    completed_before, balance_before = _completed_this_month(staff), _fund_balance(staff)
    staff.goto(f"/motions/{found['motion']}")
    staff.get_by_role("link", name=zh("Start the project")).click()
    expect(staff).to_have_url(re.compile(r"/projects/new\?motion=\d+$"))
    staff.get_by_label(label(zh("Title"))).fill("1141弄口休息座椅")
    staff.get_by_role("radio", name=zh("A person"), exact=True).check()
    staff.get_by_label(label_starting(zh("Number of the lead (person, shop or group)"))).fill(str(found["staff"]))
    staff.get_by_role("button", name=zh("Start the project")).click()
    expect(staff).to_have_url(re.compile(r"/projects/\d+#?$"))
    project_url = _path(staff).split("#")[0]
    expect(staff.get_by_role("heading", level=1)).to_have_text("1141弄口休息座椅")
    expect(staff.get_by_role("status")).to_contain_text(
        zh("The project is started. Its lead and the proposal's supporters have been told.")
    )

    # 2. Two milestones; the first is marked done, so progress moves.
    for title, days, weight in (("采购座椅", 7, "1"), ("安装座椅", 14, "3")):
        staff.locator("summary", has_text=zh("Add a milestone")).click()
        staff.get_by_label(label(zh("Milestone"))).fill(title)
        staff.get_by_label(label(zh("Due on"))).fill((block_today() + dt.timedelta(days=days)).isoformat())
        staff.get_by_label(label(zh("Weight (how much of the work it is)"))).fill(weight)
        staff.get_by_role("button", name=zh("Add the milestone")).click()
        expect(staff.get_by_role("status")).to_contain_text(zh("The milestone is added."))
    staff.locator(".milestone", has_text="采购座椅").get_by_role("button", name=zh("Mark done")).click()
    expect(staff.locator('[data-section="progress"]')).to_contain_text("25%")

    # 3. Staff allocate from the fund by the motion; the lead records a spending with its receipt photo.
    staff.locator("summary", has_text=zh("Allocate from the fund")).click()
    staff.locator("#allocation").get_by_label(label_starting(zh("Amount in yuan"))).fill("5000")
    staff.locator("#allocation").get_by_role("button", name=zh("Allocate")).click()
    expect(staff.get_by_role("status")).to_contain_text(zh("The money is allocated to the project."))
    staff.locator("summary", has_text=zh("Record a spending")).click()
    spending = staff.locator("#spending")
    spending.get_by_label(label_starting(zh("Amount in yuan"))).fill("1200")
    spending.get_by_label(label_starting(zh("What for (e.g. materials, labour)"))).fill("防腐木座椅")
    spending.get_by_label(label_starting(zh("Photo of the receipt"))).set_input_files(
        files=[{"name": "receipt.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    spending.get_by_role("button", name=zh("Record the spending")).click()
    expect(staff.get_by_role("status")).to_contain_text(zh("The spending is recorded."))
    expect(staff.locator('[data-section="money"] img')).to_have_count(1)

    # 4. The work goes on, and once it is done nobody completes it without a maintainer.
    staff.get_by_role("radio", name=zh("In progress"), exact=True).check()
    staff.locator("#state").get_by_role("button", name=zh("Change the state")).click()
    expect(staff.locator('[data-section="state"]')).to_have_text(zh("In progress"))
    staff.get_by_role("radio", name=zh("Completed"), exact=True).check()
    staff.locator("#state").get_by_role("button", name=zh("Change the state")).click()
    expect(staff.locator("#e-state")).to_contain_text(
        zh("A project is completed only once someone maintains it afterwards: name the maintainer first.")
    )
    maintainer = staff.locator("#maintainer")
    maintainer.get_by_role("radio", name=zh("A person"), exact=True).check()
    maintainer.get_by_label(label(zh("Number of the person, shop or group"))).fill(str(found["staff"]))
    maintainer.get_by_label(label(zh("Duties, in words"))).fill("每周擦洗座椅，松动时报修。")
    maintainer.get_by_role("button", name=zh("Name the maintainer")).click()
    expect(staff.locator('[data-section="maintainer"]')).to_contain_text("每周擦洗座椅")
    staff.get_by_role("radio", name=zh("Completed"), exact=True).check()
    staff.locator("#state").get_by_role("button", name=zh("Change the state")).click()
    expect(staff.locator('[data-section="state"]')).to_have_text(zh("Completed"))
    errors.clear()  # the refused completion above answered 422, as it should; the page now must be clean
    staff.reload()
    problems = phone_problems(staff, axe, errors)
    assert not problems, "\n".join(problems)

    # 5. Three residents it serves evaluate it from the inbox notice, once each.
    for number, (_name, contact) in enumerate(RESIDENTS, start=1):
        resident = phone(contact)
        resident_errors = watch_console(resident)
        resident.goto("/inbox")
        resident.get_by_role("link", name="1141弄口休息座椅").first.click()
        expect(resident).to_have_url(re.compile(re.escape(project_url) + "$"))
        form = resident.locator('[data-section="evaluation-form"]')
        expect(form.locator("input:checked")).to_have_count(0)  # nothing preselected
        form.get_by_role("radio", name=zh("Yes, solved") if number < 3 else zh("Partly"), exact=True).check()
        form.get_by_role("radio", name="5" if number < 3 else "3", exact=True).check()
        form.get_by_label(zh("Comment (optional)")).fill(f"第{number}位居民：座椅很实用。")
        form.get_by_role("button", name=zh("Send my evaluation")).click()
        expect(resident.get_by_role("status")).to_contain_text(zh("Thank you: your evaluation is recorded."))
        expect(resident.locator('[data-section="evaluation-form"]')).to_have_count(0)
        if number == 1:
            problems = phone_problems(resident, axe, resident_errors)
            assert not problems, "\n".join(problems)
    results = staff.context.new_page()
    results.goto(project_url)
    expect(results.locator('[data-section="results"]')).to_contain_text("3")
    expect(results.locator('[data-section="results"]')).to_contain_text("第1位居民")

    # 6. The plan's indicators count the completed project this month, and the dashboard's fund balance fell
    #    by the spending.
    assert completed_before == 0 and _completed_this_month(results) == 1
    assert _fund_balance(results) < balance_before
