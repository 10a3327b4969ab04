"""Writing the ledger: income, allocations by a passed motion, spending, corrections; each one audited turn.

Every write holds the ledger's turn while it checks and inserts: on PostgreSQL it locks the fund_year rows
(SELECT ... FOR UPDATE), on SQLite the write transaction is the single writer's turn (db/writes.py). So the
balance never goes negative and a project never overspends, however many requests arrive at once.
"""

from __future__ import annotations

import datetime as dt
import re

from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import block_today, now
from block_service.council.motion_reads import motion_json
from block_service.db import is_sqlite, write_transaction
from block_service.errors import Forbidden, Invalid, NotFound
from block_service.funds.schemas import MAX_FEN, CorrectionForm, IncomeForm
from block_service.funds.tables import FundEntry, FundYear
from block_service.i18n import N_

_YUAN = re.compile(r"^(-?)(\d{1,8})(?:\.(\d{1,2}))?$")


def fen_of(text: str, *, signed: bool = False) -> int:
    """Yuan as typed ("1200", "1200.5") in fen; Invalid unless a positive amount (or non-zero when `signed`)."""
    match = _YUAN.match(text.strip().replace(",", "").replace("，", ""))
    if not match or (match.group(1) and not signed):
        raise Invalid(N_("Enter an amount in yuan, like 1200 or 1200.50."), field="amount")
    fen = int(match.group(2)) * 100 + int((match.group(3) or "0").ljust(2, "0"))
    fen = -fen if match.group(1) else fen
    return checked_fen(fen, signed=signed)


def checked_fen(fen: int, *, signed: bool = False) -> int:
    if fen == 0 or (fen < 0 and not signed):
        raise Invalid(N_("Enter an amount greater than zero."), field="amount")
    if abs(fen) > MAX_FEN:
        raise Invalid(N_("That amount is larger than the fund can hold."), field="amount")
    return fen


def yuan(fen: int) -> str:
    """Fen as yuan for messages: 1234567 -> "12,345.67"."""
    return f"{fen / 100:,.2f}"


async def _take_turn(year: int | None = None) -> None:
    """The ledger's turn: a year row exists for `year` (income opens a year), then every year row is locked."""
    if year is not None:
        await FundYear.raw(
            "INSERT INTO fund_year (year, created_at) VALUES ({}, {}) ON CONFLICT (year) DO NOTHING", year, now()
        )
    if not is_sqlite():  # SQLite: the write transaction is already the only writer
        await FundYear.raw("SELECT id FROM fund_year ORDER BY year FOR UPDATE")


async def year_sums(year: int) -> dict[str, int]:
    """income, allocation, spending of a year in fen, corrections included (one statement)."""
    rows = await FundEntry.raw(
        "SELECT kind, COALESCE(SUM(amount_fen), 0) AS total FROM fund_entry WHERE year = {} GROUP BY kind", year
    )
    sums = {"income": 0, "allocation": 0, "spending": 0}
    sums.update({row["kind"]: int(row["total"]) for row in rows})
    return sums


async def project_sums(project_id: int) -> dict[str, int]:
    rows = await FundEntry.raw(
        "SELECT kind, COALESCE(SUM(amount_fen), 0) AS total FROM fund_entry "
        "WHERE project_id = {} AND kind IN ('allocation', 'spending') GROUP BY kind",
        project_id,
    )
    sums = {"allocation": 0, "spending": 0}
    sums.update({row["kind"]: int(row["total"]) for row in rows})
    return sums


async def _insert(actor_id: int | None, action: str, **values) -> int:
    moment = now()
    rows = await FundEntry.insert(FundEntry(recorded_by=actor_id, recorded_at=moment, **values)).returning(FundEntry.id)
    entry_id = rows[0]["id"]
    after = {key: (value.isoformat() if isinstance(value, dt.date) else value) for key, value in values.items()}
    await record_change(
        actor_id=actor_id, action=action, object_type="fund_entry", object_id=entry_id, after=after, at=moment
    )
    return entry_id


def _require_staff(viewer: Viewer) -> None:
    if not viewer.is_staff:
        raise Forbidden(N_("Only staff keep the fund ledger."))


async def record_income(viewer: Viewer, form: IncomeForm) -> int:
    """Staff record the street's yearly allocation or a donation."""
    _require_staff(viewer)
    fen = fen_of(form.amount)
    async with write_transaction():
        await _take_turn(form.year)
        return await _insert(
            viewer.person_id,
            "fund.income",
            year=form.year,
            kind="income",
            source=form.source,
            amount_fen=fen,
            note=form.note.strip(),
        )


async def allocate(viewer: Viewer, year: int, project_id: int, motion_id: int, amount_fen: int, note: str = "") -> int:
    """Staff allocate part of a year's fund to a project, by a motion the council passed, within its budget cap
    (yuan) and what the year has available. Returns the entry's id."""
    _require_staff(viewer)
    fen = checked_fen(amount_fen)
    motion = await motion_json(motion_id)  # NotFound for a motion that does not exist
    if motion.result != "passed":
        raise Invalid(N_("Only a motion the council passed can allocate funds."), field="motion_id")
    if motion.budget_cap is None:
        raise Invalid(N_("The motion sets no budget cap, so nothing can be allocated by it."), field="motion_id")
    async with write_transaction():
        await _take_turn()
        by_motion = await FundEntry.raw(
            "SELECT COALESCE(SUM(amount_fen), 0) AS total FROM fund_entry WHERE motion_id = {} AND kind = 'allocation'",
            motion_id,
        )
        left_on_motion = motion.budget_cap * 100 - int(by_motion[0]["total"])
        if fen > left_on_motion:
            raise Invalid(
                N_("The motion's budget cap leaves %(left)s yuan to allocate."),
                field="amount",
                left=yuan(left_on_motion),
            )
        sums = await year_sums(year)
        available = sums["income"] - sums["allocation"]
        if fen > available:
            raise Invalid(
                N_("Only %(available)s yuan of the %(year)s fund is available."),
                field="amount",
                available=yuan(max(available, 0)),
                year=year,
            )
        return await _insert(
            viewer.person_id,
            "fund.allocation",
            year=year,
            kind="allocation",
            project_id=project_id,
            motion_id=motion_id,
            amount_fen=fen,
            note=note.strip(),
        )


async def spend(
    viewer_id: int | None,
    project_id: int,
    amount_fen: int,
    category: str,
    spent_on: dt.date,
    receipt_photo_id: int | None,
    note: str = "",
) -> int:
    """Record a project's spending, charged to the year of its latest allocation. No role check here: the
    projects domain decides who may spend for a project. Refused beyond the project's remaining allocation or
    the year's balance."""
    fen = checked_fen(amount_fen)
    category = category.strip()
    if not category or len(category) > 30:
        raise Invalid(N_("Name what the money was spent on (at most 30 characters)."), field="category")
    if spent_on > block_today():
        raise Invalid(N_("A spending cannot be dated in the future."), field="spent_on")
    async with write_transaction():
        await _take_turn()
        latest = await FundEntry.raw(
            "SELECT MAX(year) AS year FROM fund_entry WHERE project_id = {} AND kind = 'allocation'", project_id
        )
        year = latest[0]["year"] if latest else None
        if year is None:
            raise Invalid(N_("This project has no allocation from the fund."), field="amount")
        project = await project_sums(project_id)
        left = project["allocation"] - project["spending"]
        if fen > left:
            raise Invalid(
                N_("The project has only %(left)s yuan of its allocation left."), field="amount", left=yuan(left)
            )
        sums = await year_sums(year)
        balance = sums["income"] - sums["spending"]
        if fen > balance:
            raise Invalid(
                N_("The %(year)s fund's balance is only %(balance)s yuan."),
                field="amount",
                year=year,
                balance=yuan(balance),
            )
        return await _insert(
            viewer_id,
            "fund.spending",
            year=year,
            kind="spending",
            project_id=project_id,
            amount_fen=fen,
            category=category,
            spent_on=spent_on,
            receipt_photo_id=receipt_photo_id,
            note=note.strip(),
        )


async def correct(viewer: Viewer, form: CorrectionForm) -> int:
    """Staff adjust an earlier entry by a new one (never an edit): the year's and the project's figures must
    still hold afterwards (nothing below zero, no project over its allocation, no allocation beyond income)."""
    _require_staff(viewer)
    fen = fen_of(form.amount, signed=True)
    async with write_transaction():
        await _take_turn()
        original = await FundEntry.select().where(FundEntry.id == form.entry_id).first()
        if original is None:
            raise NotFound(N_("There is no ledger entry %(id)s to correct."), field="entry_id", id=form.entry_id)
        if original["corrects"] is not None:
            raise Invalid(N_("Correct the original entry, not a correction."), field="entry_id")
        adjusted = await FundEntry.raw(
            "SELECT COALESCE(SUM(amount_fen), 0) AS total FROM fund_entry WHERE id = {} OR corrects = {}",
            form.entry_id,
            form.entry_id,
        )
        if int(adjusted[0]["total"]) + fen < 0:
            raise Invalid(N_("A correction cannot take an entry below zero."), field="amount")
        entry_id = await _insert(
            viewer.person_id,
            "fund.correction",
            year=original["year"],
            kind=original["kind"],
            source=original["source"],
            project_id=original["project_id"],
            motion_id=original["motion_id"],
            amount_fen=fen,
            category=original["category"],
            spent_on=original["spent_on"],
            corrects=form.entry_id,
            note=form.note.strip(),
        )
        sums = await year_sums(original["year"])
        if sums["income"] < sums["allocation"] or sums["income"] < sums["spending"]:
            raise Invalid(
                N_("After this correction the fund would have allocated or spent more than its income."), field="amount"
            )
        if original["project_id"] is not None:
            project = await project_sums(original["project_id"])
            if project["spending"] > project["allocation"]:
                raise Invalid(
                    N_("After this correction the project would have spent more than its allocation."), field="amount"
                )
        return entry_id
