"""Demo fund: the 2026 street allocation and two donations; projects add their allocations and spending."""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.funds import ledger
from block_service.funds.schemas import IncomeForm
from block_service.funds.tables import FundEntry

DEMO_INCOME = (
    ("street", "200000", "凌岩街道2026年度自治金拨款"),
    ("donation", "8800", "沿街商户联谊会捐赠，用于弄口绿化"),
    ("donation", "3000", "居民众筹，用于社区议事角桌椅"),
)


async def seed_demo_funds(staff: Viewer, year: int = 2026) -> None:
    """The year's income; nothing when the ledger has entries already."""
    if await FundEntry.exists():
        return
    for source, amount, note in DEMO_INCOME:
        await ledger.record_income(staff, IncomeForm(year=year, source=source, amount=amount, note=note))


async def seed_demo_project_money(
    staff: Viewer,
    project_id: int,
    motion_id: int,
    allocated_yuan: int,
    spendings: tuple[tuple[int, str, dt.date, str], ...] = (),
    *,
    year: int = 2026,
) -> None:
    """For the projects demo: allocate to a project by its passed motion, then record its spendings
    ((yuan, category, date, note) each), as the lead would. The motion must be passed with a budget cap."""
    await ledger.allocate(staff, year, project_id, motion_id, allocated_yuan * 100, "按理事会决议拨付")
    for amount, category, spent_on, note in spendings:
        await ledger.spend(staff.person_id, project_id, amount * 100, category, spent_on, None, note)
