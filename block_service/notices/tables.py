"""Tables of notices (audience, receipts, reminders, attachments), the services directory and 门前三包 inspections.

Composite unique indexes are raw steps of migrations/block_2026_11_29t08_50_01_000000.py: one audience row
per (notice, shop), one recipient per (notice, shop, person), one read per (notice, person), one shop receipt
per (notice, shop, kind), one reminder per (notice, day), one result per (round, shop).
"""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from block_service.accounts.tables import Person
from block_service.shops.tables import Segment, Shop


class GovService(Table, tablename="gov_service"):
    """An entry of the directory of government services for merchants, kept by staff."""

    topic = Varchar(length=12, index=True)  # licence | waste | subsidy | contact | other
    title = Varchar(length=80)
    description = Text(default="")
    contact = Varchar(length=120, default="")
    link = Varchar(length=300, default="")
    sort_order = Integer(default=0, index=True)
    updated_at = Timestamptz()


class Notice(Table, tablename="notice"):
    title = Varchar(length=80)
    body = Text()
    audience_kind = Varchar(length=10)  # all | groups | shops
    audience_label = Varchar(length=300, default="")  # the groups' names as chosen, for the follow-up page
    ack_required = Boolean(default=False)
    deadline = Timestamptz(null=True, default=None)
    service = ForeignKey(references=GovService, null=True, default=None)  # a directory entry it points to
    published_by = ForeignKey(references=Person)
    published_at = Timestamptz(index=True)
    shop_count = Integer(default=0)  # the audience's size, fixed at publication


class NoticeAttachment(Table, tablename="notice_attachment"):
    notice = ForeignKey(references=Notice, index=True)
    file_name = Varchar(length=40)  # stored name: 32 hex digits and .pdf or .jpg
    original_name = Varchar(length=120)
    media_type = Varchar(length=30)
    size_bytes = Integer()


class NoticeAudience(Table, tablename="notice_audience"):
    """A shop the notice was addressed to, written with the notice."""

    notice = ForeignKey(references=Notice, index=True)
    shop = ForeignKey(references=Shop, index=True)


class NoticeRecipient(Table, tablename="notice_recipient"):
    """A merchant acting for an addressed shop when the notice was published."""

    notice = ForeignKey(references=Notice, index=True)
    shop = ForeignKey(references=Shop, index=True)
    person = ForeignKey(references=Person, index=True)


class NoticeRead(Table, tablename="notice_read"):
    """A person's receipt: they opened the notice's page."""

    notice = ForeignKey(references=Notice, index=True)
    person = ForeignKey(references=Person, index=True)
    read_at = Timestamptz()


class NoticeShopReceipt(Table, tablename="notice_shop_receipt"):
    """A shop's receipt: the first of its merchants to read (kind "read") or acknowledge (kind "ack")."""

    notice = ForeignKey(references=Notice, index=True)
    shop = ForeignKey(references=Shop, index=True)
    kind = Varchar(length=4)  # read | ack
    person = ForeignKey(references=Person, null=True, default=None)
    at = Timestamptz()


class NoticeReminder(Table, tablename="notice_reminder"):
    """A "remind the rest" sent: at most one per notice and day (Asia/Shanghai)."""

    notice = ForeignKey(references=Notice, index=True)
    day = Date()
    sent_by = ForeignKey(references=Person)
    sent_at = Timestamptz()
    reminded = Integer(default=0)


class InspectionRound(Table, tablename="inspection_round"):
    """A 门前三包 round over the road's open shops: one a month by default."""

    month = Date(index=True)  # the first day of the month it counts for
    title = Varchar(length=80)
    started_by = ForeignKey(references=Person)
    created_at = Timestamptz()


class InspectionResult(Table, tablename="inspection_result"):
    """One shop's result in a round: clean, green and orderly each pass or fail; a failure opens a shop thread."""

    round = ForeignKey(references=InspectionRound, index=True)
    shop = ForeignKey(references=Shop, index=True)
    segment = ForeignKey(references=Segment, index=True)  # the shop's segment when inspected
    clean = Boolean()
    green = Boolean()
    orderly = Boolean()
    note = Text(default="")
    photo = Varchar(length=40, default="")
    thread_id = Integer(null=True, default=None)
    inspector = ForeignKey(references=Person)
    recorded_at = Timestamptz()
