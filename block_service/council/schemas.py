"""Council schemas: terms, seats, elections, nominations, ballots and interests."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from block_service.groups.schemas import GroupOut
from block_service.names import shown_name
from block_service.pagination import Page
from block_service.shops.schemas import CandidateChoice

Position = Literal["chair", "vice_chair", "secretary", "member"]
POSITIONS: tuple[str, ...] = ("chair", "vice_chair", "secretary", "member")
# Positions held by one sitting member at a time (the partial unique index council_seat_single_position).
SINGLE_POSITIONS = frozenset({"chair", "secretary"})
Phase = Literal["nominating", "voting", "closed"]
InterestObject = Literal["shop", "thread", "proposal"]
INTEREST_OBJECTS: tuple[str, ...] = ("shop", "thread", "proposal")

DateText = Annotated[str, msgspec.Meta(min_length=10, max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$")]
Statement = Annotated[str, msgspec.Meta(min_length=2, max_length=500)]
Note = Annotated[str, msgspec.Meta(max_length=500)]


# ---- forms ----------------------------------------------------------------------------------


class TermForm(msgspec.Struct, kw_only=True):
    number: Annotated[int, msgspec.Meta(ge=1, le=999)]
    starts_on: DateText
    ends_on: DateText
    seats: Annotated[int, msgspec.Meta(ge=1, le=50)]


class ElectionForm(msgspec.Struct, kw_only=True):
    """The periods are shown to people; the phases change only when staff act."""

    nomination_starts_on: DateText | None = None
    nomination_ends_on: DateText | None = None
    voting_starts_on: DateText | None = None
    voting_ends_on: DateText | None = None


class StandForm(msgspec.Struct, kw_only=True):
    """A merchant stands for one of their shops."""

    shop_id: int
    statement: Statement


class NominateForm(msgspec.Struct, kw_only=True):
    """A merchant nominates a merchant of another shop: `nominee` is "shop_id:person_id"."""

    nominee: Annotated[str, msgspec.Meta(min_length=3, max_length=30, pattern=r"^[0-9]{1,9}:[0-9]{1,9}$")]
    note: Note = ""


class AcceptForm(msgspec.Struct, kw_only=True):
    statement: Statement


class BallotForm(msgspec.Struct, kw_only=True):
    shop_id: int
    candidates: list[int]


class PositionForm(msgspec.Struct, kw_only=True):
    position: Position


class InterestForm(msgspec.Struct, kw_only=True):
    object_type: InterestObject
    object_id: Annotated[int, msgspec.Meta(ge=1)]
    note: Note = ""


# ---- out ------------------------------------------------------------------------------------


class TermOut(msgspec.Struct, kw_only=True):
    id: int
    number: int
    starts_on: dt.date
    ends_on: dt.date
    seats: int
    is_current: bool = False
    has_ended: bool = False


class InterestOut(msgspec.Struct, kw_only=True):
    id: int
    person_id: int
    display_name: str
    object_type: str
    object_id: int
    object_label: str
    note: str
    declared_at: dt.datetime

    def __post_init__(self) -> None:
        self.display_name = shown_name(self.display_name)  # a deleted account: "a former merchant"


class SeatOut(msgspec.Struct, kw_only=True):
    id: int
    term_id: int
    person_id: int
    display_name: str
    shop_id: int
    shop_name: str
    house_number: str
    position: str
    source: str
    reserved_segment_id: int | None
    reserved_segment_name_zh: str | None
    reserved_segment_name_en: str | None
    replaces: int | None
    started_at: dt.datetime
    ceased_at: dt.datetime | None
    ceased_kind: str
    ceased_reason: str
    groups: list[GroupOut] = []
    interests: list[InterestOut] = []
    replaced: bool = False

    def __post_init__(self) -> None:
        self.display_name = shown_name(self.display_name)  # a deleted account: "a former merchant"


class ElectionSummary(msgspec.Struct, kw_only=True):
    id: int
    term_id: int
    term_number: int
    phase: str
    created_at: dt.datetime


class CouncilOut(msgspec.Struct, kw_only=True):
    term: TermOut | None
    members: list[SeatOut]
    ceased: list[SeatOut]
    empty_seats: int
    elections: list[ElectionSummary]


class ElectionOut(msgspec.Struct, kw_only=True):
    id: int
    term: TermOut
    phase: str
    nomination_starts_on: dt.date | None
    nomination_ends_on: dt.date | None
    voting_starts_on: dt.date | None
    voting_ends_on: dt.date | None
    created_at: dt.datetime
    voting_opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    turnout_published_at: dt.datetime | None


class CandidateOut(msgspec.Struct, kw_only=True):
    nomination_id: int
    person_id: int
    display_name: str
    shop_id: int
    shop_name: str
    house_number: str
    segment_id: int
    segment_name_zh: str
    segment_name_en: str
    status: str
    statement: str
    note: str
    nominated_by: int | None
    nominated_by_name: str | None
    created_at: dt.datetime
    accepted_at: dt.datetime | None

    def __post_init__(self) -> None:
        # A deleted account: "a former merchant".
        self.display_name = shown_name(self.display_name)
        if self.nominated_by_name is not None:
            self.nominated_by_name = shown_name(self.nominated_by_name)


class ResultLine(msgspec.Struct, kw_only=True):
    rank: int
    candidate: CandidateOut
    votes: int
    elected: bool
    reserved_segment_id: int | None = None


class ResultsOut(msgspec.Struct, kw_only=True):
    seats: int
    empty_seats: int
    elected: list[ResultLine]
    runners_up: list[ResultLine]


class TurnoutLine(msgspec.Struct, kw_only=True):
    group: GroupOut
    voted: int
    eligible: int


class TurnoutOut(msgspec.Struct, kw_only=True):
    voted: int
    eligible: int
    regional: list[TurnoutLine]
    industry: list[TurnoutLine]


class VoterShop(msgspec.Struct, kw_only=True):
    shop_id: int
    shop_name: str
    has_voted: bool


class ElectionDetail(msgspec.Struct, kw_only=True):
    election: ElectionOut
    candidates: list[CandidateOut]
    # Nominations waiting for the nominee: shown to the nominee, the nominator and staff only.
    waiting: list[CandidateOut]
    results: ResultsOut | None
    turnout: TurnoutOut | None
    ballots_cast: int | None
    my_shops: list[VoterShop] = []
    nominee_choices: list[CandidateChoice] = []


class StaffDesk(msgspec.Struct, kw_only=True):
    """The staff's council page: the terms, their elections, and the seats of one term."""

    terms: Page[TermOut]
    elections: dict[int, ElectionSummary]
    term: TermOut | None
    seats: list[SeatOut]
