"""What notices, the services directory and inspections take (forms) and give (summaries, receipts, results)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from block_service.i18n import N_
from block_service.names import shown_name

Title = Annotated[str, msgspec.Meta(min_length=2, max_length=80)]
Body = Annotated[str, msgspec.Meta(min_length=2, max_length=5000)]
AudienceKind = Literal["all", "groups", "shops"]
AUDIENCE_LABELS = {
    "all": N_("All open shops"),
    "groups": N_("Regional or industry groups"),
    "shops": N_("Chosen shops"),
}
TOPICS = ("licence", "waste", "subsidy", "contact", "other")
TOPIC_LABELS = {
    "licence": N_("Licences and permits"),
    "waste": N_("Waste contracts"),
    "subsidy": N_("Subsidies"),
    "contact": N_("Contacts"),
    "other": N_("Other services"),
}
Topic = Literal["licence", "waste", "subsidy", "contact", "other"]


class NoticeForm(msgspec.Struct, kw_only=True):
    title: Title
    body: Body
    audience_kind: AudienceKind = "all"
    ack_required: bool = False
    deadline: Annotated[str, msgspec.Meta(max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    service_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None
    group_ids: list[int] = []
    shop_ids: list[int] = []


class NoticeSummary(msgspec.Struct, kw_only=True):
    """A notice in a list: for a merchant, whether they read and whether their shop acknowledged; for staff,
    the receipt counts."""

    id: int
    title: str
    published_at: dt.datetime
    deadline: dt.datetime | None
    ack_required: bool
    shop_count: int
    read: bool = False
    acknowledged: bool = False
    shops_read: int | None = None
    shops_acknowledged: int | None = None


class Attachment(msgspec.Struct, kw_only=True):
    id: int
    original_name: str
    media_type: str
    size_bytes: int


class ShopReceipt(msgspec.Struct, kw_only=True):
    """One addressed shop on the follow-up page and in the CSV."""

    shop_id: int
    shop_name: str
    house_number: str
    read_at: dt.datetime | None = None
    read_by: str = ""
    acknowledged_at: dt.datetime | None = None
    acknowledged_by: str = ""

    def __post_init__(self) -> None:
        # A deleted account's stored label reads in the reader's language, on the page and in the CSV.
        self.read_by = shown_name(self.read_by)
        self.acknowledged_by = shown_name(self.acknowledged_by)


class NoticeDetail(msgspec.Struct, kw_only=True):
    id: int
    title: str
    body: str
    audience_kind: str
    audience_label: str
    ack_required: bool
    deadline: dt.datetime | None
    published_at: dt.datetime
    published_by: str
    shop_count: int
    service_id: int | None
    service_title: str = ""
    attachments: list[Attachment] = []
    # For a merchant of an addressed shop: their shops' receipts (shop id -> acknowledged by whom or "").
    my_shops: list[ShopReceipt] = []

    def __post_init__(self) -> None:
        self.published_by = shown_name(self.published_by)  # a deleted staff account: "a former resident"


class FollowUp(msgspec.Struct, kw_only=True):
    """Staff's view of one notice: X of Y shops read, Z acknowledged, and who has not."""

    notice: NoticeDetail
    shops_read: int
    shops_acknowledged: int
    people_read: int
    receipts: list[ShopReceipt]
    reminded_today: bool
    last_reminded_at: dt.datetime | None = None


class ServiceForm(msgspec.Struct, kw_only=True):
    topic: Topic
    title: Title
    description: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    contact: Annotated[str, msgspec.Meta(max_length=120)] = ""
    link: Annotated[str, msgspec.Meta(max_length=300, pattern=r"^https?://\S+$")] | None = None
    sort_order: Annotated[int, msgspec.Meta(ge=0, le=9999)] = 0


class GovServiceItem(msgspec.Struct, kw_only=True):
    id: int
    topic: str
    title: str
    description: str
    contact: str
    link: str
    sort_order: int


# ---- 门前三包 ---------------------------------------------------------------------------------------

Month = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}$", max_length=7)]


class RoundForm(msgspec.Struct, kw_only=True):
    month: Month
    title: Annotated[str, msgspec.Meta(max_length=80)] = ""


class ResultForm(msgspec.Struct, kw_only=True):
    shop_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    clean: bool = False
    green: bool = False
    orderly: bool = False
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class InspectionRoundItem(msgspec.Struct, kw_only=True):
    id: int
    month: dt.date
    title: str
    created_at: dt.datetime
    results: int = 0
    failed: int = 0


class ShopResult(msgspec.Struct, kw_only=True):
    """One shop's result in a round: for the shop's merchants and staff only."""

    round_id: int
    month: dt.date
    shop_id: int
    shop_name: str
    house_number: str
    clean: bool
    green: bool
    orderly: bool
    note: str
    photo: str
    thread_id: int | None
    recorded_at: dt.datetime


class SegmentMonth(msgspec.Struct, kw_only=True):
    """A segment's results for a month: how many shops were inspected and how many passed each item."""

    segment_id: int
    segment_name_zh: str
    segment_name_en: str
    month: dt.date
    shops_inspected: int
    clean_passed: int
    green_passed: int
    orderly_passed: int
    all_passed: int


class InspectionReport(msgspec.Struct, kw_only=True):
    """/api/inspections: a shop's own results (scope "shop", for its merchants and staff), or else the results
    per segment and month (scope "segments": the public figure, never per shop)."""

    scope: Literal["shop", "segments"]
    shop_results: list[ShopResult] = []
    segments: list[SegmentMonth] = []
