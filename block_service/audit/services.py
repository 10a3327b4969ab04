"""Record every state change, and let staff browse the record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from block_service.audit.describe import describe
from block_service.audit.schemas import AuditEntryOut, AuditFilter
from block_service.audit.tables import AuditEntry
from block_service.db import contains
from block_service.names import shown_name
from block_service.pagination import Page, clamp, paginate


def _snapshot(value: Any) -> str:
    if value is None:
        return ""
    return msgspec.json.encode(value).decode()


async def record_change(
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
    before: Any = None,
    after: Any = None,
    at: dt.datetime | None = None,
) -> None:
    """Call inside the transaction of the change itself, so the record and the change stand or fall together.

    `at` is now unless the caller must not record the moment (a secret ballot records only its day).
    Plain SQL: it runs while the writer's turn is held, and Piccolo's insert took longer to build than
    SQLite takes to run it."""
    await AuditEntry.raw(
        'INSERT INTO audit_entry ("at", actor, action, object_type, object_id, "before", "after") '
        "VALUES ({}, {}, {}, {}, {}, {}, {})",
        at or dt.datetime.now(dt.UTC),
        actor_id,
        action,
        object_type,
        object_id,
        _snapshot(before),
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
    if filters.actor_name and filters.actor_name.strip():
        conditions.append(contains(AuditEntry.actor.display_name, filters.actor_name.strip()[:40]))
    query = AuditEntry.select(
        AuditEntry.id,
        AuditEntry.at,
        AuditEntry.actor,
        AuditEntry.actor.display_name.as_alias("actor_name"),
        AuditEntry.action,
        AuditEntry.object_type,
        AuditEntry.object_id,
        AuditEntry.before,
        AuditEntry.after,
    ).order_by(AuditEntry.id, ascending=False)
    count = AuditEntry.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    result = await paginate(query, count, page, per_page, _entry)
    await _name_people(result.items)
    return result


def _entry(row: dict) -> AuditEntryOut:
    entry = msgspec.convert(row, AuditEntryOut)
    entry.description = describe(entry.action, entry.object_type, entry.object_id, entry.before, entry.after)
    return entry


async def _name_people(entries: list[AuditEntryOut]) -> None:
    """The names of the people the entries are about, in one statement."""
    ids = sorted({entry.object_id for entry in entries if entry.object_type == "person" and entry.object_id})
    if not ids:
        return
    # Plain SQL on the person table: the audit log sits below accounts and does not import its tables.
    marks = ", ".join("{}" for _ in ids)
    rows = await AuditEntry.raw(f"SELECT id, display_name FROM person WHERE id IN ({marks})", *ids)
    names = {row["id"]: shown_name(row["display_name"]) for row in rows}
    for entry in entries:
        if entry.object_type == "person":
            entry.object_name = names.get(entry.object_id)


async def distinct_actions() -> list[str]:
    rows = await AuditEntry.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    return [row["action"] for row in rows]


def _scrubbed(value: Any, secrets: list[str], label: str) -> Any:
    if isinstance(value, str):
        if value in secrets:
            return label
        for secret in secrets:
            if len(secret) < 2:  # a one-character name is replaced where it is the whole value only
                continue
            if secret and secret in value:
                value = value.replace(secret, label)
        return value
    if isinstance(value, list):
        return [_scrubbed(item, secrets, label) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item, secrets, label) for key, item in value.items()}
    return value


async def scrub_person(person_id: int, secrets: list[str], label: str) -> int:
    """Inside the caller's transaction: the before/after of every entry the person made or that is about
    them loses their name and contact (replaced by `label`); the events themselves stay. Returns how many
    entries changed."""
    secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)
    if not secrets:
        return 0
    rows = await AuditEntry.select(AuditEntry.id, AuditEntry.before, AuditEntry.after).where(
        (AuditEntry.actor == person_id) | ((AuditEntry.object_type == "person") & (AuditEntry.object_id == person_id))
    )
    changed = 0
    for row in rows:
        update = {}
        for column in ("before", "after"):
            text = row[column]
            if text and any(secret in text for secret in secrets):  # cheap pre-check; the walk decides
                update[column] = _snapshot(_scrubbed(msgspec.json.decode(text), secrets, label))
        if update:
            await AuditEntry.update(update).where(AuditEntry.id == row["id"])
            changed += 1
    return changed
