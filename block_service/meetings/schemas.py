"""Meeting forms in, meetings out (the same Structs serve the pages and /api/meetings)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from block_service.clock import BLOCK_TIMEZONE
from block_service.names import shown_name


def N_(message: str) -> str:
    """Marks a msgid for extraction; the edge translates it when shown."""
    return message


KINDS: tuple[str, ...] = ("hearing", "coordination", "evaluation", "council")
KIND_LABELS = {
    "hearing": N_("Hearing"),
    "coordination": N_("Coordination meeting"),
    "evaluation": N_("Evaluation meeting"),
    "council": N_("Council meeting"),
}
Kind = Literal["hearing", "coordination", "evaluation", "council"]
TargetType = Literal["", "thread", "proposal", "motion"]
InviteeType = Literal["group", "shop", "person"]
Answer = Literal["yes", "no"]
WORKSTATION = "凌岩南路1141弄"  # the block's workstation, where meetings are held unless said otherwise
# "2026-12-01T19:00" as a datetime-local field sends it, in the block's time zone.
LocalTime = Annotated[str, msgspec.Meta(min_length=16, max_length=19, pattern=r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")]
Title = Annotated[str, msgspec.Meta(min_length=2, max_length=120)]
OptionalId = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class MeetingForm(msgspec.Struct, kw_only=True):
    kind: Kind
    title: Title
    starts_at: LocalTime
    ends_at: LocalTime
    place: Annotated[str, msgspec.Meta(max_length=120)] = ""
    description: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    open_to_residents: bool = False
    capacity: Annotated[int, msgspec.Meta(ge=1, le=10_000)] | None = None
    proposal_id: OptionalId | None = None
    thread_id: OptionalId | None = None


class MeetingChangeForm(msgspec.Struct, kw_only=True):
    """What a scheduled meeting's convener or staff may change: its title, time and place."""

    title: Title
    starts_at: LocalTime
    ends_at: LocalTime
    place: Annotated[str, msgspec.Meta(max_length=120)] = ""


class AgendaItemForm(msgspec.Struct, kw_only=True):
    title: Title
    target_type: TargetType = ""
    target_id: OptionalId | None = None


class InviteForm(msgspec.Struct, kw_only=True):
    invitee_type: InviteeType
    invitee_id: OptionalId


class RsvpForm(msgspec.Struct, kw_only=True):
    answer: Answer


class AttendanceForm(msgspec.Struct, kw_only=True):
    attendee_type: Literal["person", "shop"]
    attendee_id: OptionalId


class MinutesForm(msgspec.Struct, kw_only=True):
    """The minutes of one agenda item; saving them publishes them."""

    item_id: OptionalId
    minutes: Annotated[str, msgspec.Meta(min_length=2, max_length=10_000)]


class ItemMotionForm(msgspec.Struct, kw_only=True):
    """Opening a motion from an agenda item; an item about a proposal makes a motion on that proposal."""

    title: Annotated[str, msgspec.Meta(min_length=4, max_length=200)]
    text: Annotated[str, msgspec.Meta(min_length=2, max_length=5000)]
    kind: Literal["position", "funds", "rule"] = "position"
    closes_at: LocalTime
    size: Literal["", "large", "small", "mini"] = ""
    budget_cap: Annotated[int, msgspec.Meta(ge=0, le=2_000_000_000)] | None = None


class MeetingFilter(msgspec.Struct, kw_only=True):
    when: Literal["upcoming", "past"] = "upcoming"
    kind: Kind | None = None
    page: int = 1
    per_page: int = 20


class AgendaItemOut(msgspec.Struct, kw_only=True):
    id: int
    position: int
    title: str
    target_type: str
    target_id: int | None
    target_title: str = ""
    target_url: str = ""
    minutes: str = ""
    minutes_at: dt.datetime | None = None


class InviteeOut(msgspec.Struct, kw_only=True):
    invitee_type: str
    invitee_id: int
    name: str
    named: bool = True  # False: a person not named to this viewer (name ""); the edge says who may see it


class AttendeeOut(msgspec.Struct, kw_only=True):
    attendee_type: str
    attendee_id: int
    name: str
    named: bool = True  # False: a person not named to this viewer (name ""); the edge says who may see it
    status: str = "present"  # present | absent | excused


class MeetingSummary(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    open_to_residents: bool
    capacity: int | None
    going: int
    proposal_id: int | None
    thread_id: int | None
    minutes_published_at: dt.datetime | None
    status: str = "scheduled"  # scheduled | cancelled
    cancel_reason: str = ""
    sequence: int = 0  # the iCalendar SEQUENCE: how many times it was changed or cancelled


class MeetingDetail(MeetingSummary, kw_only=True):
    description: str
    convener_id: int
    convener_name: str
    agenda: list[AgendaItemOut] = []
    invitees: list[InviteeOut] = []
    attendance: list[AttendeeOut] = []
    # For this viewer: their answer, whether they may answer, manage the meeting, write minutes.
    my_answer: str | None = None
    may_answer: bool = False
    may_manage: bool = False
    may_write_minutes: bool = False
    may_open_motion: bool = False
    is_past: bool = False
    has_begun: bool = False

    def __post_init__(self) -> None:
        self.convener_name = shown_name(self.convener_name)  # a deleted account: "a former resident"

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.going >= self.capacity

    @property
    def changeable(self) -> bool:
        """Whether its convener or staff may still move, rename or cancel it."""
        return self.may_manage and self.status == "scheduled" and not self.is_past

    def local_input(self, moment: dt.datetime) -> str:
        """A time as a datetime-local field shows it, in the block's time zone."""
        return moment.astimezone(BLOCK_TIMEZONE).strftime("%Y-%m-%dT%H:%M")


class MeetingMinutes(msgspec.Struct, kw_only=True):
    """A meeting's published minutes, as a proposal's or thread's page shows them."""

    id: int
    kind: str
    title: str
    starts_at: dt.datetime
    minutes_published_at: dt.datetime | None
    proposal_id: int | None = None
    thread_id: int | None = None
    items: list[AgendaItemOut] = []
