"""Flags from residents and moderation by staff."""

from __future__ import annotations

import datetime as dt

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.shops.tables import ShopMerchant
from block_service.threads.access import load_message_for, load_thread_for
from block_service.threads.notify import deliver
from block_service.threads.tables import (
    Flag,
    Message,
    Thread,
)

FLAGS_TO_HIDE = 3


# Only flags from accounts at least this old count toward hiding: new accounts are made in a minute.
FLAG_ACCOUNT_MIN_AGE = dt.timedelta(days=7)


_OBJECTS = {"thread": Thread, "message": Message}


async def _object_thread(object_type: str, object_id: int) -> tuple[type, dict]:
    table = _OBJECTS.get(object_type)
    if table is None:
        raise NotFound("Nothing to flag here.")
    columns = [table.id, table.hidden, table.author] + ([table.thread] if table is Message else [])
    row = await table.select(*columns).where(table.id == object_id).first()
    if row is None:
        raise NotFound("Nothing to flag here.")
    row["thread_id"] = row.get("thread", row["id"])
    return table, row


async def load_flaggable_for(viewer: Viewer, object_type: str, object_id: int) -> dict:
    """A thread or message as this viewer may reach it, with its thread and the shop that thread concerns."""
    if object_type == "thread":
        row = await load_thread_for(viewer, object_id)
        return {"thread_id": object_id, "shop_id": row["shop_id"]}
    if object_type == "message":
        message = await load_message_for(viewer, object_id)
        return {"thread_id": message["thread_id"], "shop_id": message["shop_id"]}
    raise NotFound("Nothing to flag here.")


async def _flags_that_count(object_type: str, object_id: int, shop_id: int | None, now: dt.datetime) -> int:
    """Flags that count toward hiding: from accounts at least FLAG_ACCOUNT_MIN_AGE old, and never from a
    merchant of the shop the thread concerns (a shop may not silence a complaint about itself)."""
    condition = (
        (Flag.object_type == object_type)
        & (Flag.object_id == object_id)
        & (Flag.person.created_at <= now - FLAG_ACCOUNT_MIN_AGE)
    )
    if shop_id is not None:
        condition = condition & Flag.person.not_in(
            ShopMerchant.select(ShopMerchant.person).where(ShopMerchant.shop == shop_id)
        )
    return await Flag.count().where(condition)


async def flag(viewer: Viewer, object_type: str, object_id: int, reason: str) -> bool:
    """Flag a thread or message once per person, if the viewer may see it; it is hidden pending review
    once FLAGS_TO_HIDE flags count (see _flags_that_count). Returns whether this flag hid it."""
    target = await load_flaggable_for(viewer, object_type, object_id)
    if object_type == "thread" and target["shop_id"] is not None and viewer.acts_for(target["shop_id"]):
        if not viewer.is_staff:
            raise Forbidden("The merchants of the shop concerned do not flag a complaint about it.")
    now = clock.now()
    with duplicate_means(Conflict("You have already flagged this.")):
        async with write_transaction():
            table, row = await _object_thread(object_type, object_id)
            if row["author"] == viewer.person_id:
                raise Invalid("You cannot flag what you wrote yourself.")
            if await Flag.exists().where(
                (Flag.object_type == object_type) & (Flag.object_id == object_id) & (Flag.person == viewer.person_id)
            ):
                raise Conflict("You have already flagged this.")
            await Flag.insert(
                Flag(
                    object_type=object_type, object_id=object_id, person=viewer.person_id, reason=reason, created_at=now
                )
            )
            flags = await Flag.count().where((Flag.object_type == object_type) & (Flag.object_id == object_id))
            counting = await _flags_that_count(object_type, object_id, target["shop_id"], now)
            hide = counting >= FLAGS_TO_HIDE and not row["hidden"]
            changes = {table.flag_count: flags}
            if hide:
                # No stored reason: pages say "hidden after several flags" in each reader's language.
                changes.update({table.hidden: True, table.hidden_reason: ""})
            await table.update(changes).where(table.id == object_id)
            await record_change(
                actor_id=viewer.person_id,
                action=f"{object_type}.flagged",
                object_type=object_type,
                object_id=object_id,
                after={"reason": reason, "flags": flags, "counting": counting, "hidden": hide},
            )
    return hide


async def moderate(staff: Viewer, object_type: str, object_id: int, hide: bool, reason: str) -> int:
    """Staff hide or restore a thread or message with a reason the author is shown."""
    async with write_transaction():
        table, row = await _object_thread(object_type, object_id)
        await table.update({table.hidden: hide, table.hidden_reason: reason if hide else ""}).where(
            table.id == object_id
        )
        if not hide:
            await Flag.delete().where((Flag.object_type == object_type) & (Flag.object_id == object_id))
            await table.update({table.flag_count: 0}).where(table.id == object_id)
        await record_change(
            actor_id=staff.person_id,
            action=f"{object_type}.{'hidden' if hide else 'restored'}",
            object_type=object_type,
            object_id=object_id,
            before={"hidden": row["hidden"]},
            after={"hidden": hide, "reason": reason},
        )
        if row["author"]:
            await deliver(
                {row["author"]},
                row["thread_id"],
                "moderation",
                actor_name=staff.display_name,
                actor_id=staff.person_id,
                detail=reason[:200],
                now=clock.now(),
                respect_mutes=False,
            )
    return row["thread_id"]


async def flagged_items(limit: int = 50) -> list[dict]:
    """What staff should review: hidden by flags or flagged at all, most flags first."""
    threads = (
        await Thread.select(Thread.id, Thread.title, Thread.flag_count, Thread.hidden)
        .where(Thread.flag_count > 0)
        .order_by(Thread.flag_count, ascending=False)
        .limit(limit)
    )
    messages = (
        await Message.select(Message.id, Message.thread, Message.body, Message.flag_count, Message.hidden)
        .where(Message.flag_count > 0)
        .order_by(Message.flag_count, ascending=False)
        .limit(limit)
    )
    return [{"type": "thread", **row} for row in threads] + [{"type": "message", **row} for row in messages]
