"""The inbox's rules: a person's entries newest first, described per kind for the viewer; unread counts,
marking read, retention, a person's export and erasure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from block_service.clock import now as clock_now
from block_service.db import write_transaction
from block_service.inbox import kinds
from block_service.inbox.schemas import InboxItem, InboxSubject, Subject
from block_service.inbox.tables import InboxEntry
from block_service.pagination import Page, clamp, paginate

PER_PAGE = 30
# The inbox page: subjects per page, and the newest entries of each shown when it is opened out.
SUBJECTS_PER_PAGE = 20
SUBJECT_ENTRIES = 5


def _columns() -> tuple:
    return (
        InboxEntry.id,
        InboxEntry.kind,
        InboxEntry.object_id,
        InboxEntry.event,
        InboxEntry.actor_name,
        InboxEntry.actor_alias,
        InboxEntry.detail,
        InboxEntry.created_at,
        InboxEntry.read_at,
    )


async def list_entries(viewer: Any, page: int = 1, per_page: int = PER_PAGE) -> Page[InboxItem]:
    """The viewer's entries, newest first: two statements for the page and its count, then one `describe`
    per kind on the page (each a batched query, or none), whatever the number of entries."""
    page, per_page = clamp(page, per_page)
    mine = InboxEntry.person == viewer.person_id
    query = InboxEntry.select(*_columns()).where(mine).order_by(InboxEntry.created_at, InboxEntry.id, ascending=False)
    result = await paginate(query, InboxEntry.count().where(mine), page, per_page, dict)
    wanted: dict[str, list[int]] = {}
    for row in result.items:
        wanted.setdefault(row["kind"], []).append(row["object_id"])
    views = {kind: await kinds.describe(kind, ids, viewer) for kind, ids in sorted(wanted.items())}
    items = [_item(row, views[row["kind"]].get(row["object_id"])) for row in result.items]
    return Page(
        items=items, page=result.page, per_page=result.per_page, total=result.total, total_capped=result.total_capped
    )


def subject_key(kind: str, object_id: int) -> str:
    return f"{kind}:{object_id}"


# One statement for a page of subjects: each subject's counts, newest subject first, joined to its newest
# entries (a window over the person's entries, which the (person, created_at) index serves).
_SUBJECTS_SQL = """
SELECT e.id, e.kind, e.object_id, e.event, e.actor_name, e.actor_alias, e.detail, e.created_at, e.read_at,
       s.total, s.unread, s.latest_at, s.latest_id
FROM (
    SELECT kind, object_id, COUNT(*) AS total, SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END) AS unread,
           MAX(created_at) AS latest_at, MAX(id) AS latest_id
    FROM inbox_entry WHERE person = {}
    GROUP BY kind, object_id
    ORDER BY latest_at DESC, latest_id DESC
    LIMIT {} OFFSET {}
) AS s
JOIN (
    SELECT id, kind, object_id, event, actor_name, actor_alias, detail, created_at, read_at,
           ROW_NUMBER() OVER (PARTITION BY kind, object_id ORDER BY created_at DESC, id DESC) AS position
    FROM inbox_entry WHERE person = {}
) AS e ON e.kind = s.kind AND e.object_id = s.object_id AND e.position <= {}
ORDER BY s.latest_at DESC, s.latest_id DESC, e.position
"""
_SUBJECT_COUNT_SQL = (
    "SELECT COUNT(*) AS subjects FROM (SELECT 1 FROM inbox_entry WHERE person = {} GROUP BY kind, object_id) AS s"
)


def _moment(value: Any) -> dt.datetime | None:
    """A timestamp from a raw row (SQLite may hand back the stored text)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    moment = dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def list_subjects(viewer: Any, page: int = 1, per_page: int = SUBJECTS_PER_PAGE) -> Page[InboxSubject]:
    """The viewer's inbox by subject (one row per object: its newest entries, their count and unread count),
    the subject with the newest entry first: two statements for the page and its count, then one `describe`
    per kind on the page, whatever the number of entries."""
    page, per_page = clamp(page, per_page)
    rows = [
        dict(row)
        for row in await InboxEntry.raw(
            _SUBJECTS_SQL, viewer.person_id, per_page, (page - 1) * per_page, viewer.person_id, SUBJECT_ENTRIES
        )
    ]
    total = (await InboxEntry.raw(_SUBJECT_COUNT_SQL, viewer.person_id))[0]["subjects"]
    wanted: dict[str, set[int]] = {}
    for row in rows:
        wanted.setdefault(row["kind"], set()).add(row["object_id"])
    views = {kind: await kinds.describe(kind, sorted(ids), viewer) for kind, ids in sorted(wanted.items())}
    subjects: dict[str, InboxSubject] = {}
    for row in rows:
        row["created_at"], row["read_at"] = _moment(row["created_at"]), _moment(row["read_at"])
        key = subject_key(row["kind"], row["object_id"])
        subject = subjects.get(key)
        if subject is None:
            subject = subjects[key] = InboxSubject(
                subject=key,
                kind=row["kind"],
                object_id=row["object_id"],
                total=int(row["total"]),
                unread=int(row["unread"] or 0),
                entries=[],
            )
        subject.entries.append(_item(row, views[row["kind"]].get(row["object_id"])))
    return Page(items=list(subjects.values()), page=page, per_page=per_page, total=int(total))


def _item(row: dict, view: kinds.KindView | None) -> InboxItem:
    registered = kinds.kind_of(row["kind"])
    return InboxItem(
        id=row["id"],
        kind=row["kind"],
        object_id=row["object_id"],
        event=row["event"],
        actor_name=row["actor_name"],
        actor_alias=row["actor_alias"],
        detail=row["detail"],
        created_at=row["created_at"],
        read=row["read_at"] is not None,
        available=view is not None,
        title=view.title if view else "",
        url=view.url if view else "",
        message=registered.events.get(row["event"], "") if registered else "",
        subject=subject_key(row["kind"], row["object_id"]),
    )


async def unread_count(person_id: int) -> int:
    """(The navigation's badge reads the same count inside accounts.people.load_viewer's one statement.)"""
    return await InboxEntry.count().where((InboxEntry.person == person_id) & InboxEntry.read_at.is_null())


async def has_unread(person_id: int, subject: Subject | None = None) -> bool:
    """Whether the person has unread entries (about one object): plain SQL, no query to build."""
    if subject is None:
        sql = "SELECT 1 FROM inbox_entry WHERE person = {} AND read_at IS NULL LIMIT 1"
        return bool(await InboxEntry.raw(sql, person_id))
    sql = "SELECT 1 FROM inbox_entry WHERE person = {} AND read_at IS NULL AND kind = {} AND object_id = {} LIMIT 1"
    return bool(await InboxEntry.raw(sql, person_id, subject.kind, subject.object_id))


async def mark_read(person_id: int, subject: Subject | None = None, *, now: dt.datetime | None = None) -> bool:
    """Mark the person's unread entries read: all of them, or those about one object (opening it).
    Whether there was any to mark."""
    condition = (InboxEntry.person == person_id) & InboxEntry.read_at.is_null()
    if subject is not None:
        condition = condition & (InboxEntry.kind == subject.kind) & (InboxEntry.object_id == subject.object_id)
    # Nothing to mark, nothing written: on PostgreSQL even an UPDATE of no row fires the statement trigger that
    # tells every worker something changed, which would throw away every kept page on each page view.
    if not await has_unread(person_id, subject):
        return False
    async with write_transaction():
        await InboxEntry.update({InboxEntry.read_at: now or clock_now()}).where(condition)
    return True


async def delete_old_entries(retention_days: int, now: dt.datetime) -> int:
    """Delete entries older than `retention_days` (BLOCK_INBOX_RETENTION_DAYS), read or not."""
    cutoff = now - dt.timedelta(days=retention_days)
    if not await InboxEntry.exists().where(InboxEntry.created_at < cutoff):
        return 0  # nothing written: on PostgreSQL even a DELETE of no row tells every worker of a change
    async with write_transaction():
        rows = await InboxEntry.delete().where(InboxEntry.created_at < cutoff).returning(InboxEntry.id)
    return len(rows)


async def export_of(person_id: int) -> list[dict]:
    """The person's entries for their data download, oldest first."""
    return await (
        InboxEntry.select(
            InboxEntry.kind,
            InboxEntry.object_id,
            InboxEntry.event,
            InboxEntry.actor_name,
            InboxEntry.actor_alias,
            InboxEntry.detail,
            InboxEntry.created_at,
            InboxEntry.read_at,
        )
        .where(InboxEntry.person == person_id)
        .order_by(InboxEntry.id)
    )


async def forget_person(person_id: int, label: str) -> None:
    """Inside the caller's transaction (erasing an account): the person's entries go, and in other people's
    entries that name them as the actor, their name becomes the label of a deleted account."""
    await InboxEntry.delete().where(InboxEntry.person == person_id)
    await InboxEntry.update({InboxEntry.actor_name: label[:40], InboxEntry.actor_alias: ""}).where(
        InboxEntry.actor == person_id
    )
