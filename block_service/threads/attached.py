"""Threads that carry another domain's discussion (a proposal's): everyone reads them, lists leave them out.

A higher domain opens one through here and keeps its id; answers, flags, photos, notices and live updates
then work as on any thread. Their visibility is "attached": readable like a public thread, but only the
page they belong to lists them. While the owner is a draft the thread is hidden (its author and staff see it).
"""

from __future__ import annotations

import datetime as dt

from block_service.audit.services import record_change
from block_service.db import run_frozen, write_transaction
from block_service.errors import NotFound
from block_service.shops.services import segment_for_number
from block_service.threads.opening import insert_photos
from block_service.threads.tables import Category, Photo, Thread

ATTACHED = "attached"
DRAFT_REASON = "draft"
# Where a discussion stands when its subject names no place: the workstation, at Lane 1141.
WORKSTATION_NUMBER = 1141
WORKSTATION_PLACE = "1141弄"


async def open_attached_thread(
    *,
    author_id: int,
    title: str,
    body: str,
    house_number: str,
    street_number: int | None,
    photo_names: list[tuple[str, int, int, int]] = (),
    draft: bool,
    now: dt.datetime,
) -> int:
    """Open the discussion thread (inside the caller's write); photos were stored by the caller."""
    category = (
        await Category.select(Category.id, Category.photos_need_approval).where(Category.slug == "other-issue").first()
    ) or await Category.select(Category.id, Category.photos_need_approval).order_by(Category.id).first()
    if category is None:
        raise NotFound("No such category.")
    if street_number is None:
        house_number, street_number = WORKSTATION_PLACE, WORKSTATION_NUMBER
    approved = not category["photos_need_approval"]
    async with write_transaction():
        rows = await Thread.insert(
            Thread(
                kind="issue",
                title=title,
                body=body,
                category=category["id"],
                house_number=house_number,
                street_number=street_number,
                segment=await segment_for_number(street_number),
                author=author_id,
                # Nobody owes it an answer by a deadline: it is a discussion, not a report.
                status="acknowledged",
                acknowledged_at=now,
                visibility=ATTACHED,
                hidden=draft,
                hidden_reason=DRAFT_REASON if draft else "",
                created_at=now,
                last_activity_at=now,
                due_at=now,
                photo_count=len(photo_names) if approved else 0,
            )
        ).returning(Thread.id)
        thread_id = rows[0]["id"]
        await insert_photos(thread_id, photo_names, now=now, approved=approved)
        await record_change(
            actor_id=author_id,
            action="thread.opened",
            object_type="thread",
            object_id=thread_id,
            after={"kind": "issue", "title": title, "visibility": ATTACHED, "draft": draft},
            at=now,
        )
    return thread_id


async def publish_attached_thread(thread_id: int, title: str, now: dt.datetime) -> None:
    """Its owner left the draft: everyone reads the discussion now (inside the caller's write)."""
    await Thread.update(
        {Thread.hidden: False, Thread.hidden_reason: "", Thread.title: title, Thread.last_activity_at: now}
    ).where((Thread.id == thread_id) & (Thread.visibility == ATTACHED) & (Thread.hidden_reason == DRAFT_REASON))


async def attached_photos(thread_id: int, *, include_unapproved: bool) -> list[dict]:
    """The photos of a discussion thread: approved ones for everyone, all of them for its author and staff."""
    rows = await run_frozen(
        ("attached-photos", thread_id),
        lambda: (
            Photo.select(Photo.file_name, Photo.width, Photo.height, Photo.approved)
            .where(Photo.thread == thread_id)
            .order_by(Photo.id)
        ),
    )
    return [row for row in rows if row["approved"] or include_unapproved]
