"""Thread schemas: forms in, threads and messages out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from block_service.names import shown_name
from block_service.schemas import Reason
from block_service.threads.photos import thumbnail_size

Kind = Literal["report", "issue"]
Status = Literal["new", "acknowledged", "in_progress", "resolved", "closed", "rejected", "duplicate", "reopened"]
STATUSES: tuple[str, ...] = (
    "new",
    "acknowledged",
    "in_progress",
    "resolved",
    "closed",
    "rejected",
    "duplicate",
    "reopened",
)
OPEN_STATUSES: tuple[str, ...] = ("new", "acknowledged", "in_progress", "reopened")
AWAITING_RESPONSE: tuple[str, ...] = ("new", "reopened")
Fixed = Literal["yes", "partly", "no"]

Title = Annotated[str, msgspec.Meta(min_length=4, max_length=80)]
Body = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]


class GroupThreadForm(msgspec.Struct, kw_only=True):
    """A discussion started on a group's page: the place and category follow from the group."""

    title: Title
    body: Body


class ThreadForm(msgspec.Struct, kw_only=True):
    kind: Kind = "report"
    title: Title
    body: Body
    category_id: int
    house_number: Annotated[str, msgspec.Meta(min_length=1, max_length=30)]
    shop_id: int | None = None
    map_x: Annotated[int, msgspec.Meta(ge=0, le=1000)] | None = None
    map_side: Literal["", "east", "west"] = ""
    anonymous: bool = False
    name_to_shop: bool = False


class AnswerForm(msgspec.Struct, kw_only=True):
    body: Body


class StatusForm(msgspec.Struct, kw_only=True):
    status: Status
    reason: Reason
    duplicate_of: int | None = None


class FlagForm(msgspec.Struct, kw_only=True):
    reason: Annotated[str, msgspec.Meta(min_length=2, max_length=200)]


class ModerationForm(msgspec.Struct, kw_only=True):
    reason: Reason


class EvaluationForm(msgspec.Struct, kw_only=True):
    fixed: Fixed
    score: Annotated[int, msgspec.Meta(ge=1, le=5)]
    comment: Annotated[str, msgspec.Meta(max_length=500)] = ""


class AssignForm(msgspec.Struct, kw_only=True):
    staff_id: int | None = None


class CategoryForm(msgspec.Struct, kw_only=True):
    slug: Annotated[str, msgspec.Meta(min_length=2, max_length=40, pattern=r"^[a-z0-9-]+$")]
    kind: Kind
    name_zh: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    name_en: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    response_hours: Annotated[int, msgspec.Meta(ge=1, le=24 * 30)]
    sort_order: Annotated[int, msgspec.Meta(ge=0, le=999)] = 0
    active: bool = True
    photos_need_approval: bool = False
    emergency: bool = False


class TemplateForm(msgspec.Struct, kw_only=True):
    category_id: int
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    body: Body


class CategoryOut(msgspec.Struct, kw_only=True):
    id: int
    slug: str
    kind: str
    name_zh: str
    name_en: str
    response_hours: int
    sort_order: int
    active: bool
    photos_need_approval: bool = False
    emergency: bool = False


class ResponseTemplateOut(msgspec.Struct, kw_only=True):
    id: int
    category_id: int
    title: str
    body: str


class ThreadSummary(msgspec.Struct, kw_only=True):
    """A row of a thread list: everything a list shows, from one joined statement."""

    id: int
    kind: str
    title: str
    status: str
    category_name_zh: str
    category_name_en: str
    house_number: str
    segment_name_zh: str
    segment_name_en: str
    shop_id: int | None
    shop_name: str | None
    author_label: str
    metoo_count: int
    message_count: int
    photo_count: int
    created_at: dt.datetime
    last_activity_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    hidden: bool
    urgent: bool = False  # an emergency category (gas, fire, injury)


class PhotoOut(msgspec.Struct, kw_only=True):
    id: int
    file_name: str
    width: int
    height: int
    approved: bool = True  # False: only the reporter, the shop's merchants and staff see it for now
    # The size of its thumbnail (/photos/{file_name}/thumbnail), from the photo's own.
    thumb_width: int = 0
    thumb_height: int = 0

    def __post_init__(self) -> None:
        self.thumb_width, self.thumb_height = thumbnail_size(self.width, self.height)


class MessageOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    author_label: str
    official: bool
    body: str
    status_from: str
    status_to: str
    hidden: bool
    hidden_reason: str
    created_at: dt.datetime
    mine: bool = False


class EvaluationSummary(msgspec.Struct, kw_only=True):
    count: int
    fixed_yes: int
    fixed_partly: int
    fixed_no: int
    average_score: float | None


class ThreadDetail(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One thread as a viewer may see it; `author_id` is left out where the author's name is (an anonymous
    reporter, for everyone but themselves, staff and, if allowed, the shop's merchants)."""

    id: int
    kind: str
    title: str
    body: str
    status: str
    category_id: int
    category_name_zh: str
    category_name_en: str
    house_number: str
    street_number: int
    segment_id: int
    segment_name_zh: str
    segment_name_en: str
    map_x: int | None
    map_side: str
    shop_id: int | None
    shop_name: str | None
    author_id: int | None = None
    author_label: str
    anonymous: bool
    duplicate_of: int | None
    assigned_to: int | None
    assigned_name: str | None
    hidden: bool
    hidden_reason: str
    metoo_count: int
    message_count: int
    created_at: dt.datetime
    due_at: dt.datetime
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    overdue: bool
    visibility: str
    group_id: int | None

    def __post_init__(self) -> None:
        if self.assigned_name:
            self.assigned_name = shown_name(self.assigned_name)  # a deleted staff account: "a former resident"


class ThreadPage(msgspec.Struct, kw_only=True):
    """Everything the thread page shows, for one viewer."""

    thread: ThreadDetail
    messages: list[MessageOut]
    photos: list[PhotoOut]
    evaluations: EvaluationSummary
    allowed_statuses: list[str]
    viewer_metoo: bool
    viewer_muted: bool
    viewer_evaluated: bool
    viewer_may_evaluate: bool
    viewer_may_answer: bool
    viewer_answers_officially: bool
    viewer_is_author: bool


class ThreadFilter(msgspec.Struct, kw_only=True):
    q: str | None = None
    kind: str | None = None
    status: str | None = None
    category: int | None = None
    shop: int | None = None
    segment: int | None = None
    overdue: bool = False
    page: int = 1
    per_page: int = 20


class SimilarThread(msgspec.Struct, kw_only=True):
    id: int
    title: str
    status: str
    house_number: str
    metoo_count: int
    why: str  # same_shop | same_category_nearby | similar_title


class TodoItem(msgspec.Struct, kw_only=True):
    """An open thread about one of the viewer's shops, on their to-do: `answered` once the shop has answered."""

    id: int
    title: str
    status: str
    category_name_zh: str
    category_name_en: str
    house_number: str
    metoo_count: int
    created_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    answered: bool


class ShopTodo(msgspec.Struct, kw_only=True):
    """One shop the viewer acts for and its open threads, by deadline."""

    shop_id: int
    shop_name: str
    items: list[TodoItem]
