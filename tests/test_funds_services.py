"""The fund ledger's rules: income, allocation by a passed motion, spending within allocation and balance,
corrections as new entries, every entry audited; and the balance never negative under concurrent spending."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from block_service.audit.tables import AuditEntry
from block_service.errors import Forbidden, Invalid, NotFound
from block_service.funds import services
from block_service.funds.schemas import CorrectionForm, IncomeForm
from block_service.funds.tables import FundEntry
from tests.council_helpers import staff_viewer
from tests.funds_helpers import funded_year, passed_motion
from tests.helpers import make_person, viewer_for

TODAY = dt.date(2026, 11, 20)


async def test_income_allocation_and_spending_make_the_years_figures(db):
    staff = await staff_viewer()
    await funded_year(staff)
    await services.record_income(staff, IncomeForm(year=2026, source="donation", amount="5000.50"))
    motion = await passed_motion(budget_cap=30_000)
    await services.allocate(staff, 2026, 7, motion, 3_000_000, "充电桩项目")
    await services.spend(staff.person_id, 7, 1_250_000, "材料", TODAY, None, "充电桩4个")
    figures = await services.balance(2026)
    assert (figures.income_fen, figures.allocated_fen, figures.spent_fen) == (20_500_050, 3_000_000, 1_250_000)
    assert (figures.available_fen, figures.balance_fen) == (17_500_050, 19_250_050)
    money = await services.project_money([7, 8])
    assert (money[7].allocated_fen, money[7].spent_fen, money[7].remaining_fen) == (3_000_000, 1_250_000, 1_750_000)
    assert money[8].allocated_fen == 0
    actions = sorted(r["action"] for r in await AuditEntry.select(AuditEntry.action) if r["action"].startswith("fund."))
    assert actions == ["fund.allocation", "fund.income", "fund.income", "fund.spending"]


async def test_bad_amounts_are_refused_with_a_reason(db):
    staff = await staff_viewer()
    for text in ("0", "-5", "abc", "1.234", "999999999"):
        with pytest.raises(Invalid) as refused:
            await services.record_income(staff, IncomeForm(year=2026, source="street", amount=text))
        assert refused.value.field == "amount"
    with pytest.raises(Invalid) as refused:
        await services.record_income(staff, IncomeForm(year=2026, source="street", amount="-5"))
    assert refused.value.message == "Enter an amount in yuan, like 1200 or 1200.50."
    with pytest.raises(Invalid) as refused:
        await services.record_income(staff, IncomeForm(year=2026, source="street", amount="0"))
    assert refused.value.message == "Enter an amount greater than zero."
    resident = viewer_for(await make_person(), "resident")
    with pytest.raises(Forbidden):
        await services.record_income(resident, IncomeForm(year=2026, source="street", amount="100"))
    assert await FundEntry.count() == 0


async def test_allocation_needs_a_passed_motion_within_its_cap_and_the_available_money(db):
    staff = await staff_viewer()
    await funded_year(staff, yuan="40000")
    rejected = await passed_motion(result="rejected")
    with pytest.raises(Invalid) as refused:
        await services.allocate(staff, 2026, 1, rejected, 100_00)
    assert refused.value.message == "Only a motion the council passed can allocate funds."
    no_cap = await passed_motion(budget_cap=None)
    with pytest.raises(Invalid) as refused:
        await services.allocate(staff, 2026, 1, no_cap, 100_00)
    assert refused.value.message == "The motion sets no budget cap, so nothing can be allocated by it."
    with pytest.raises(NotFound):
        await services.allocate(staff, 2026, 1, 98765, 100_00)
    capped = await passed_motion(budget_cap=30_000)
    await services.allocate(staff, 2026, 1, capped, 20_000_00)
    with pytest.raises(Invalid) as refused:
        await services.allocate(staff, 2026, 2, capped, 10_000_01)  # 1 fen beyond what the cap leaves
    assert refused.value.message == "The motion's budget cap leaves %(left)s yuan to allocate."
    assert refused.value.params == {"left": "10,000.00"}
    big = await passed_motion(budget_cap=100_000)
    with pytest.raises(Invalid) as refused:
        await services.allocate(staff, 2026, 3, big, 20_000_01)  # 40,000 income, 20,000 allocated
    assert refused.value.message == "Only %(available)s yuan of the %(year)s fund is available."
    with pytest.raises(Invalid):
        await services.allocate(staff, 2026, 3, big, 0)
    with pytest.raises(Forbidden):
        await services.allocate(viewer_for(await make_person(), "resident"), 2026, 3, big, 100)
    assert await FundEntry.count().where(FundEntry.kind == "allocation") == 1


async def test_spending_stays_within_the_allocation(db):
    staff = await staff_viewer()
    await funded_year(staff)
    with pytest.raises(Invalid) as refused:
        await services.spend(staff.person_id, 5, 100, "材料", TODAY, None)
    assert refused.value.message == "This project has no allocation from the fund."
    await services.allocate(staff, 2026, 5, await passed_motion(), 1_000_00)
    await services.spend(staff.person_id, 5, 600_00, "材料", TODAY, 12)
    with pytest.raises(Invalid) as refused:
        await services.spend(staff.person_id, 5, 400_01, "人工", TODAY, None)
    assert refused.value.message == "The project has only %(left)s yuan of its allocation left."
    assert refused.value.params == {"left": "400.00"}
    with pytest.raises(Invalid) as refused:
        await services.spend(staff.person_id, 5, -1, "人工", TODAY, None)
    assert refused.value.message == "Enter an amount greater than zero."
    with pytest.raises(Invalid) as refused:
        await services.spend(staff.person_id, 5, 100, "  ", TODAY, None)
    assert refused.value.field == "category"
    with pytest.raises(Invalid) as refused:
        await services.spend(staff.person_id, 5, 100, "人工", dt.date(2099, 1, 1), None)
    assert refused.value.field == "spent_on"
    assert (await services.project_money([5]))[5].spent_fen == 600_00


async def test_corrections_are_new_entries_and_keep_the_rules(db):
    staff = await staff_viewer()
    income = await funded_year(staff, yuan="10000")
    allocation = await services.allocate(staff, 2026, 5, await passed_motion(), 8_000_00)
    spending = await services.spend(staff.person_id, 5, 5_000_00, "材料", TODAY, None)
    # A spending typed 500 yuan too high: corrected down by a new entry.
    await services.correct(staff, CorrectionForm(entry_id=spending, amount="-500", note="发票金额录错"))
    assert (await services.project_money([5]))[5].spent_fen == 4_500_00
    assert await FundEntry.count() == 4  # nothing edited, nothing deleted
    with pytest.raises(NotFound) as refused:
        await services.correct(staff, CorrectionForm(entry_id=98765, amount="-1", note="不存在"))
    assert refused.value.message == "There is no ledger entry %(id)s to correct."
    with pytest.raises(Invalid) as refused:  # income below what is allocated
        await services.correct(staff, CorrectionForm(entry_id=income, amount="-3000", note="拨款调整"))
    assert refused.value.message == "After this correction the fund would have allocated or spent more than its income."
    with pytest.raises(Invalid) as refused:  # the allocation below what the project spent
        await services.correct(staff, CorrectionForm(entry_id=allocation, amount="-4000", note="核减"))
    assert refused.value.message == "After this correction the project would have spent more than its allocation."
    with pytest.raises(Invalid) as refused:
        await services.correct(staff, CorrectionForm(entry_id=spending, amount="-9000", note="冲销"))
    assert refused.value.message == "A correction cannot take an entry below zero."
    with pytest.raises(Invalid):
        await services.correct(staff, CorrectionForm(entry_id=spending, amount="0", note="无"))
    assert await FundEntry.count() == 4
    assert await AuditEntry.count().where(AuditEntry.action == "fund.correction") == 1


async def test_the_balance_never_goes_negative_under_50_concurrent_spendings(db):
    staff = await staff_viewer()
    await funded_year(staff, yuan="1000")
    motion = await passed_motion(budget_cap=1000)
    await services.allocate(staff, 2026, 9, motion, 1_000_00)
    results = await asyncio.gather(
        *[services.spend(staff.person_id, 9, 30_00, "材料", TODAY, None) for _ in range(50)], return_exceptions=True
    )
    stored = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, Invalid)]
    assert len(stored) == 33 and len(refused) == 17, [r for r in results if not isinstance(r, int | Invalid)]
    figures = await services.balance(2026)
    assert figures.spent_fen == 33 * 30_00 and figures.balance_fen == 1_000_00 - 33 * 30_00 >= 0
    assert (await services.project_money([9]))[9].remaining_fen == 10_00
