"""Tables of the road's segments, industries, shops, applications and shop merchants."""

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from block_service.accounts.tables import Person


class Segment(Table, tablename="segment"):
    """A stretch of Lingyan South Road by house-number range; the basis of a regional group."""

    slug = Varchar(length=40, unique=True)
    name_zh = Varchar(length=60)
    name_en = Varchar(length=80)
    first_number = Integer()
    last_number = Integer()
    sort_order = Integer(default=0, index=True)


class Industry(Table, tablename="industry"):
    slug = Varchar(length=40, unique=True)
    name_zh = Varchar(length=60)
    name_en = Varchar(length=80)
    sort_order = Integer(default=0, index=True)


class Shop(Table, tablename="shop"):
    name = Varchar(length=60, index=True)
    house_number = Varchar(length=30)
    street_number = Integer(index=True)
    segment = ForeignKey(references=Segment, index=True)
    industry = ForeignKey(references=Industry, index=True)
    licence_number = Varchar(length=30, unique=True)
    phone = Varchar(length=20)
    opening_hours = Varchar(length=60, default="")
    description = Text(default="")
    status = Varchar(length=10, default="open", index=True)
    created_at = Timestamptz()


class ShopMerchant(Table, tablename="shop_merchant"):
    """A person who acts for a shop. (shop, person) is unique through a raw index."""

    shop = ForeignKey(references=Shop, index=True)
    person = ForeignKey(references=Person, index=True)
    since = Timestamptz()


class ShopApplication(Table, tablename="shop_application"):
    """A person's request to act for a shop; staff approve or reject it with a reason.

    A person has at most one pending application per licence number (partial unique index).
    """

    applicant = ForeignKey(references=Person, index=True)
    shop_name = Varchar(length=60)
    house_number = Varchar(length=30)
    street_number = Integer()
    segment = ForeignKey(references=Segment)
    industry = ForeignKey(references=Industry)
    licence_number = Varchar(length=30, index=True)
    phone = Varchar(length=20)
    status = Varchar(length=10, default="pending", index=True)
    reason = Text(default="")
    reviewed_by = ForeignKey(references=Person, null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    shop = ForeignKey(references=Shop, null=True, default=None)
    created_at = Timestamptz(index=True)
