"""Reading the ledger: a year's figures, the entries a page at a time, each project's money."""

from __future__ import annotations

from block_service.clock import block_today
from block_service.funds.hooks import describe_projects
from block_service.funds.ledger import year_sums
from block_service.funds.schemas import EntryOut, FundsOut, ProjectMoney, YearFigures
from block_service.funds.tables import FundEntry, FundYear
from block_service.pagination import Page, clamp

LEDGER_PAGE_SIZE = 30


async def balance(year: int) -> YearFigures:
    """The figures of one year in fen (all zero for a year without entries)."""
    sums = await year_sums(year)
    return YearFigures(
        year=year,
        income_fen=sums["income"],
        allocated_fen=sums["allocation"],
        spent_fen=sums["spending"],
        available_fen=sums["income"] - sums["allocation"],
        balance_fen=sums["income"] - sums["spending"],
    )


async def fund_years() -> list[int]:
    """The years the fund has, newest first."""
    return [row["year"] for row in await FundYear.select(FundYear.year).order_by(FundYear.year, ascending=False)]


async def project_money(project_ids: list[int]) -> dict[int, ProjectMoney]:
    """Allocated and spent per project in fen (projects without entries get zeros), in one statement."""
    ids = sorted(set(project_ids))
    money = {pid: ProjectMoney(project_id=pid, allocated_fen=0, spent_fen=0) for pid in ids}
    if not ids:
        return money
    placeholders = ", ".join(["{}"] * len(ids))
    rows = await FundEntry.raw(
        "SELECT project_id, kind, COALESCE(SUM(amount_fen), 0) AS total FROM fund_entry "
        f"WHERE project_id IN ({placeholders}) AND kind IN ('allocation', 'spending') GROUP BY project_id, kind",
        *ids,
    )
    for row in rows:
        if row["kind"] == "allocation":
            money[row["project_id"]].allocated_fen = int(row["total"])
        else:
            money[row["project_id"]].spent_fen = int(row["total"])
    return money


def _entry(row: dict, projects: dict[int, tuple[str, str]]) -> EntryOut:
    title, url = projects.get(row["project_id"], ("", "")) if row["project_id"] is not None else ("", "")
    return EntryOut(
        id=row["id"],
        year=row["year"],
        kind=row["kind"],
        correction=row["corrects"] is not None,
        corrects=row["corrects"],
        source=row["source"],
        project_id=row["project_id"],
        project_title=title,
        project_url=url,
        motion_id=row["motion_id"],
        amount_fen=row["amount_fen"],
        category=row["category"],
        spent_on=row["spent_on"],
        receipt_photo_id=row["receipt_photo_id"],
        note=row["note"],
        recorded_at=row["recorded_at"],
    )


async def ledger(year: int, page: int = 1) -> Page[EntryOut]:
    """A year's entries, newest first, a page at a time: three statements whatever the page size (the
    projects named through the registered describer in one batch)."""
    page, per_page = clamp(page, LEDGER_PAGE_SIZE)
    columns = (
        FundEntry.id,
        FundEntry.year,
        FundEntry.kind,
        FundEntry.corrects,
        FundEntry.source,
        FundEntry.project_id,
        FundEntry.motion_id,
        FundEntry.amount_fen,
        FundEntry.category,
        FundEntry.spent_on,
        FundEntry.receipt_photo_id,
        FundEntry.note,
        FundEntry.recorded_at,
    )
    rows = (
        await FundEntry.select(*columns)
        .where(FundEntry.year == year)
        .order_by(FundEntry.recorded_at, ascending=False)
        .order_by(FundEntry.id, ascending=False)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    total = await FundEntry.count().where(FundEntry.year == year)
    projects = await describe_projects([row["project_id"] for row in rows if row["project_id"] is not None])
    return Page(items=[_entry(row, projects) for row in rows], page=page, per_page=per_page, total=total)


async def funds_of(year: int | None = None, page: int = 1) -> FundsOut:
    """The public ledger: the asked year, else this year if the fund has it, else the latest year."""
    years = await fund_years()
    if year is None:
        this_year = block_today().year
        year = this_year if this_year in years or not years else years[0]
    return FundsOut(year=year, years=years, figures=await balance(year), entries=await ledger(year, page))
