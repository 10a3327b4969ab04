"""Tables of needs: what someone on the block asks for (volunteers, materials, a skill, a space), until when.

Pledges answering a need live in block_service/pledges (target "need"), the one pledge model of the block.
"""

from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from block_service.accounts.tables import Person
from block_service.plans.tables import Plan


class Need(Table, tablename="need"):
    author = ForeignKey(references=Person, index=True)
    kind = Varchar(length=12, index=True)  # volunteers | materials | skill | space | other
    title = Varchar(length=120)
    description = Text(default="")
    quantity = Integer(default=1)
    unit = Varchar(length=20, default="")
    until = Date(index=True)
    plan = ForeignKey(references=Plan, null=True, default=None, index=True)
    status = Varchar(length=8, default="open", index=True)  # open | met | closed
    created_at = Timestamptz(index=True)
    settled_at = Timestamptz(null=True, default=None)
    settled_by = ForeignKey(references=Person, null=True, default=None)
