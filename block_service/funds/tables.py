"""Tables of the fund ledger: one row per year (the lock every ledger write takes) and the entries."""

from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from block_service.accounts.tables import Person


class FundYear(Table, tablename="fund_year"):
    """A year of the fund. Every ledger write locks these rows first (PostgreSQL: SELECT ... FOR UPDATE), so
    the checks on balance and allocations and the entry they allow are one turn nobody else interleaves."""

    year = Integer(unique=True)
    created_at = Timestamptz()


class FundEntry(Table, tablename="fund_entry"):
    """One ledger line, in fen. kind: income | allocation | spending; `corrects` names the entry a correction
    adjusts (same kind, same project, a signed amount). Income has a source (street | donation); spending a
    category, a date and a receipt photo."""

    year = Integer(index=True)
    kind = Varchar(length=12, index=True)
    source = Varchar(length=12, default="")  # income: street | donation
    project_id = Integer(null=True, default=None, index=True)  # projects are a higher domain: a plain id
    motion_id = Integer(null=True, default=None, index=True)  # an allocation's passed motion
    amount_fen = Integer()
    category = Varchar(length=30, default="")
    spent_on = Date(null=True, default=None)
    receipt_photo_id = Integer(null=True, default=None)
    corrects = Integer(null=True, default=None, index=True)  # the entry this one corrects
    note = Text(default="")
    recorded_by = ForeignKey(references=Person, null=True, default=None)
    recorded_at = Timestamptz()
