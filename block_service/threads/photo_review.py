"""Photos before the public sees them: who may fetch a photo, and staff approving or removing one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec

from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import write_transaction
from block_service.errors import NotFound
from block_service.threads import photos as photo_store
from block_service.threads.access import get_thread, sees_photos_before_approval
from block_service.threads.notify import deliver
from block_service.threads.tables import Photo, Thread

QUEUE_SIZE = 50


class PendingPhoto(msgspec.Struct, kw_only=True):
    id: int
    file_name: str
    width: int
    height: int
    thread_id: int
    thread_title: str
    created_at: dt.datetime
    approved: bool = False


async def photo_for(viewer: Viewer, file_name: str) -> int:
    """The thread of a photo this viewer may fetch; NotFound for anything else, so nothing is told apart."""
    row = await Photo.select(Photo.thread, Photo.approved).where(Photo.file_name == file_name).first()
    if row is None:
        raise NotFound("No such photo.")
    try:
        thread = await get_thread(viewer, row["thread"])
    except NotFound:
        raise NotFound("No such photo.") from None
    if not row["approved"] and not sees_photos_before_approval(viewer, thread):
        raise NotFound("No such photo.")
    return thread.id


async def photos_awaiting_approval() -> list[PendingPhoto]:
    """Staff's queue, oldest first: one statement."""
    rows = (
        await Photo.select(
            Photo.id,
            Photo.file_name,
            Photo.width,
            Photo.height,
            Photo.thread.as_alias("thread_id"),
            Photo.thread.title.as_alias("thread_title"),
            Photo.created_at,
        )
        .where(Photo.approved == False)  # noqa: E712 (a Piccolo condition, not a Python comparison)
        .order_by(Photo.id)
        .limit(QUEUE_SIZE)
    )  # noqa: E712
    return [msgspec.convert(row, PendingPhoto) for row in rows]


async def approve_photo(staff: Viewer, photo_id: int) -> int:
    """Show a photo to the public; approving twice changes nothing the second time. Returns its thread."""
    async with write_transaction():
        rows = (
            await Photo.update({Photo.approved: True})
            .where((Photo.id == photo_id) & (Photo.approved == False))  # noqa: E712
            .returning(Photo.thread)
        )  # noqa: E712
        if not rows:
            row = await Photo.select(Photo.thread).where(Photo.id == photo_id).first()
            if row is None:
                raise NotFound("No such photo.")
            return row["thread"]
        thread_id = rows[0]["thread"]
        await Thread.update({Thread.photo_count: Thread.photo_count + 1}).where(Thread.id == thread_id)
        await record_change(
            actor_id=staff.person_id,
            action="photo.approved",
            object_type="photo",
            object_id=photo_id,
            before={"approved": False},
            after={"approved": True, "thread": thread_id},
        )
    return thread_id


async def remove_photo(staff: Viewer, var_dir: Path, photo_id: int, reason: str) -> int:
    """Delete a photo (row and file) with a reason the reporter is told. Returns its thread."""
    async with write_transaction():
        rows = await Photo.delete().where(Photo.id == photo_id).returning(Photo.thread, Photo.file_name, Photo.approved)
        if not rows:
            raise NotFound("No such photo.")
        photo = rows[0]
        if photo["approved"]:
            await Thread.update({Thread.photo_count: Thread.photo_count - 1}).where(Thread.id == photo["thread"])
        await record_change(
            actor_id=staff.person_id,
            action="photo.removed",
            object_type="photo",
            object_id=photo_id,
            before={"thread": photo["thread"], "approved": photo["approved"]},
            after={"reason": reason},
        )
        author = await Thread.select(Thread.author).where(Thread.id == photo["thread"]).first()
        if author and author["author"] is not None and author["author"] != staff.person_id:
            await deliver(
                {author["author"]},
                photo["thread"],
                "moderation",
                actor_name=staff.display_name,
                actor_id=staff.person_id,
                detail=reason[:200],
                now=dt.datetime.now(dt.UTC),
                respect_mutes=False,
            )
    # After the commit: a failed transaction leaves the file where its row still points.
    photo_store.discard_photos(var_dir, [photo["file_name"]])
    return photo["thread"]
