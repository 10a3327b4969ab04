"""Tables of pledges: the goals of a subject and the pledges made against it.

A subject is (subject_kind, subject_id): a mini project, a need... owned by a higher domain, so plain ids.
"""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from block_service.accounts.tables import Person
from block_service.shops.tables import Shop


class PledgeGoal(Table, tablename="pledge_goal"):
    """What a subject asks for: `quantity` of a kind (yuan, hours, pieces of an item, people with a skill)."""

    subject_kind = Varchar(length=20)
    subject_id = Integer()
    kind = Varchar(length=10)  # money | materials | hours | skill | space
    item = Varchar(length=60, default="")  # materials: the item; skill/space: what is wanted; else empty
    quantity = Integer()
    unit = Varchar(length=20, default="")


class Pledge(Table, tablename="pledge"):
    """One promise by a person, optionally on behalf of a shop they act for. state: promised -> delivered,
    or promised -> withdrawn. Money is a promise in yuan: this service moves no money."""

    subject_kind = Varchar(length=20)
    subject_id = Integer()
    person = ForeignKey(references=Person, index=True)
    shop = ForeignKey(references=Shop, null=True, default=None, index=True)
    kind = Varchar(length=10)
    item = Varchar(length=60, default="")
    quantity = Integer(default=1)  # yuan, hours or pieces; 1 for a skill or a space
    unit = Varchar(length=20, default="")
    note = Text(default="")
    show_name = Boolean(default=False)
    state = Varchar(length=10, default="promised")
    created_at = Timestamptz()
    delivered_at = Timestamptz(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
