"""Fund routes: the public page and API, staff recording income and corrections, refusals in the reader's language."""

from __future__ import annotations

import datetime as dt

from block_service.funds import register_project_describer, services
from block_service.funds.demo import seed_demo_funds, seed_demo_project_money
from block_service.funds.tables import FundEntry
from block_service.web.shared_pages import forget_all
from tests.council_helpers import staff_viewer, zh
from tests.funds_helpers import funded_year, passed_motion
from tests.helpers import make_person, text_of, viewer_for


async def _staff_browser(browser_factory, language: str = "zh-Hans"):
    staff_id = await make_person("工作站", "staff@test.example", roles=("staff",))
    browser = browser_factory(language)
    await browser.log_in("staff@test.example")
    return viewer_for(staff_id, "staff"), browser


async def test_the_public_page_shows_the_years_figures_chart_and_ledger(browser_factory, db):
    staff = await staff_viewer()
    await seed_demo_funds(staff)
    register_project_describer(lambda ids: {pid: (f"项目{pid}号", f"/projects/{pid}") for pid in ids})
    await seed_demo_project_money(
        staff, 3, await passed_motion(budget_cap=30_000), 25_000, ((6_000, "材料", dt.date(2026, 10, 8), "花箱"),)
    )
    response = await browser_factory().get("/funds?year=2026")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "211,800.00" in page and "25,000.00" in page and "6,000.00" in page and "205,800.00" in page
    assert "<svg" in response.text and "<title" in response.text
    assert "项目3号" in page and "凌岩街道2026年度自治金拨款" in page
    english = text_of((await browser_factory("en").get("/funds?year=2026")).text)
    assert "Street allocation" in english and "Balance" in english


async def test_the_ledger_pages_with_a_constant_number_of_statements(browser_factory, db, count_queries):
    staff = await staff_viewer()
    await funded_year(staff)
    browser = browser_factory()
    await browser.get("/funds?year=2026")
    forget_all()  # measure the pages as rendered, not their kept copies
    count_queries.statements.clear()
    await browser.get("/funds?year=2026")
    few = count_queries.count
    assert few > 0
    for n in range(40):
        await services.record_income(staff, services_income(n))
    forget_all()
    count_queries.statements.clear()
    response = await browser.get("/funds?year=2026&page=2", headers={"hx-request": "true"})
    assert response.status_code == 200 and 'id="ledger"' in response.text
    forget_all()
    count_queries.statements.clear()
    await browser.get("/funds?year=2026")
    assert count_queries.count == few


def services_income(n: int):
    from block_service.funds.schemas import IncomeForm

    return IncomeForm(year=2026, source="donation", amount=str(100 + n), note=f"第{n}笔捐赠")


async def test_the_api_answers_in_fen_and_is_in_the_schema(browser_factory, db):
    staff = await staff_viewer()
    await funded_year(staff)
    browser = browser_factory()
    answer = (await browser.get("/api/funds?year=2026")).json()
    assert answer["figures"]["income_fen"] == 20_000_000 and answer["figures"]["balance_fen"] == 20_000_000
    assert answer["entries"]["items"][0]["kind"] == "income" and answer["years"] == [2026]
    schema = (await browser.get("/schema/openapi.json")).json()
    assert "/api/funds" in schema["paths"]
    assert (await browser.get("/api/funds?year=99999")).status_code == 400


async def test_staff_record_income_and_corrections(browser_factory, db):
    _staff, browser = await _staff_browser(browser_factory)
    response = await browser.post("/staff/funds/income", {"year": "2026", "source": "street", "amount": "200000"})
    assert response.status_code == 303
    entry = await FundEntry.select(FundEntry.id, FundEntry.amount_fen).first()
    assert entry["amount_fen"] == 20_000_000
    response = await browser.post(
        "/staff/funds/corrections", {"entry_id": str(entry["id"]), "amount": "-100", "note": "拨款到账少100元"}
    )
    assert response.status_code == 303
    assert (await services.balance(2026)).income_fen == 19_990_000
    page = text_of((await browser.get("/staff/funds")).text)
    assert zh("Correct an entry") in page


async def test_bad_input_is_refused_in_the_readers_language_and_changes_nothing(browser_factory, db):
    _staff, browser = await _staff_browser(browser_factory)
    response = await browser.post("/staff/funds/income", {"year": "2026", "source": "street", "amount": "-5"})
    assert response.status_code == 422
    assert zh("Enter an amount in yuan, like 1200 or 1200.50.") in text_of(response.text)
    response = await browser.post("/staff/funds/income", {"year": "2026", "source": "street", "amount": "0"})
    assert response.status_code == 422 and zh("Enter an amount greater than zero.") in text_of(response.text)
    response = await browser.post("/staff/funds/income", {"year": "1999", "source": "street", "amount": "10"})
    assert response.status_code == 422
    response = await browser.post("/staff/funds/corrections", {"entry_id": "98765", "amount": "-1", "note": "不存在"})
    assert response.status_code == 404
    assert zh("There is no ledger entry %(id)s to correct.", id=98765) in text_of(response.text)
    assert await FundEntry.count() == 0


async def test_overspending_is_refused_with_the_amount_left(db):
    staff = await staff_viewer()
    await funded_year(staff, yuan="1000")
    await services.allocate(staff, 2026, 4, await passed_motion(budget_cap=1000), 500_00)
    from block_service.errors import Invalid

    try:
        await services.spend(None, 4, 500_01, "材料", dt.date(2026, 11, 1), None)
    except Invalid as refused:
        assert zh(refused.message, **refused.params) == zh(
            "The project has only %(left)s yuan of its allocation left.", left="500.00"
        )
    else:
        raise AssertionError("overspending was not refused")


async def test_only_staff_reach_the_staff_routes(browser_factory, db):
    await make_person("居民", "13900000001")
    resident = browser_factory()
    await resident.log_in("13900000001")
    assert (await resident.get("/staff/funds")).status_code == 403
    response = await resident.post("/staff/funds/income", {"year": "2026", "source": "street", "amount": "10"})
    assert response.status_code == 403
    assert (await browser_factory().get("/funds")).status_code == 200
    assert await FundEntry.count() == 0


async def test_the_demo_block_has_a_funded_year(browser_factory, db):
    from block_service.seed import seed_demo

    assert await seed_demo()
    figures = await services.balance(2026)
    assert figures.income_fen == 211_800_00  # the street's 200,000 yuan and two donations
    # the demo projects' allocations and spending (block_service/projects/demo.py) come off it
    assert 0 < figures.spent_fen <= figures.allocated_fen < figures.income_fen
    assert figures.balance_fen == figures.income_fen - figures.spent_fen
    response = await browser_factory().get("/funds?year=2026")
    assert "凌岩街道2026年度自治金拨款" in text_of(response.text)
