"""A small project's money from the autonomous fund ledger (block_service.funds): the allocation by its passed
motion and its spending entries, each with a receipt photo. The ledger enforces the limits (never above the
allocation nor the year's balance); this module decides who may spend for a project and keeps the receipts."""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.clock import block_today, now
from block_service.db import write_transaction
from block_service.errors import Conflict, FormInvalid, Invalid
from block_service.funds import services as funds
from block_service.funds.tables import FundEntry
from block_service.i18n import N_
from block_service.projects import access
from block_service.projects.schemas import AllocationForm, MoneyOut, SpendingForm, SpendingOut
from block_service.projects.tables import ProjectReceipt

MAX_SPENDINGS = 100  # the page lists the latest; the ledger at /funds has them all


def _small(project: dict) -> None:
    if project["size"] != "small":
        raise Conflict("Only small projects are paid from the autonomous fund.")
    if project["state"] in ("cancelled", "evaluated"):
        raise Conflict("This project is closed: nothing more can be added to it.")


async def allocate_money(viewer: Viewer, project_id: int, form: AllocationForm) -> int:
    """Staff allocate this year's fund to the project by its passed motion (the ledger checks the cap)."""
    project = await access.project_row(project_id)
    _small(project)
    try:
        amount = funds.fen_of(form.allocation_amount)
        return await funds.allocate(
            viewer, block_today().year, project_id, project["motion_id"], amount, form.note.strip()
        )
    except Invalid as error:  # the ledger speaks of "amount"; on the project page the field is the allocation's
        if error.field != "amount":
            raise
        raise Invalid(error.message, field="allocation_amount", **error.params) from None


def _spent_on(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise FormInvalid({"spent_on": N_("Enter a date like 2026-12-01.")}) from None


async def record_spending(
    viewer: Viewer, project_id: int, form: SpendingForm, receipt: tuple[str, int, int, int] | None
) -> int:
    """A manager records a spending with its receipt photo; refused amounts leave no receipt behind."""
    project = await access.managed_project(viewer, project_id)
    _small(project)
    amount = funds.fen_of(form.amount)
    spent_on = _spent_on(form.spent_on)
    if receipt is None:
        raise Invalid("Attach a photo of the receipt.", field="receipt")
    name, width, height, size = receipt
    async with write_transaction():
        rows = await ProjectReceipt.insert(
            ProjectReceipt(
                project=project_id,
                file_name=name,
                width=width,
                height=height,
                size_bytes=size,
                uploaded_by=viewer.person_id,
                created_at=now(),
            )
        ).returning(ProjectReceipt.id)
    receipt_id = rows[0]["id"]
    try:
        return await funds.spend(viewer.person_id, project_id, amount, form.category, spent_on, receipt_id, form.note)
    except BaseException:
        await ProjectReceipt.delete().where(ProjectReceipt.id == receipt_id)
        raise


async def money_of(project_id: int) -> MoneyOut:
    """Allocated, spent and left, and the spending entries with their receipts: three statements."""
    figures = (await funds.project_money([project_id])).get(project_id)
    rows = await (
        FundEntry.select(
            FundEntry.id,
            FundEntry.amount_fen,
            FundEntry.category,
            FundEntry.spent_on,
            FundEntry.receipt_photo_id,
            FundEntry.note,
        )
        .where((FundEntry.project_id == project_id) & (FundEntry.kind == "spending"))
        .order_by(FundEntry.id, ascending=False)
        .limit(MAX_SPENDINGS)
    )
    receipt_ids = sorted({row["receipt_photo_id"] for row in rows if row["receipt_photo_id"]})
    receipts = {}
    if receipt_ids:
        for row in await ProjectReceipt.select(ProjectReceipt.id, ProjectReceipt.file_name).where(
            ProjectReceipt.id.is_in(receipt_ids)
        ):
            receipts[row["id"]] = row["file_name"]
    return MoneyOut(
        allocated_fen=figures.allocated_fen if figures else 0,
        spent_fen=figures.spent_fen if figures else 0,
        spendings=[
            SpendingOut(
                id=row["id"],
                amount_fen=row["amount_fen"],
                category=row["category"],
                spent_on=row["spent_on"],
                note=row["note"],
                receipt=receipts.get(row["receipt_photo_id"], ""),
            )
            for row in rows
        ],
    )


async def is_receipt(file_name: str) -> bool:
    return await ProjectReceipt.exists().where(ProjectReceipt.file_name == file_name)
