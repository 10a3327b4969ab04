"""Request and response shapes of projects: forms, the list, one project's page and its JSON."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from block_service.names import shown_name
from block_service.schemas import Reason

SIZES = ("large", "small", "mini")
STATES = ("planned", "in_progress", "stalled", "completed", "evaluated", "cancelled")
STAGES = ("drafted", "submitted", "accepted", "declined", "construction", "completed")
PARTY_TYPES = ("person", "shop", "group")
SOLVED = ("yes", "partly", "no")
MAX_UPDATE_PHOTOS = 3

Title = Annotated[str, msgspec.Meta(min_length=2, max_length=80)]
DateText = Annotated[str, msgspec.Meta(min_length=10, max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$")]
PartyType = Literal["person", "shop", "group"]


class ProjectForm(msgspec.Struct, kw_only=True):
    """Starting a project from a passed motion."""

    motion_id: Annotated[int, msgspec.Meta(ge=1)]
    title: Title
    summary: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    lead_type: PartyType
    lead_id: Annotated[int, msgspec.Meta(ge=1)]
    starts_on: DateText


class MilestoneForm(msgspec.Struct, kw_only=True):
    title: Title
    due_on: DateText
    weight: Annotated[int, msgspec.Meta(ge=1, le=100)] = 1


class StateForm(msgspec.Struct, kw_only=True):
    """A change of state: start, stall, resume, complete, cancel. Stalling and cancelling need a reason."""

    state: Literal["in_progress", "stalled", "completed", "cancelled"]
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class StageForm(msgspec.Struct, kw_only=True):
    """A large project's next stage at the street office."""

    stage: Literal["submitted", "accepted", "declined", "construction", "completed"]
    reference_number: Annotated[str, msgspec.Meta(max_length=40)] = ""
    submitted_on: Annotated[str, msgspec.Meta(max_length=10)] = ""
    # Named apart from the state form's reason: both forms are on one page, and ids must be unique.
    stage_reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class MaintainerForm(msgspec.Struct, kw_only=True):
    maintainer_type: PartyType
    maintainer_id: Annotated[int, msgspec.Meta(ge=1)]
    duties: Annotated[str, msgspec.Meta(min_length=4, max_length=1000)]


class WorkerForm(msgspec.Struct, kw_only=True):
    person_id: Annotated[int, msgspec.Meta(ge=1)]


class UpdateForm(msgspec.Struct, kw_only=True):
    body: Annotated[str, msgspec.Meta(min_length=2, max_length=2000)]


class EvaluationForm(msgspec.Struct, kw_only=True):
    solved: Literal["yes", "partly", "no"]
    satisfaction: Annotated[int, msgspec.Meta(ge=1, le=5)]
    comment: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class MeetingLinkForm(msgspec.Struct, kw_only=True):
    meeting_id: Annotated[int, msgspec.Meta(ge=1)]


class ProjectFilter(msgspec.Struct, kw_only=True):
    plan: int | None = None
    size: str | None = None
    state: str | None = None
    segment: int | None = None
    page: int = 1
    per_page: int = 20


class Party(msgspec.Struct, kw_only=True):
    """A lead or maintainer: a person, a shop or a group, by its public name."""

    type: str
    id: int
    name: str
    name_en: str = ""  # a group's English name

    def __post_init__(self) -> None:
        if self.type == "person":
            self.name = shown_name(self.name)  # a deleted account: "a former resident"


class ProjectSummary(msgspec.Struct, kw_only=True):
    id: int
    title: str
    size: str
    state: str
    stage: str
    plan_id: int
    plan_name_zh: str = ""
    plan_name_en: str = ""
    segment_id: int | None = None
    proposal_id: int
    motion_id: int
    progress: int  # percent of the weighted milestones done
    overdue: int  # milestones past their due date and not done
    starts_on: dt.date
    changed_at: dt.datetime


class MilestoneOut(msgspec.Struct, kw_only=True):
    id: int
    title: str
    due_on: dt.date
    weight: int
    done_on: dt.date | None = None
    overdue: bool = False


class UpdatePhotoOut(msgspec.Struct, kw_only=True):
    file_name: str
    width: int
    height: int


class UpdateOut(msgspec.Struct, kw_only=True):
    id: int
    body: str
    author_name: str
    created_at: dt.datetime
    photos: list[UpdatePhotoOut] = []

    def __post_init__(self) -> None:
        self.author_name = shown_name(self.author_name)  # a deleted account: "a former resident"


class DocumentOut(msgspec.Struct, kw_only=True):
    id: int
    title: str
    content_type: str
    size_bytes: int
    created_at: dt.datetime


class EvaluationResults(msgspec.Struct, kw_only=True):
    invited: int = 0
    answered: int = 0
    solved: dict[str, int] = {}
    satisfaction_average: float | None = None
    comments: list[str] = []


class MyEvaluation(msgspec.Struct, kw_only=True):
    """The viewer's part in the evaluation: invited, answered already, and whether the window is open."""

    invited: bool = False
    answered: bool = False
    open: bool = False


class ProjectOut(msgspec.Struct, kw_only=True):
    id: int
    title: str
    summary: str
    size: str
    state: str
    state_reason: str
    stage: str
    reference_number: str
    submitted_on: dt.date | None
    plan_id: int
    proposal_id: int
    proposal_title: str
    motion_id: int
    segment_id: int | None
    budget_cap: int | None
    lead: Party
    maintainer: Party | None
    maintainer_duties: str
    workers: list[Party]
    starts_on: dt.date
    created_at: dt.datetime
    completed_at: dt.datetime | None
    evaluation_closes_at: dt.datetime | None
    evaluated_at: dt.datetime | None
    evaluation_meeting_id: int | None
    progress: int
    overdue: int
    milestones: list[MilestoneOut]
    updates: list[UpdateOut]
    documents: list[DocumentOut]
    results: EvaluationResults


class ProjectPage(msgspec.Struct, kw_only=True):
    """One project as its page shows it, with what the viewer may do."""

    project: ProjectOut
    may_manage: bool = False
    may_post: bool = False  # managers and workers post progress updates
    mine: MyEvaluation = msgspec.field(default_factory=MyEvaluation)


def reason_given(reason: str) -> bool:
    """Stalling, cancelling and declining need a reason of at least two characters, like every Reason."""
    return len(reason.strip()) >= 2


__all__ = ["Reason"]


class AllocationForm(msgspec.Struct, kw_only=True):
    """Yuan as typed ("6000", "6000.50"); the fund ledger reads it into fen and refuses what breaks its rules."""

    # Named apart from the spending form's amount: both forms are on one page, and ids must be unique.
    allocation_amount: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class SpendingForm(msgspec.Struct, kw_only=True):
    amount: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    category: Annotated[str, msgspec.Meta(min_length=1, max_length=30)]
    spent_on: DateText
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class GoalsForm(msgspec.Struct, kw_only=True):
    """A mini project's goal of one kind (replacing the goal of the same kind and item)."""

    kind: Literal["money", "materials", "hours", "skill", "space"]
    quantity: Annotated[int, msgspec.Meta(ge=1, le=10_000_000)]
    item: Annotated[str, msgspec.Meta(max_length=60)] = ""
    unit: Annotated[str, msgspec.Meta(max_length=20)] = ""


class SpendingOut(msgspec.Struct, kw_only=True):
    id: int
    amount_fen: int
    category: str
    spent_on: dt.date | None
    note: str
    receipt: str  # the receipt photo's file name, "" when none is kept


class MoneyOut(msgspec.Struct, kw_only=True):
    allocated_fen: int = 0
    spent_fen: int = 0
    spendings: list[SpendingOut] = []

    @property
    def remaining_fen(self) -> int:
        return self.allocated_fen - self.spent_fen
