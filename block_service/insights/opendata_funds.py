"""The open data files of the autonomous fund's ledger and of the pledges summed per project.

Left out: who recorded an entry, its free-text note (a donor's name may be in it) and the receipt photo
itself; the pledgers altogether (only sums per project, kind and item).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from block_service.funds.tables import FundEntry
from block_service.i18n import N_
from block_service.insights.opendata import BATCH, Field, keyset_batches, open_file
from block_service.pledges.services import totals_per_subject

LEDGER_FIELDS = [
    Field("id", "integer", "Number of the ledger entry"),
    Field("year", "integer", "The fund's year"),
    Field("kind", "string", "income, allocation or spending"),
    Field("source", "string", "Income: street (the yearly allocation) or donation"),
    Field("project_id", "integer", "The project an allocation or a spending is for"),
    Field("motion_id", "integer", "The passed council motion behind an allocation"),
    Field("amount_fen", "integer", "Amount in fen (1 yuan = 100 fen); a correction may be negative"),
    Field("category", "string", "Spending: what the money bought"),
    Field("spent_on", "date", "Spending: the day it was spent"),
    Field("receipt_kept", "boolean", "Spending: a photo of the receipt is kept by the workstation"),
    Field("corrects", "integer", "The entry this one corrects (entries are never edited)"),
    Field("recorded_at", "datetime", "Recorded (UTC)"),
]


@open_file("fund_ledger.csv", N_("The autonomous fund's ledger"), LEDGER_FIELDS)
async def ledger_rows() -> AsyncIterator[list[tuple]]:
    def build(after: int):
        return (
            FundEntry.select(
                FundEntry.id,
                FundEntry.year,
                FundEntry.kind,
                FundEntry.source,
                FundEntry.project_id,
                FundEntry.motion_id,
                FundEntry.amount_fen,
                FundEntry.category,
                FundEntry.spent_on,
                FundEntry.receipt_photo_id,
                FundEntry.corrects,
                FundEntry.recorded_at,
            )
            .where(FundEntry.id > after)
            .order_by(FundEntry.id)
            .limit(BATCH)
        )

    def row_of(row: dict) -> tuple:
        values = {**row, "receipt_kept": row["receipt_photo_id"] is not None if row["kind"] == "spending" else None}
        return tuple(values[field.name] for field in LEDGER_FIELDS)

    async for batch in keyset_batches(build, row_of):
        yield batch


PLEDGE_FIELDS = [
    Field("project_id", "integer", "The project"),
    Field("kind", "string", "money (yuan promised; no money moves here), materials, hours, skill or space"),
    Field("item", "string", "Materials: the item; skill or space: what is offered"),
    Field("unit", "string", "Materials: the unit"),
    Field("pledges", "integer", "Pledges not withdrawn"),
    Field("promised", "integer", "Quantity promised and not yet delivered (yuan, hours or pieces)"),
    Field("delivered", "integer", "Quantity marked delivered by the project's lead"),
]


@open_file("pledges.csv", N_("Pledges summed per project"), PLEDGE_FIELDS)
async def pledge_rows() -> AsyncIterator[list[tuple]]:
    """One row per project, kind and item: small by nature (a sum per project), read in one statement."""
    totals = await totals_per_subject("project")
    for start in range(0, len(totals), BATCH):
        yield [
            (t.subject_id, t.kind, t.item, t.unit, t.pledges, t.promised, t.delivered)
            for t in totals[start : start + BATCH]
        ]
