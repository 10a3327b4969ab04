"""Audit log schemas."""

import datetime as dt

import msgspec

from block_service.audit.describe import Description
from block_service.names import shown_name


class AuditEntryOut(msgspec.Struct, kw_only=True):
    id: int
    at: dt.datetime
    actor: int | None
    actor_name: str | None
    action: str
    object_type: str
    object_id: int | None
    before: str
    after: str
    # A person the entry is about, by name (one grouped statement per page); None for other objects.
    object_name: str | None = None
    description: Description | None = None

    def __post_init__(self) -> None:
        if self.actor_name is not None:
            self.actor_name = shown_name(self.actor_name)  # a deleted account: "a former resident"


class AuditFilter(msgspec.Struct, kw_only=True):
    action: str | None = None
    object_type: str | None = None
    object_id: int | None = None
    actor_id: int | None = None
    actor_name: str | None = None  # part of the name of who did it
    page: int = 1
    per_page: int = 50
