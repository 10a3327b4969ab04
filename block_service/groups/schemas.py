"""Group schemas: groups, their shops and leaders out; leader backing and appointment forms in."""

from __future__ import annotations

from typing import Literal

import msgspec

from block_service.names import shown_name
from block_service.pagination import Page
from block_service.shops.schemas import CandidateChoice

GroupKind = Literal["regional", "industry"]
LeaderSource = Literal["chosen", "appointed"]


class LeaderOut(msgspec.Struct, kw_only=True):
    """The group's leader; the name is empty for visitors who may not see merchants' names."""

    person_id: int | None
    display_name: str
    shop_id: int
    shop_name: str
    source: LeaderSource
    backing_shops: int

    def __post_init__(self) -> None:
        if self.display_name:  # empty for visitors who may not see it
            self.display_name = shown_name(self.display_name)  # a deleted account: "a former merchant"


class GroupOut(msgspec.Struct, kw_only=True):
    id: int
    kind: GroupKind
    slug: str
    name_zh: str
    name_en: str
    segment_id: int | None = None
    industry_id: int | None = None
    first_number: int | None = None
    last_number: int | None = None
    open_shops: int = 0
    leader: LeaderOut | None = None


class GroupMerchantOut(msgspec.Struct, kw_only=True):
    person_id: int
    display_name: str

    def __post_init__(self) -> None:
        self.display_name = shown_name(self.display_name)  # a deleted account: "a former merchant"


class GroupShopOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    house_number: str
    street_number: int
    segment_name_zh: str
    segment_name_en: str
    industry_name_zh: str
    industry_name_en: str
    merchants: list[GroupMerchantOut] = []


class GroupPlace(msgspec.Struct, kw_only=True):
    """Where a post to a group stands on the road: one of the group's open shops."""

    shop_id: int
    house_number: str
    street_number: int
    segment_id: int | None


class StripMarker(msgspec.Struct, kw_only=True, frozen=True):
    """Something at a house number on the road, drawn as a marker on the strip map and listed beside it.

    Any domain makes these (see groups/strip.py: register_markers); `kind` names a registered marker kind,
    `label` is data (a shop's name, a report's title), never a message id."""

    street_number: int
    kind: str
    label: str
    href: str = ""
    house_number: str = ""


class StripPoint(msgspec.Struct, kw_only=True):
    """A marker placed: `y` on the road, `label_y` where its label goes (labels never overlap)."""

    street_number: int
    kind: str
    label: str
    href: str
    house_number: str
    odd_side: bool
    y: float
    label_y: float


class StripBand(msgspec.Struct, kw_only=True):
    """A segment of the road on the whole-road map: where its box goes and what is in it, per marker kind."""

    segment_id: int
    name_zh: str
    name_en: str
    first_number: int
    last_number: int
    y: float
    height: float
    href: str
    counts: dict[str, int] = {}


class StripMap(msgspec.Struct, kw_only=True):
    """Lingyan South Road drawn north (top) to south (bottom), odd numbers left, even numbers right: a stretch
    with labelled markers, or the whole road with its segments as bands. `here` is the place being viewed."""

    first_number: int
    last_number: int
    top: float
    bottom: float
    height: float
    points: list[StripPoint]
    bands: list[StripBand] = []
    here: StripPoint | None = None
    labelled: bool = True


class SupportOut(msgspec.Struct, kw_only=True):
    """How many of the group's open shops back a merchant as leader."""

    person_id: int
    display_name: str
    shops: int

    def __post_init__(self) -> None:
        self.display_name = shown_name(self.display_name)  # a deleted account: "a former merchant"


class MyBacking(msgspec.Struct, kw_only=True):
    """One of the viewer's shops in the group, and whom it backs (None: nobody yet)."""

    shop_id: int
    shop_name: str
    candidate_id: int | None


class GroupDetail(msgspec.Struct, kw_only=True):
    group: GroupOut
    shops: Page[GroupShopOut]
    strip: StripMap | None
    is_member: bool
    support: list[SupportOut] = []
    candidates: list[CandidateChoice] = []
    my_backings: list[MyBacking] = []


class MyGroupOut(msgspec.Struct, kw_only=True):
    group: GroupOut
    my_shops: list[str]


class BackLeaderForm(msgspec.Struct, kw_only=True):
    shop_id: int
    candidate_id: int


class WithdrawBackingForm(msgspec.Struct, kw_only=True):
    shop_id: int


class AppointLeaderForm(msgspec.Struct, kw_only=True):
    person_id: int
