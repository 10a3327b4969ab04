"""Shapes of council motions: the form that opens one, the motion page, the desk and the JSON answer."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from block_service.pagination import Page

MotionKind = Literal["proposal", "position", "funds", "rule"]
MOTION_KINDS: tuple[str, ...] = ("proposal", "position", "funds", "rule")
# Named rules. Quorum: "half" = more than half of the eligible members cast a vote (弃权 counts);
# "two_thirds" = at least two thirds of them do. Threshold: "simple" = 赞成 > 反对; "two_thirds" =
# 赞成 ≥ 2/3 of (赞成 + 反对). A tie is rejected under both.
QuorumRule = Literal["half", "two_thirds"]
QUORUM_RULES: tuple[str, ...] = ("half", "two_thirds")
ThresholdRule = Literal["simple", "two_thirds"]
THRESHOLD_RULES: tuple[str, ...] = ("simple", "two_thirds")
Size = Literal["", "large", "small", "mini"]
SIZES: tuple[str, ...] = ("large", "small", "mini")
Choice = Literal["yes", "no", "abstain"]
CHOICES: tuple[str, ...] = ("yes", "no", "abstain")
Result = Literal["passed", "rejected", "no_quorum"]
# A moment typed in the block's time (Asia/Shanghai), as <input type="datetime-local"> sends it.
LocalMoment = Annotated[str, msgspec.Meta(min_length=16, max_length=19, pattern=r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")]


class MotionForm(msgspec.Struct, kw_only=True):
    """Opening a motion. Times are the block's local time; no opening time means now. A motion on a
    proposal (kind "proposal") names the project size and the budget cap in yuan."""

    title: Annotated[str, msgspec.Meta(min_length=4, max_length=200)]
    text: Annotated[str, msgspec.Meta(min_length=2, max_length=5000)]
    kind: MotionKind = "position"
    proposal_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None
    quorum: QuorumRule = "half"
    rule: ThresholdRule = "simple"
    opens_at: LocalMoment | None = None
    closes_at: LocalMoment
    size: Size = ""
    budget_cap: Annotated[int, msgspec.Meta(ge=0, le=2_000_000_000)] | None = None


class VoteForm(msgspec.Struct, kw_only=True):
    choice: Choice


class Tally(msgspec.Struct, kw_only=True):
    eligible: int = 0
    yes: int = 0
    no: int = 0
    abstain: int = 0

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain


class RollEntry(msgspec.Struct, kw_only=True):
    """A member on a motion's roll. `choice` is filled only once the motion has closed (the roll-call)."""

    person_id: int
    display_name: str
    shop_name: str = ""
    status: str  # eligible | interest | recused | ceased (the seat ended while the motion was open)
    reason: str = ""
    has_voted: bool = False
    choice: str | None = None


class ProposalLink(msgspec.Struct, kw_only=True):
    id: int
    title: str
    status: str = ""


class MotionOut(msgspec.Struct, kw_only=True):
    id: int
    term_id: int
    term_number: int = 0
    title: str
    text: str
    kind: str
    quorum: str
    rule: str
    proposal: ProposalLink | None = None
    agenda_item_id: int | None = None
    size: str = ""
    budget_cap: int | None = None
    status: str  # scheduled | open | closed | withdrawn
    opens_at: dt.datetime
    closes_at: dt.datetime
    closed_at: dt.datetime | None = None
    close_reason: str = ""
    withdrawn_reason: str = ""  # why the chair or staff withdrew it (status withdrawn)
    result: str = ""
    tally: Tally | None = None  # counts: only once closed
    voted: int = 0  # how many members have voted (while open, who has voted is public, not how)
    roll: list[RollEntry] = []


class MotionSummary(msgspec.Struct, kw_only=True):
    """A line of the desk: the motion, its state and (for a member) their own vote state."""

    id: int
    title: str
    kind: str
    status: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    result: str = ""
    yes: int = 0
    no: int = 0
    abstain: int = 0
    eligible: int = 0
    my_state: str = ""  # "" (not on the roll) | to_vote | voted | recused | interest
    my_choice: str | None = None


class MyPart(msgspec.Struct, kw_only=True):
    """The viewer's own place on a motion: shown to them only (their own vote, while it is open too)."""

    state: str = ""  # "" (not on the roll) | to_vote | voted | recused | interest | ceased
    choice: str | None = None
    may_vote: bool = False
    may_recuse: bool = False


class MotionPage(msgspec.Struct, kw_only=True):
    motion: MotionOut
    mine: MyPart


class MotionDesk(msgspec.Struct, kw_only=True):
    open: list[MotionSummary]
    past: Page[MotionSummary]
    may_open: bool = False
