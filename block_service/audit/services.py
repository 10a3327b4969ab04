"""Record every state change, and let staff browse the record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from block_service.audit.schemas import AuditEntryOut, AuditFilter
from block_service.audit.tables import AuditEntry
from block_service.pagination import Page, clamp, paginate


def _snapshot(value: Any) -> str:
    if value is None:
        return ""
    return msgspec.json.encode(value).decode()


async def record_change(
    *, actor_id: int | None, action: str, object_type: str, object_id: int | None,
    before: Any = None, after: Any = None, at: dt.datetime | None = None,
) -> None:
    """Call inside the transaction of the change itself, so the record and the change stand or fall together.

    `at` is now unless the caller must not record the moment (a secret ballot records only its day).
    Plain SQL: it runs while the writer's turn is held, and Piccolo's insert took longer to build than
    SQLite takes to run it."""
    await AuditEntry.raw(
        'INSERT INTO audit_entry ("at", actor, action, object_type, object_id, "before", "after") '
        "VALUES ({}, {}, {}, {}, {}, {}, {})",
        at or dt.datetime.now(dt.UTC), actor_id, action, object_type, object_id, _snapshot(before),
        _snapshot(after),
    )


async def list_audit_entries(filters: AuditFilter) -> Page[AuditEntryOut]:
    page, per_page = clamp(filters.page, filters.per_page)
    conditions = []
    if filters.action:
        conditions.append(AuditEntry.action.like(f"{filters.action}%"))
    if filters.object_type:
        conditions.append(AuditEntry.object_type == filters.object_type)
    if filters.object_id is not None:
        conditions.append(AuditEntry.object_id == filters.object_id)
    if filters.actor_id is not None:
        conditions.append(AuditEntry.actor == filters.actor_id)
    query = AuditEntry.select(
        AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.actor.display_name.as_alias("actor_name"),
        AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id, AuditEntry.before, AuditEntry.after,
    ).order_by(AuditEntry.id, ascending=False)
    count = AuditEntry.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    return await paginate(query, count, page, per_page, lambda row: msgspec.convert(row, AuditEntryOut))


async def distinct_actions() -> list[str]:
    rows = await AuditEntry.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    return [row["action"] for row in rows]
