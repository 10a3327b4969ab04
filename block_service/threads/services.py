"""Threads in the inbox: which threads a reader may see there, reading a thread's entries, and a deleted account's."""

from __future__ import annotations

from block_service import clock, inbox
from block_service.accounts.schemas import Viewer
from block_service.inbox.tables import InboxEntry
from block_service.threads import notify
from block_service.threads.access import _may_see, viewer_group_ids
from block_service.threads.tables import Mute, Thread

# ---- inbox --------------------------------------------------------------------------------------


async def thread_titles_for(thread_ids: list[int], viewer: Viewer) -> dict[int, str]:
    """For the inbox: {thread id: title} of the threads this viewer may see (group discussions of
    their groups, hidden threads only for staff and their author), in one query (two when a group's
    discussion is among them)."""
    rows = await Thread.select(
        Thread.id,
        Thread.title,
        Thread.visibility,
        Thread.group_id,
        Thread.hidden,
        Thread.author.as_alias("author_id"),
        Thread.shop.as_alias("shop_id"),
    ).where(Thread.id.is_in(sorted(set(thread_ids))))
    needs_groups = any(row["visibility"] == "group" for row in rows)
    group_ids = await viewer_group_ids(viewer) if needs_groups and viewer.is_signed_in else frozenset()
    return {row["id"]: row["title"] for row in rows if _may_see(viewer, row, group_ids)}


async def unread_count(person_id: int) -> int:
    return await inbox.unread_count(person_id)


async def mark_read(viewer: Viewer, thread_id: int) -> None:
    """Opening a thread reads its inbox entries."""
    await inbox.mark_read(viewer.person_id, notify.subject(thread_id), now=clock.now())


# ---- a deleted account ---------------------------------------------------------------------------


async def forget_inbox_of(person_id: int, old_name: str, label: str) -> None:
    """Inside the caller's transaction: the person's thread mutes go (their inbox goes with their account,
    accounts.erase_person); in other people's entries about threads, the name the person had when they
    answered or moved a thread becomes the label of a deleted account.

    Entries written since the shared inbox name their actor by id (inbox.forget_person renames those);
    older ones keep only the name, so they are matched by that name on the threads the person acted on
    (their messages, and the threads and messages they changed as staff)."""
    await Mute.delete().where(Mute.person == person_id)
    if not old_name:
        return
    await InboxEntry.raw(
        "UPDATE inbox_entry SET actor_name = {} WHERE kind = {} AND actor IS NULL AND actor_name = {} "
        "AND object_id IN ("
        "SELECT thread FROM message WHERE author = {} "
        "UNION SELECT object_id FROM audit_entry WHERE actor = {} AND object_type = 'thread' "
        "UNION SELECT m.thread FROM message m JOIN audit_entry a ON a.object_type = 'message' "
        "AND a.object_id = m.id WHERE a.actor = {})",
        label[:40],
        notify.KIND,
        old_name[:40],
        person_id,
        person_id,
        person_id,
    )
