"""The thread inbox: a person's notifications, unread counts, marking read, and forgetting a deleted account's."""

from __future__ import annotations

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.i18n import gettext as _
from block_service.pagination import Page, clamp, paginate
from block_service.threads.access import ANONYMOUS_ACTOR
from block_service.threads.schemas import (
    NotificationOut,
)
from block_service.threads.tables import (
    Mute,
    Notification,
)


async def list_notifications(viewer: Viewer, page: int = 1, per_page: int = 30) -> Page[NotificationOut]:
    page, per_page = clamp(page, per_page)
    query = (
        Notification.select(
            Notification.id,
            Notification.thread.as_alias("thread_id"),
            Notification.thread.title.as_alias("thread_title"),
            Notification.event,
            Notification.actor_name,
            Notification.actor_alias,
            Notification.detail,
            Notification.created_at,
            Notification.read_at,
        )
        .where(Notification.person == viewer.person_id)
        .order_by(Notification.id, ascending=False)
    )
    count = Notification.count().where(Notification.person == viewer.person_id)

    def convert(row: dict) -> NotificationOut:
        row = dict(row)
        if row.pop("actor_alias") == ANONYMOUS_ACTOR:
            row["actor_name"] = _("A resident")
        return NotificationOut(**{k: v for k, v in row.items() if k != "read_at"}, read=row["read_at"] is not None)

    return await paginate(query, count, page, per_page, convert)


async def unread_count(person_id: int) -> int:
    return await Notification.count().where((Notification.person == person_id) & (Notification.read_at.is_null()))


async def mark_read(viewer: Viewer, thread_id: int | None = None) -> None:
    condition = (Notification.person == viewer.person_id) & (Notification.read_at.is_null())
    if thread_id is not None:
        condition = condition & (Notification.thread == thread_id)
    await Notification.update({Notification.read_at: clock.now()}).where(condition)


async def forget_inbox_of(person_id: int, old_name: str, label: str) -> None:
    """Inside the caller's transaction: the person's inbox and mutes go; in other people's inboxes the name
    the person had when they answered or moved a thread becomes the label of a deleted account.

    Notifications keep the actor's name as text, so they are matched by that name on the threads the
    person acted on (their messages, and the threads and messages they changed as staff)."""
    await Notification.delete().where(Notification.person == person_id)
    await Mute.delete().where(Mute.person == person_id)
    if not old_name:
        return
    await Notification.raw(
        "UPDATE notification SET actor_name = {} WHERE actor_name = {} AND thread IN ("
        "SELECT thread FROM message WHERE author = {} "
        "UNION SELECT object_id FROM audit_entry WHERE actor = {} AND object_type = 'thread' "
        "UNION SELECT m.thread FROM message m JOIN audit_entry a ON a.object_type = 'message' "
        "AND a.object_id = m.id WHERE a.actor = {})",
        label,
        old_name,
        person_id,
        person_id,
        person_id,
    )
