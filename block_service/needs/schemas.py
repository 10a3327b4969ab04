"""Need schemas: the form in; needs out; the list's filters."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from block_service.names import shown_name

NeedKind = Literal["volunteers", "materials", "skill", "space", "other"]
NeedStatus = Literal["open", "met", "closed"]
KINDS: tuple[str, ...] = ("volunteers", "materials", "skill", "space", "other")


class NeedForm(msgspec.Struct, kw_only=True):
    kind: NeedKind
    title: Annotated[str, msgspec.Meta(min_length=4, max_length=120)]
    description: Annotated[str, msgspec.Meta(max_length=3000)] = ""
    quantity: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 1
    unit: Annotated[str, msgspec.Meta(max_length=20)] = ""
    until: Annotated[str, msgspec.Meta(min_length=1, max_length=10)]  # YYYY-MM-DD, parsed by the service
    plan_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None


class SettleForm(msgspec.Struct, kw_only=True):
    """The author (or staff) ends the need: it was met, or it is closed without being met."""

    outcome: Literal["met", "closed"]


class NeedOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    title: str
    description: str
    quantity: int
    unit: str
    until: dt.date
    status: str
    author_id: int
    author_name: str
    plan_id: int | None = None
    plan_slug: str | None = None
    plan_name_zh: str | None = None
    plan_name_en: str | None = None
    created_at: dt.datetime
    settled_at: dt.datetime | None = None
    past: bool = False  # open, but its last day has gone by

    def __post_init__(self) -> None:
        self.author_name = shown_name(self.author_name)


class NeedFilter(msgspec.Struct, kw_only=True):
    q: str | None = None
    kind: str | None = None
    status: str = "open"  # open | met | closed | all
    plan: int | None = None
    page: int = 1
    per_page: int = 20
