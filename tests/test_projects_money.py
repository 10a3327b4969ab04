"""A small project's money from the fund ledger (allocation, spending with a receipt, refusals that change
nothing) and a mini project's pledges (goals, progress, none on a cancelled project)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from block_service.clock import block_today
from block_service.errors import Conflict
from block_service.funds.tables import FundEntry
from block_service.pledges import services as pledges
from block_service.pledges.schemas import PledgeForm
from block_service.projects import lifecycle, money, pledging
from block_service.projects.schemas import GoalsForm, StateForm
from block_service.projects.tables import ProjectReceipt
from tests.funds_helpers import funded_year
from tests.helpers import make_person, text_of, viewer_for
from tests.plans_helpers import age, resident
from tests.project_helpers import started_project


def _jpeg() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 140, 90)).save(output, "JPEG")
    return output.getvalue()


async def _staff_browser(browser_factory, contact: str):
    person = await make_person("工作站", contact, roles=("staff",))
    browser = browser_factory("zh-Hans")
    await browser.log_in(contact)
    await browser.post("/language", {"language": "zh-Hans", "next": "/"})
    return viewer_for(person, "staff"), browser


async def _spend(browser, project_id: int, amount: str, receipt: bool = True):
    files = (
        [("receipt", ("receipt.jpg", _jpeg(), "image/jpeg"))] if receipt else [("other", ("x.txt", b"x", "text/plain"))]
    )
    return await browser.client.post(
        f"/projects/{project_id}/spending",
        data={"amount": amount, "category": "材料", "spent_on": block_today().isoformat(), "note": "座椅两张"},
        files=files,
        headers={"x-csrftoken": await browser.csrf_token()},
    )


async def test_a_small_project_spends_its_allocation_with_receipts_and_never_more(db, browser_factory):
    staff, browser = await _staff_browser(browser_factory, "money-staff@test.example")
    await funded_year(staff, block_today().year, "200000")
    project_id = await started_project(staff, size="small", budget_cap=6000)
    allocated = await browser.post(f"/projects/{project_id}/allocation", {"allocation_amount": "5000"})
    assert allocated.status_code == 303
    assert (await _spend(browser, project_id, "1200.50")).status_code == 303
    page = await browser.get(f"/projects/{project_id}")
    assert 'data-section="money"' in page.text and "1,200.50" in page.text
    receipt = (await ProjectReceipt.select(ProjectReceipt.file_name).first())["file_name"]
    assert f"/projects/photos/{receipt}" in page.text
    entries = await FundEntry.count()

    too_much = await _spend(browser, project_id, "4000")
    assert too_much.status_code == 422
    negative = await _spend(browser, project_id, "-5")
    assert negative.status_code == 422
    no_receipt = await _spend(browser, project_id, "10", receipt=False)
    assert no_receipt.status_code == 422 and "收据" in text_of(no_receipt.text)
    assert await FundEntry.count() == entries and await ProjectReceipt.count() == 1
    over_cap = await browser.post(f"/projects/{project_id}/allocation", {"allocation_amount": "2000"})
    assert over_cap.status_code == 422
    figures = await money.money_of(project_id)
    assert (figures.allocated_fen, figures.spent_fen) == (500_000, 120_050)


async def test_only_staff_allocate_and_only_managers_spend(db, browser_factory):
    staff = viewer_for(await make_person("工作站", "money2@test.example", roles=("staff",)), "staff")
    project_id = await started_project(staff, size="small", budget_cap=6000)
    someone = await make_person("居民", "13900000031")
    await age(someone)
    browser = browser_factory("zh-Hans")
    await browser.log_in("13900000031")
    assert (await browser.post(f"/projects/{project_id}/allocation", {"allocation_amount": "100"})).status_code == 403
    assert (await _spend(browser, project_id, "10")).status_code == 403


async def test_a_mini_project_sets_goals_and_a_cancelled_one_takes_no_pledges(db):
    staff = viewer_for(await make_person("工作站", "pledge@test.example", roles=("staff",)), "staff")
    project_id = await started_project(staff, size="mini", budget_cap=None)
    await pledging.set_goal(staff, project_id, GoalsForm(kind="money", quantity=500))
    await pledging.set_goal(staff, project_id, GoalsForm(kind="hours", quantity=20))
    neighbour = await resident("热心街坊")
    await pledges.pledge(neighbour, pledging.subject_of(project_id), PledgeForm(kind="money", quantity=200))
    rows = {row.kind: row for row in await pledges.progress(pledging.subject_of(project_id))}
    assert (rows["money"].goal, rows["money"].promised, rows["hours"].goal) == (500, 200, 20)
    await lifecycle.change_state(staff, project_id, StateForm(state="cancelled", reason="场地不再可用"))
    with pytest.raises(Conflict) as refused:
        await pledges.pledge(neighbour, pledging.subject_of(project_id), PledgeForm(kind="money", quantity=100))
    assert refused.value.message == "This no longer takes pledges."
    assert sum(row.promised for row in await pledges.progress(pledging.subject_of(project_id))) == 200


async def test_the_pledge_panel_shows_on_a_mini_project_and_refuses_a_cancelled_one(db, browser_factory):
    staff = viewer_for(await make_person("工作站", "pledge2@test.example", roles=("staff",)), "staff")
    project_id = await started_project(staff, size="mini", budget_cap=None)
    await pledging.set_goal(staff, project_id, GoalsForm(kind="hours", quantity=20))
    person = await make_person("街坊", "13900000041")
    await age(person)
    browser = browser_factory("zh-Hans")
    await browser.log_in("13900000041")
    page = await browser.get(f"/projects/{project_id}")
    assert f'id="pledges-project-{project_id}"' in page.text
    ok = await browser.post(
        "/pledges", {"subject_kind": "project", "subject_id": str(project_id), "kind": "hours", "quantity": "3"}
    )
    assert ok.status_code == 303
    await lifecycle.change_state(staff, project_id, StateForm(state="cancelled", reason="场地不再可用"))
    refused = await browser.post(
        "/pledges", {"subject_kind": "project", "subject_id": str(project_id), "kind": "hours", "quantity": "3"}
    )
    assert refused.status_code == 409
