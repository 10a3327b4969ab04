"""Plan and proposal schemas: forms in; plans, proposals, facts for the council and chain steps out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec

from block_service.schemas import Reason

Size = Literal["large", "small", "mini"]
SIZES: tuple[str, ...] = ("large", "small", "mini")
STATUSES: tuple[str, ...] = (
    "draft",
    "submitted",
    "deliberation",
    "declined",
    "merged",
    "on_agenda",
    "passed",
    "rejected",
    "withdrawn",
)
# Still moving through the process: what a plan's card counts as open.
OPEN_STATUSES: tuple[str, ...] = ("submitted", "deliberation", "on_agenda")
# Its author may withdraw it until a motion opens on it.
WITHDRAWABLE: tuple[str, ...] = ("draft", "submitted", "deliberation")
Result = Literal["passed", "rejected", "no_quorum"]
Sort = Literal["supports", "newest"]

Title = Annotated[str, msgspec.Meta(min_length=4, max_length=80)]
Body = Annotated[str, msgspec.Meta(min_length=10, max_length=5000)]
Slug = Annotated[str, msgspec.Meta(min_length=2, max_length=40, pattern=r"^[a-z0-9-]+$")]
Threshold = Annotated[int, msgspec.Meta(ge=1, le=10_000)]


class PlanForm(msgspec.Struct, kw_only=True):
    """What staff edit of a plan (its slug stays: links to it must not break)."""

    name_zh: Annotated[str, msgspec.Meta(min_length=2, max_length=60)]
    name_en: Annotated[str, msgspec.Meta(min_length=2, max_length=80)]
    goal_zh: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    goal_en: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    people_threshold: Threshold = 10
    shop_threshold: Threshold = 3
    category_ids: list[int] = []
    lead_ids: list[int] = []


class PlanOut(msgspec.Struct, kw_only=True):
    id: int
    slug: str
    name_zh: str
    name_en: str
    goal_zh: str
    goal_en: str
    sort_order: int
    active: bool
    people_threshold: int
    shop_threshold: int


class PlanCategoryOut(msgspec.Struct, kw_only=True):
    id: int
    name_zh: str
    name_en: str


class PlanLeadOut(msgspec.Struct, kw_only=True):
    person_id: int
    name: str


class PlanCard(msgspec.Struct, kw_only=True):
    plan: PlanOut
    open_proposals: int
    open_reports: int


class ProposalForm(msgspec.Struct, kw_only=True):
    plan_id: int
    title: Title
    body: Body
    house_number: Annotated[str, msgspec.Meta(max_length=30)] = ""
    segment_id: int | None = None
    size: Size = "small"
    cost_yuan: Annotated[int, msgspec.Meta(ge=0, le=1_000_000_000)] | None = None
    thread_ids: list[int] = []
    submit: bool = True  # False keeps it as a draft only its author and staff see


class ProposalFilter(msgspec.Struct, kw_only=True):
    plan: int | None = None
    status: str | None = None
    segment: int | None = None
    q: str | None = None
    sort: Sort = "newest"
    page: int = 1
    per_page: int = 20


class ProposalSummary(msgspec.Struct, kw_only=True):
    id: int
    title: str
    status: str
    plan_id: int
    plan_slug: str
    plan_name_zh: str
    plan_name_en: str
    size: str
    house_number: str
    segment_name_zh: str | None
    segment_name_en: str | None
    support_count: int
    shop_count: int
    author_label: str
    created_at: dt.datetime
    mine: bool = False  # the viewer filed it


class ThreadLink(msgspec.Struct, kw_only=True):
    id: int
    title: str
    status: str


class ProposalPhoto(msgspec.Struct, kw_only=True):
    file_name: str
    width: int
    height: int


class ProposalDetail(msgspec.Struct, kw_only=True):
    id: int
    title: str
    body: str
    status: str
    status_reason: str
    plan_id: int
    plan_slug: str
    plan_name_zh: str
    plan_name_en: str
    plan_active: bool
    people_threshold: int
    shop_threshold: int
    size: str
    cost_yuan: int | None
    house_number: str
    segment_id: int | None
    segment_name_zh: str | None
    segment_name_en: str | None
    author_id: int | None  # only where the author's name is shown, which is always: proposals are signed
    author_label: str
    merged_into: int | None
    discussion_id: int | None
    message_count: int
    motion_id: int | None
    project_id: int | None
    support_count: int
    shop_count: int
    counted_people: int  # supports from accounts older than a week: what the thresholds count
    counted_shops: int
    ready_at: dt.datetime | None
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    threads: list[ThreadLink]
    photos: list[ProposalPhoto]
    shop_names: list[str]  # the supporting shops: businesses on a public registry
    mine: bool = False  # the viewer filed it


class ProposalPage(msgspec.Struct, kw_only=True):
    proposal: ProposalDetail
    viewer_supports: bool
    viewer_may_support: bool
    viewer_is_author: bool
    allowed_steps: list[str]


class StepForm(msgspec.Struct, kw_only=True):
    """A lifecycle step taken by hand: accept, decline, merge, withdraw, submit."""

    step: Literal["submit", "accept", "decline", "merge", "withdraw"]
    reason: Reason
    merge_into: int | None = None


class LinkThreadForm(msgspec.Struct, kw_only=True):
    thread_id: int


class ProposalFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What the council needs to know of a proposal to put it to a motion (recusals, notices)."""

    id: int
    title: str
    status: str
    plan_id: int
    plan_slug: str
    author_id: int
    thread_ids: tuple[int, ...]
    shop_ids: tuple[int, ...]  # the shops of its threads and of its place
    supporter_ids: tuple[int, ...]


class ChainStep(msgspec.Struct, kw_only=True):
    """One step of a chain (threads → proposal → hearing → motion → decision → project).

    The link is a route name and its parameters (templates build it with url_for); state is a word the
    timeline styles: done | current | waiting | refused.
    """

    proposal_id: int
    kind: str
    title: str
    state: str
    at: dt.datetime | None
    detail: str = ""
    route: str = ""
    route_params: dict[str, Any] = {}
    # An English msgid the timeline translates and shows instead of `title` (a step's name, not its content).
    label: str = ""
    # An English msgid (with its parameters) the timeline translates and shows instead of `detail`.
    detail_label: str = ""
    detail_params: dict[str, str] = {}
