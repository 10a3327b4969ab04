"""Audit log schemas."""

import datetime as dt

import msgspec


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


class AuditFilter(msgspec.Struct, kw_only=True):
    action: str | None = None
    object_type: str | None = None
    object_id: int | None = None
    actor_id: int | None = None
    page: int = 1
    per_page: int = 50
