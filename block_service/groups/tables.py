"""Tables of the autonomous groups and of the shops' backing for a group leader.

A group's shops are not stored: they are the open shops whose segment (regional group) or industry
(industry group) is the group's, read at query time, so the registry and the groups never disagree.
"""

from piccolo.columns import ForeignKey, Timestamptz, Varchar
from piccolo.table import Table

from block_service.accounts.tables import Person
from block_service.shops.tables import Industry, Segment, Shop


class OrgGroup(Table, tablename="org_group"):
    """A regional group (one per segment) or an industry group (one per industry)."""

    kind = Varchar(length=10, index=True)
    slug = Varchar(length=60, unique=True)
    segment = ForeignKey(references=Segment, null=True, default=None, unique=True)
    industry = ForeignKey(references=Industry, null=True, default=None, unique=True)
    # Staff appoint a leader only while the shops have not chosen one by majority.
    appointed_leader = ForeignKey(references=Person, null=True, default=None)
    appointed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class LeaderBacking(Table, tablename="group_leader_backing"):
    """One shop's choice of leader for one of its groups; (group, shop) is unique through a raw index."""

    group = ForeignKey(references=OrgGroup, index=True)
    shop = ForeignKey(references=Shop, index=True)
    candidate = ForeignKey(references=Person, index=True)
    backed_by = ForeignKey(references=Person, null=True, default=None)
    backed_at = Timestamptz()
