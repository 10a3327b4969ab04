"""Who sees which thread and message, and how an author is named to each reader."""

from __future__ import annotations

import datetime as dt
import functools

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.db import run_frozen
from block_service.errors import NotFound
from block_service.groups.membership import group_ids_of
from block_service.i18n import LazyText, later
from block_service.names import shown_name
from block_service.threads.schemas import (
    AWAITING_RESPONSE,
    OPEN_STATUSES,
    ThreadDetail,
)
from block_service.threads.tables import (
    Message,
    Thread,
)

# A thread between the workstation and one shop (a failed 门前三包 inspection): only the shop's merchants and
# staff reach it; every list leaves it out for everyone else (_visible_to lists public and group threads only).
SHOP = "shop"


async def viewer_group_ids(viewer: Viewer) -> frozenset[int]:
    """The groups whose discussions this viewer reads; staff read every group's (no query for them)."""
    if viewer.is_staff:
        return frozenset()
    return await group_ids_of(viewer)


def _visible_to(viewer: Viewer, group_ids: frozenset[int] = frozenset()):
    """Public, unhidden threads, and the discussions of the viewer's groups; staff see everything;
    authors also see their own hidden threads."""
    if viewer.is_staff:
        return None
    readable = Thread.visibility == "public"
    if group_ids:
        readable = readable | ((Thread.visibility == "group") & Thread.group_id.is_in(sorted(group_ids)))
    condition = readable & (Thread.hidden == False)  # noqa: E712
    if viewer.is_signed_in:
        condition = condition | ((Thread.author == viewer.person_id) & readable)
    return condition


def may_identify_author(
    viewer: Viewer, *, author_id: int | None, anonymous: bool, name_to_shop: bool, shop_id: int | None
) -> bool:
    """Whether this viewer may know who wrote a thread: its name and its person id go together, on every surface.

    Everyone may know a named author; an anonymous reporter is known to themselves, to staff, and to the
    merchants of the shop concerned only if the reporter allowed it.
    """
    if author_id is None:
        return False
    if viewer.is_signed_in and viewer.person_id == author_id:
        return True
    if not anonymous or viewer.is_staff:
        return True
    return name_to_shop and shop_id is not None and viewer.acts_for(shop_id)


def author_label(
    viewer: Viewer,
    *,
    author_id: int | None,
    author_name: str | None,
    anonymous: bool,
    name_to_shop: bool,
    shop_id: int | None,
    of_thread: bool = False,
) -> str | LazyText:
    """The reporter's name as this viewer may see it; an anonymous reporter is "a resident" to the public.
    A thread without an author account was filed by staff for someone who walked in or phoned.
    Words are a LazyText the edge translates (never stored: notice_actor stores names)."""
    if author_id is None:
        return later("Registered by the workstation on someone's behalf") if of_thread else later("The workstation")
    if viewer.person_id == author_id:
        return later("%(name)s (you)", name=author_name or "")
    if may_identify_author(
        viewer, author_id=author_id, anonymous=anonymous, name_to_shop=name_to_shop, shop_id=shop_id
    ):
        return shown_name(author_name)
    return later("A resident")


ANONYMOUS_ACTOR = "resident"


def notice_actor(actor: Viewer, thread: dict) -> tuple[str, str]:
    """How an inbox entry names who acted, as (name, alias): the same for every recipient, so it is stored once.

    An anonymous reporter acting on their own report is stored as "a resident" with no name at all: the
    recipients (the shop's merchants, the me-too people) may not know who reported it.
    """
    if thread["anonymous"] and actor.person_id == thread["author"]:
        return "", ANONYMOUS_ACTOR
    return actor.display_name, ""


def sees_photos_before_approval(viewer: Viewer, thread: ThreadDetail) -> bool:
    """Photos awaiting staff approval: the reporter, the merchants of the shop concerned and staff see them."""
    if viewer.is_staff:
        return True
    if viewer.person_id is not None and viewer.person_id == thread.author_id:
        return True
    return thread.shop_id is not None and viewer.acts_for(thread.shop_id)


def is_overdue(status: str, due_at: dt.datetime, now: dt.datetime | None = None) -> bool:
    if due_at.tzinfo is None:
        due_at = due_at.replace(tzinfo=dt.UTC)
    return status in AWAITING_RESPONSE and due_at < (now or clock.now())


def author_columns() -> tuple:
    """What naming a thread's author to a reader takes (see author_label): the author, anonymity, the shop."""
    return (
        Thread.shop.as_alias("shop_id"),
        Thread.shop.name.as_alias("shop_name"),
        Thread.author.as_alias("author_id"),
        Thread.author.display_name.as_alias("author_name"),
        Thread.anonymous,
        Thread.name_to_shop,
    )


@functools.cache
def _detail_columns() -> tuple:
    return (
        Thread.id,
        Thread.kind,
        Thread.title,
        Thread.body,
        Thread.status,
        Thread.category.as_alias("category_id"),
        Thread.category.name_zh.as_alias("category_name_zh"),
        Thread.category.name_en.as_alias("category_name_en"),
        Thread.house_number,
        Thread.street_number,
        Thread.segment.as_alias("segment_id"),
        Thread.segment.name_zh.as_alias("segment_name_zh"),
        Thread.segment.name_en.as_alias("segment_name_en"),
        Thread.map_x,
        Thread.map_side,
        *author_columns(),
        Thread.duplicate_of,
        Thread.assigned_to,
        Thread.assigned_to.display_name.as_alias("assigned_name"),
        Thread.hidden,
        Thread.hidden_reason,
        Thread.metoo_count,
        Thread.message_count,
        Thread.created_at,
        Thread.due_at,
        Thread.resolved_at,
        Thread.closed_at,
        Thread.visibility,
        Thread.group_id,
    )


async def _thread_row(thread_id: int) -> dict:
    rows = await run_frozen(
        ("thread", thread_id), lambda: Thread.select(*_detail_columns()).where(Thread.id == thread_id).limit(1)
    )
    if not rows:
        raise NotFound("No such thread.")
    return rows[0]


def _may_see(viewer: Viewer, row: dict, group_ids: frozenset[int] = frozenset()) -> bool:
    if viewer.is_staff:
        return True
    if row["visibility"] == "group":
        if row["group_id"] not in group_ids:
            return False
    elif row["visibility"] == SHOP:  # a shop's own matter (shop_threads.py): its merchants and staff only
        if row.get("shop_id") is None or not viewer.acts_for(row["shop_id"]):
            return False
    elif row["visibility"] not in ("public", "attached"):  # "attached": a proposal's discussion (attached.py)
        return False
    return not row["hidden"] or row["author_id"] == viewer.person_id


async def _group_ids_for(viewer: Viewer, row: dict) -> frozenset[int]:
    """The viewer's groups, asked for only when the thread is a group's discussion."""
    if row["visibility"] != "group":
        return frozenset()
    return await viewer_group_ids(viewer)


async def load_thread_for(viewer: Viewer, thread_id: int) -> dict:
    """The one way to reach a thread, for reading it or acting on it: as this viewer may see it.

    A thread the viewer may not see answers exactly as one that does not exist (the same 404), so no
    action tells an outsider that a group's discussion or a hidden thread is there."""
    row = await _thread_row(thread_id)
    if not _may_see(viewer, row, await _group_ids_for(viewer, row)):
        raise NotFound("No such thread.")
    return row


async def load_message_for(viewer: Viewer, message_id: int) -> dict:
    """A message (id, thread, author, hidden) as this viewer may reach it: only on a thread they may see."""
    rows = await run_frozen(
        ("message-for-viewer", message_id),
        lambda: (
            Message.select(
                Message.id,
                Message.thread.as_alias("thread_id"),
                Message.author,
                Message.hidden,
            )
            .where(Message.id == message_id)
            .limit(1)
        ),
    )
    if not rows:
        raise NotFound("No such message.")
    try:
        thread = await load_thread_for(viewer, rows[0]["thread_id"])
    except NotFound:
        raise NotFound("No such message.") from None
    return {**rows[0], "shop_id": thread["shop_id"]}


async def get_thread(viewer: Viewer, thread_id: int) -> ThreadDetail:
    return _thread_detail(viewer, await load_thread_for(viewer, thread_id))


def _thread_detail(viewer: Viewer, row: dict) -> ThreadDetail:
    """The thread as this viewer may see it: the author's id only where the author's name is shown."""
    row = dict(row)
    author = {
        "author_id": row.pop("author_id"),
        "anonymous": row["anonymous"],
        "name_to_shop": row.pop("name_to_shop"),
        "shop_id": row["shop_id"],
    }
    label = author_label(viewer, author_name=row.pop("author_name"), of_thread=True, **author)
    shown_id = author["author_id"] if may_identify_author(viewer, **author) else None
    return ThreadDetail(**row, author_id=shown_id, author_label=label, overdue=is_overdue(row["status"], row["due_at"]))


def _is_author(viewer: Viewer, thread: ThreadDetail) -> bool:
    return viewer.is_signed_in and thread.author_id is not None and viewer.person_id == thread.author_id


def allowed_statuses(viewer: Viewer, thread: ThreadDetail) -> list[str]:
    """The statuses this viewer may move this thread to, in workflow order."""
    if not viewer.is_signed_in:
        return []
    if viewer.is_staff:
        return [
            s
            for s in ("acknowledged", "in_progress", "resolved", "closed", "rejected", "duplicate", "reopened")
            if s != thread.status
        ]
    allowed: list[str] = []
    if thread.shop_id is not None and viewer.acts_for(thread.shop_id) and thread.status in OPEN_STATUSES:
        allowed += [s for s in ("in_progress", "resolved") if s != thread.status]
    # The reporter answers a resolved thread with the one-step evaluation (reactions.evaluate), not here.
    if _is_author(viewer, thread) and thread.status == "closed":
        allowed.append("reopened")
    return allowed
