"""The dashboard, a plan's indicators, the open data downloads and /staff/loop, through HTTP."""

import csv
import io

import pytest

from block_service.insights.opendata import open_files
from block_service.web.shared_pages import forget_all
from tests.council_helpers import zh
from tests.helpers import make_person, make_thread, text_of
from tests.insights_helpers import history
from tests.plans_helpers import file, resident

BOM = "\ufeff"


async def _staff_browser(browser_factory, language="zh-Hans"):
    await make_person("工作站小李", "li@staff.example", roles=("staff",))
    browser = browser_factory(language)
    await browser.log_in("li@staff.example")
    return browser


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:])))


async def test_a_plan_page_shows_each_indicator_as_a_chart_with_title_summary_and_table(db, browser):
    await history()
    page = await browser.get("/plans/safety")
    assert page.status_code == 200
    html = page.text
    for label in (
        "Open reports in its categories",
        "Median days from report to resolved",
        "Fixes the reporter rated fixed",
        "Proposals passed by the council",
    ):
        assert zh(label) in html
    assert html.count('role="img"') == 7 and html.count('<title id="indicator-') == 7
    assert zh("Yuan spent from the autonomous fund") in html
    assert html.count("<table") >= 4 and "2026-10" in html and zh("The numbers") in html
    assert 'data-section="indicators"' in html


async def test_the_plan_indicators_json(db, browser):
    await history()
    answer = await browser.get("/api/plans/safety/indicators")
    assert answer.status_code == 200
    body = answer.json()
    assert body["slug"] == "safety" and len(body["months"]) == 12
    assert [s["key"] for s in body["series"]] == [
        "open_reports",
        "resolve_days",
        "fixed_share",
        "proposals_passed",
        "projects_completed",
        "pledges_delivered",
        "funds_spent",
    ]
    assert all(len(s["values"]) == 12 for s in body["series"])
    missing = await browser_get_json(browser, "/api/plans/no-such-plan/indicators")
    assert missing.status_code == 404
    bad = await browser.get("/api/plans/Not_A_Slug/indicators")
    assert bad.status_code == 400
    schema = (await browser.get("/schema/openapi.json")).json()
    assert "/api/plans/{slug}/indicators" in schema["paths"] and "/api/dashboard" in schema["paths"]


async def browser_get_json(browser, url):
    return await browser.get(url, headers={"accept": "application/json"})


async def test_the_dashboard_for_everyone_and_more_for_staff(db, browser_factory):
    await history()
    visitor = browser_factory("zh-Hans")
    page = await visitor.get("/dashboard")
    assert page.status_code == 200
    text = text_of(page.text)
    assert zh("Time to resolve") in text and zh("Overdue") in text and "环境共治" in text
    assert zh("Workload per staff member") not in text and zh("Deadline breaches") not in text
    assert page.text.count(">" + zh("Download as CSV") + "<") == 4
    staff = await _staff_browser(browser_factory)
    staff_page = await staff.get("/dashboard")
    assert zh("Workload per staff member") in staff_page.text and zh("Deadline breaches") in staff_page.text
    api = (await visitor.get("/api/dashboard")).json()
    assert {"road", "resolve_days", "overdue", "plans"} <= set(api)
    assert "workload" not in api and len(api["plans"]) == 6


async def test_each_chart_has_its_numbers_as_csv_and_staff_charts_stay_with_staff(db, browser_factory):
    await history()
    visitor = browser_factory("zh-Hans")
    road = _csv(await visitor.get("/dashboard/road.csv"))
    assert road[0] == ["segment", "first_number", "last_number", "reports_last_90_days"]
    for chart in ("resolve.csv", "overdue.csv", "plans.csv"):
        response = await visitor.get(f"/dashboard/{chart}")
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    refused = await visitor.get("/dashboard/workload.csv")
    assert refused.status_code == 403
    resident_browser = browser_factory("en")
    await make_person("居民", "13900001234")
    await resident_browser.log_in("13900001234")
    assert (await resident_browser.get("/dashboard/breaches.csv")).status_code == 403
    staff = await _staff_browser(browser_factory)
    assert _csv(await staff.get("/dashboard/workload.csv"))[0] == ["staff_member", "open_threads", "overdue_threads"]
    assert (await visitor.get("/dashboard/other.csv")).status_code == 400


async def test_open_data_lists_streams_and_describes_every_file(db, browser):
    await history()
    page = await browser.get("/data")
    assert page.status_code == 200 and "datapackage.json" in page.text
    coming = [f.name for f in open_files() if f.coming]
    for name in coming:  # listed without a link until their domain is built; not in the package, a 404 meanwhile
        assert name in page.text and f'href="/data/{name}"' not in page.text
        assert (await browser.get(f"/data/{name}")).status_code == 404
    package = (await browser.get("/data/datapackage.json")).json()
    names = [resource["path"].rsplit("/", 1)[1] for resource in package["resources"]]
    assert {
        "threads.csv",
        "proposals.csv",
        "motions.csv",
        "roll_calls.csv",
        "meetings.csv",
        "plan_indicators.csv",
        "fund_ledger.csv",
        "pledges.csv",
        "projects.csv",
        "milestones.csv",
    } <= set(names)
    for resource, name in zip(package["resources"], names, strict=True):
        response = await browser.get(f"/data/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith("text/csv")
        assert f'filename="{name}"' in response.headers["content-disposition"]
        rows = _csv(response)
        assert rows[0] == [field["name"] for field in resource["schema"]["fields"]], name
        assert all(len(row) == len(rows[0]) for row in rows), name
    threads = _csv(await browser.get("/data/threads.csv"))
    assert len(threads) == 1 + 6  # the hidden report is not published
    assert (await browser.get("/data/nothing.csv")).status_code == 404
    assert (await browser.get("/data/..%2Fsecret.csv")).status_code in (400, 404)


async def test_staff_loop_lists_stuck_items_oldest_first(db, browser_factory):
    made = await history()
    staff = await _staff_browser(browser_factory)
    page = await staff.get("/staff/loop")
    assert page.status_code == 200
    text = page.text
    assert zh("Reports waiting for a first answer") in text and "BLOCK_STUCK_ANSWER_DAYS" in text
    d, f = text.find(f'/threads/{made["threads"]["F"]}"'), text.find(f'/threads/{made["threads"]["C"]}"')
    assert 0 < d < f  # F waits since October, C since November


@pytest.mark.parametrize("url", ["/dashboard", "/plans/safety"])
async def test_dashboard_and_plan_page_take_a_constant_number_of_statements(db, browser_factory, count_queries, url):
    staff = await _staff_browser(browser_factory)
    visitor = browser_factory()
    for browser in (visitor, staff):
        await browser.get(url)  # the first request fills what every page shares (the segments, the categories)
    counts = []
    for round_ in range(2):
        if round_:
            await history()
            author = await resident("又一位")
            for index in range(5):
                await make_thread(author.person_id, title=f"第{index}条新的反映", house_number="1021号")
                await file(author, "safety", title=f"第{index}个安全提议")
        row = []
        for browser in (visitor, staff):
            forget_all()
            count_queries.statements.clear()
            assert (await browser.get(url)).status_code == 200
            row.append(count_queries.count)
        counts.append(row)
    assert counts[0] == counts[1]


async def test_a_small_open_data_file_is_kept_until_a_write_and_a_large_one_streams_the_same(
    db, browser, count_queries, monkeypatch
):
    from block_service.insights import opendata
    from tests.test_shared_pages import caught_up, following_changes

    async with following_changes():
        await history()
        await caught_up()
        first = await browser.get("/data/threads.csv")
        count_queries.statements.clear()
        again = await browser.get("/data/threads.csv")
        assert again.content == first.content and count_queries.count == 0  # kept whole, no statement
        author = await resident("新居民")
        await make_thread(author.person_id, title="新的反映：门口占道", house_number="1143号")
        await caught_up()
        fresh = await browser.get("/data/threads.csv")
        assert len(_csv(fresh)) == len(_csv(first)) + 1 and "新的反映：门口占道" in fresh.content.decode("utf-8-sig")
        monkeypatch.setattr(opendata, "KEEP_WHOLE_BYTES", 100)  # larger than that: streamed batch by batch
        forget_all()
        streamed = await browser.get("/data/threads.csv")
        assert streamed.content == fresh.content and "content-length" not in streamed.headers
        count_queries.statements.clear()
        await browser.get("/data/threads.csv")
        assert count_queries.count >= 1  # read again


async def test_a_kept_dashboard_changes_after_a_write(db, browser):
    before = (await browser.get("/api/dashboard")).json()
    author = await resident("新居民")
    await make_thread(author.person_id, title="新的反映：门口占道", house_number="1143号")
    after = (await browser.get("/api/dashboard")).json()
    assert (
        sum(s["reports"] for s in after["road"]["segments"])
        == sum(s["reports"] for s in before["road"]["segments"]) + 1
    )


async def test_english_pages_and_refusals_in_the_persons_language(db, browser_factory):
    english = browser_factory("en")
    assert "How the block is doing" in (await english.get("/dashboard")).text
    assert "Open data" in (await english.get("/data")).text
    chinese = browser_factory("zh-Hans")
    missing = await chinese.get("/api/plans/no-such-plan/indicators")
    assert missing.status_code == 404 and missing.json()["detail"] == zh("No such plan.")
    refused = await chinese.get("/dashboard/workload.csv")
    assert refused.status_code == 403
    assert zh("Only the workstation's staff see the workload and deadline breaches.") in refused.text
    nothing = await english.get("/data/nothing.csv")
    assert nothing.status_code == 404 and "There is no such file in the open data." in nothing.text
