"""What pledges take (a form, goals) and give (pledges as a viewer sees them, progress per goal)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

KINDS = ("money", "materials", "hours", "skill", "space")
PledgeKind = Literal["money", "materials", "hours", "skill", "space"]
MAX_QUANTITY = 100_000_000  # yuan, hours or pieces: far beyond any street project, well inside an integer


class PledgeSubject(msgspec.Struct, frozen=True):
    """What a pledge is made against: a registered target kind and the id of one of its objects."""

    kind: str
    id: int


class PledgeForm(msgspec.Struct, kw_only=True):
    """A pledge: `quantity` is yuan (money), hours or pieces (materials); a skill or a space is its `item`."""

    kind: str
    quantity: Annotated[int, msgspec.Meta(ge=-MAX_QUANTITY, le=MAX_QUANTITY)] | None = None
    item: Annotated[str, msgspec.Meta(max_length=60)] = ""
    unit: Annotated[str, msgspec.Meta(max_length=20)] = ""
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""
    shop_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None
    show_name: bool = False


class GoalForm(msgspec.Struct, kw_only=True):
    kind: PledgeKind
    quantity: Annotated[int, msgspec.Meta(ge=1, le=MAX_QUANTITY)]
    item: Annotated[str, msgspec.Meta(max_length=60)] = ""
    unit: Annotated[str, msgspec.Meta(max_length=20)] = ""


class PledgeOut(msgspec.Struct, kw_only=True):
    """One pledge as a viewer sees it: `name` is empty when the pledger chose not to be named to this viewer."""

    id: int
    kind: str
    item: str
    quantity: int
    unit: str
    note: str
    state: str
    name: str
    shop_name: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None = None
    mine: bool = False


class GoalProgress(msgspec.Struct, kw_only=True):
    """Per kind and item: the goal (0 when none was set), what is promised (not yet delivered) and delivered."""

    kind: str
    item: str
    unit: str
    goal: int
    promised: int
    delivered: int

    @property
    def percent(self) -> int:
        """Delivered and promised together as a share of the goal, for a bar (capped at 100: pledges may exceed it)."""
        if self.goal <= 0:
            return 100 if (self.promised or self.delivered) else 0
        return min(100, (self.promised + self.delivered) * 100 // self.goal)

    @property
    def delivered_percent(self) -> int:
        if self.goal <= 0:
            return 100 if self.delivered else 0
        return min(100, self.delivered * 100 // self.goal)


class SubjectTotals(msgspec.Struct, kw_only=True):
    """Pledges summed per subject, kind and item, without anybody's name (open data)."""

    subject_id: int
    kind: str
    item: str
    unit: str
    pledges: int
    promised: int
    delivered: int


class ShopChoice(msgspec.Struct, kw_only=True):
    id: int
    name: str


class Panel(msgspec.Struct, kw_only=True):
    """Everything the pledge panel shows for one subject and viewer."""

    subject: PledgeSubject
    is_open: bool
    may_manage: bool
    progress: list[GoalProgress]
    pledges: list[PledgeOut]
    total: int
    return_url: str
    signed_in: bool = False
    shops: list[ShopChoice] = []
