"""Schemas of the staff desk: queues, rows, the due-time and bulk forms, filing a report on someone's behalf."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from block_service.names import shown_name
from block_service.threads.schemas import Body, Title

QUEUES: tuple[str, ...] = ("new", "unassigned", "mine", "overdue", "urgent", "waiting")
Queue = Literal["new", "unassigned", "mine", "overdue", "urgent", "waiting"]
SOURCES: tuple[str, ...] = ("walk_in", "phone", "hotline")
NoteBody = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class DeskRow(msgspec.Struct, kw_only=True):
    id: int
    title: str
    status: str
    house_number: str
    segment_name_zh: str
    segment_name_en: str
    created_at: dt.datetime
    due_at: dt.datetime
    assigned_to: int | None
    assignee_name: str | None
    urgent: bool
    overdue: bool = False

    def __post_init__(self) -> None:
        if self.assignee_name:
            self.assignee_name = shown_name(self.assignee_name)  # a deleted staff account: "a former resident"


class NoteOut(msgspec.Struct, kw_only=True):
    id: int
    body: str
    author_name: str | None
    created_at: dt.datetime

    def __post_init__(self) -> None:
        if self.author_name:
            self.author_name = shown_name(self.author_name)  # a deleted staff account: "a former resident"


class NoteForm(msgspec.Struct, kw_only=True):
    body: NoteBody


class DueForm(msgspec.Struct, kw_only=True):
    # A datetime-local value, in the block's time zone (2026-11-30T18:00).
    due_at: Annotated[str, msgspec.Meta(min_length=10, max_length=20)]


class BulkForm(msgspec.Struct, kw_only=True):
    action: Literal["assign", "status"]
    staff_id: Annotated[int, msgspec.Meta(ge=1, le=2**31)] | None = None
    status: str | None = None
    template_id: Annotated[int, msgspec.Meta(ge=1, le=2**31)] | None = None


class IntakeForm(msgspec.Struct, kw_only=True):
    """A report staff file for someone who walked in or phoned; name and contact are staff-only."""

    title: Title
    body: Body
    category_id: Annotated[int, msgspec.Meta(ge=1, le=2**31)]
    house_number: Annotated[str, msgspec.Meta(min_length=1, max_length=30)]
    source: Literal["walk_in", "phone", "hotline"]
    work_order: Annotated[str, msgspec.Meta(max_length=40)] = ""
    caller_name: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    caller_contact: Annotated[str, msgspec.Meta(max_length=60)] = ""
