"""What the fund ledger takes (staff's income and corrections) and gives (a year's figures, the ledger)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from block_service.pagination import Page

MAX_FEN = 2_000_000_000  # fund_entry.amount_fen is a 32-bit integer on PostgreSQL: 20 million yuan
Year = Annotated[int, msgspec.Meta(ge=2000, le=2100)]
# Amounts are typed in yuan, with up to two decimals ("1200", "1200.5", "-300.00" for a correction).
YuanText = Annotated[str, msgspec.Meta(min_length=1, max_length=16)]


class IncomeForm(msgspec.Struct, kw_only=True):
    year: Year
    source: Literal["street", "donation"]
    amount: YuanText
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class CorrectionForm(msgspec.Struct, kw_only=True):
    """A new entry adjusting an earlier one by a signed amount (its opposite reverses it); a reason is required."""

    entry_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    amount: YuanText
    note: Annotated[str, msgspec.Meta(min_length=2, max_length=500)]


class YearFigures(msgspec.Struct, kw_only=True):
    """One year of the fund, in fen: available = income - allocated; balance = income - spent."""

    year: int
    income_fen: int
    allocated_fen: int
    spent_fen: int
    available_fen: int
    balance_fen: int


class EntryOut(msgspec.Struct, kw_only=True):
    id: int
    year: int
    kind: str  # income | allocation | spending
    correction: bool  # a correction of entry `corrects`
    corrects: int | None
    source: str
    project_id: int | None
    project_title: str
    project_url: str
    motion_id: int | None
    amount_fen: int
    category: str
    spent_on: dt.date | None
    receipt_photo_id: int | None
    note: str
    recorded_at: dt.datetime


class FundsOut(msgspec.Struct, kw_only=True):
    """The public ledger of one year: its figures, the years there are, one page of entries (newest first)."""

    year: int
    years: list[int]
    figures: YearFigures
    entries: Page[EntryOut]


class ProjectMoney(msgspec.Struct, kw_only=True):
    project_id: int
    allocated_fen: int
    spent_fen: int

    @property
    def remaining_fen(self) -> int:
        return self.allocated_fen - self.spent_fen


KINDS = ("income", "allocation", "spending")
