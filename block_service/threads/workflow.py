"""Answers and the status workflow: answer, change status, assign, close stale resolved threads."""

from __future__ import annotations

import datetime as dt

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import write_transaction
from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.shops.tables import ShopMerchant
from block_service.threads.access import allowed_statuses, get_thread, load_thread_for, notice_actor
from block_service.threads.notify import deliver, unmuted
from block_service.threads.schemas import (
    AnswerForm,
    StatusForm,
)
from block_service.threads.tables import (
    Message,
    MeToo,
    Thread,
)

AUTO_CLOSE_AFTER = dt.timedelta(days=7)


# BLOCK_DEFAULT_DUE_HOURS: create_app sets it from the settings (configure_due_hours); 48 until then.
_default_due_hours = 48


def configure_due_hours(hours: int) -> None:
    global _default_due_hours
    _default_due_hours = hours


def due_after(response_hours: int | None) -> dt.timedelta:
    """How long staff have to respond: the category's deadline, else BLOCK_DEFAULT_DUE_HOURS."""
    hours = response_hours if response_hours and response_hours > 0 else _default_due_hours
    return dt.timedelta(hours=hours)


async def _shop_merchants(shop_id: int | None) -> set[int]:
    if shop_id is None:
        return set()
    rows = await ShopMerchant.select(ShopMerchant.person).where(ShopMerchant.shop == shop_id)
    return {row["person"] for row in rows}


async def _participants(thread: dict) -> set[int]:
    """Everyone taking part: reporter, me-too people, the shop's merchants and the assigned staff."""
    people = {thread["author"], thread["assigned_to"]} - {None}
    rows = await MeToo.raw(
        "SELECT person FROM me_too WHERE thread = {} UNION SELECT person FROM shop_merchant WHERE shop = {}",
        thread["id"],
        thread["shop"],
    )
    return people | {row["person"] for row in rows}


async def _locked_thread(thread_id: int) -> dict:
    row = (
        await Thread.select(
            Thread.id,
            Thread.status,
            Thread.author,
            Thread.anonymous,
            Thread.shop,
            Thread.assigned_to,
            Thread.hidden,
            Thread.kind,
            Thread.category.response_hours.as_alias("response_hours"),
            Thread.visibility,
            Thread.group_id,
            Thread.title,
        )
        .where(Thread.id == thread_id)
        .first()
    )
    if row is None:
        raise NotFound("No such thread.")
    return row


async def post_answer(viewer: Viewer, thread_id: int, form: AnswerForm) -> int:
    """Add a message; it is official when a merchant of the concerned shop or staff writes it.

    Everything that only reads (the checks, who to tell) and the SQL of the two fixed statements is done
    before taking the writer's turn: on SQLite all writers of all workers queue for that turn, so only the
    writes wait in it.
    """
    now = clock.now()
    row = await load_thread_for(viewer, thread_id)
    if row["hidden"] and not viewer.is_staff:
        raise Forbidden("This thread is hidden while staff review it.")
    thread = {
        "id": thread_id,
        "author": row["author_id"],
        "anonymous": row["anonymous"],
        "shop": row["shop_id"],
        "assigned_to": row["assigned_to"],
    }
    official = viewer.is_staff or (thread["shop"] is not None and viewer.acts_for(thread["shop"]))
    recipients = await unmuted(await _participants(thread) - {viewer.person_id}, thread_id)
    # Hidden since the check above: refused in the same statement that counts the message.
    bump = Thread.raw(
        "UPDATE thread SET message_count = message_count + 1, last_activity_at = {} "
        "WHERE id = {} AND (hidden = {} OR {}) RETURNING id",
        now,
        thread_id,
        False,
        viewer.is_staff,
    )
    add = Message.raw(
        "INSERT INTO message (thread, author, kind, body, official, created_at) "
        "VALUES ({}, {}, 'answer', {}, {}, {}) RETURNING id",
        thread_id,
        viewer.person_id,
        form.body,
        official,
        now,
    )
    async with write_transaction():
        if not await bump:
            raise Forbidden("This thread is hidden while staff review it.")
        rows = await add
        await record_change(
            actor_id=viewer.person_id,
            action="message.posted",
            object_type="thread",
            object_id=thread_id,
            after={"message": rows[0]["id"], "official": official},
        )
        actor_name, actor_alias = notice_actor(viewer, thread)
        await deliver(
            recipients,
            thread_id,
            "answer",
            actor_name=actor_name,
            actor_alias=actor_alias,
            actor_id=viewer.person_id,
            now=now,
            respect_mutes=False,
        )
    return rows[0]["id"]


async def change_status(viewer: Viewer, thread_id: int, form: StatusForm) -> None:
    """Move a thread along its workflow; every step records who, when and why."""
    async with write_transaction():
        detail = await get_thread(viewer, thread_id)
        thread = await _locked_thread(thread_id)
        if form.status not in allowed_statuses(viewer, detail):
            raise Forbidden("You may not move this thread to that status.")
        await move_status(viewer, thread, form.status, form.reason, duplicate_of=form.duplicate_of)


async def move_status(
    viewer: Viewer, thread: dict, status: str, reason: str, *, duplicate_of: int | None = None
) -> None:
    """The step itself, inside the caller's write transaction, once the caller has checked it is allowed:
    the conditional update, the status message, the audit record and the notices."""
    now = clock.now()
    thread_id = thread["id"]
    changes: dict = {Thread.status: status, Thread.last_activity_at: now}
    if status == "duplicate":
        if (
            duplicate_of is None
            or duplicate_of == thread_id
            or not await Thread.exists().where(Thread.id == duplicate_of)
        ):
            raise Invalid("Give the number of the thread this one repeats.", field="duplicate_of")
        changes[Thread.duplicate_of] = duplicate_of
    if status == "acknowledged":
        changes[Thread.acknowledged_at] = now
    if status == "resolved":
        changes[Thread.resolved_at] = now
    if status in ("closed", "rejected", "duplicate"):
        changes[Thread.closed_at] = now
    if status == "reopened":
        changes[Thread.resolved_at] = None
        changes[Thread.closed_at] = None
        changes[Thread.due_at] = now + due_after(thread["response_hours"])
    # Conditional on the status read by the caller: of two people moving the thread at once, one wins and
    # the other is told, instead of both steps being recorded from the same starting point.
    moved = (
        await Thread.update(changes)
        .where((Thread.id == thread_id) & (Thread.status == thread["status"]))
        .returning(Thread.id)
    )
    if not moved:
        raise Conflict("This thread has just been moved on by someone else. Reload the page.")
    await Message.insert(
        Message(
            thread=thread_id,
            author=viewer.person_id,
            kind="status",
            body=reason,
            official=viewer.is_staff or (thread["shop"] is not None and viewer.acts_for(thread["shop"])),
            status_from=thread["status"],
            status_to=status,
            created_at=now,
        )
    )
    await Thread.update({Thread.message_count: Thread.message_count + 1}).where(Thread.id == thread_id)
    await record_change(
        actor_id=viewer.person_id,
        action="thread.status_changed",
        object_type="thread",
        object_id=thread_id,
        before={"status": thread["status"]},
        after={"status": status, "reason": reason},
    )
    participants = await _participants(thread)
    actor_name, actor_alias = notice_actor(viewer, thread)
    await deliver(
        participants - {viewer.person_id},
        thread_id,
        "status",
        actor_name=actor_name,
        actor_alias=actor_alias,
        actor_id=viewer.person_id,
        detail=status,
        now=now,
    )
    if status == "closed":
        await _ask_for_evaluation(thread_id, now, already=viewer.person_id)


async def _ask_for_evaluation(thread_id: int, now: dt.datetime, already: int | None = None) -> None:
    """Ask the reporter and the me-too people how the fix went; `already`: who just told us, asked no more."""
    thread = await Thread.select(Thread.author).where(Thread.id == thread_id).first()
    people = {thread["author"]} | {
        row["person"] for row in await MeToo.select(MeToo.person).where(MeToo.thread == thread_id)
    }
    people.discard(already)
    people.discard(None)  # a report filed by staff on someone's behalf has no author account
    await deliver(people, thread_id, "evaluate", actor_name="", now=now, respect_mutes=False)


async def close_stale_resolved(now: dt.datetime | None = None) -> int:
    """Close threads resolved more than 7 days ago that the reporter did not answer; safe to run twice."""
    now = now or clock.now()
    stale = await Thread.select(Thread.id).where(
        (Thread.status == "resolved") & (Thread.resolved_at < now - AUTO_CLOSE_AFTER)
    )
    closed = 0
    for row in stale:
        async with write_transaction():
            updated = (
                await Thread.update({Thread.status: "closed", Thread.closed_at: now, Thread.last_activity_at: now})
                .where((Thread.id == row["id"]) & (Thread.status == "resolved"))
                .returning(Thread.id)
            )
            if not updated:
                continue
            await Message.insert(
                Message(
                    thread=row["id"],
                    author=None,
                    kind="status",
                    official=True,
                    status_from="resolved",
                    status_to="closed",
                    body="",
                    created_at=now,
                )
            )
            await Thread.update({Thread.message_count: Thread.message_count + 1}).where(Thread.id == row["id"])
            await record_change(
                actor_id=None,
                action="thread.auto_closed",
                object_type="thread",
                object_id=row["id"],
                before={"status": "resolved"},
                after={"status": "closed"},
            )
            await _ask_for_evaluation(row["id"], now)
            closed += 1
    return closed


async def assign_thread(staff: Viewer, thread_id: int, staff_id: int | None) -> None:
    """Give the thread to a staff member (None: to nobody); audited, the assignee told in their inbox."""
    async with write_transaction():
        await assign_locked(staff, await _locked_thread(thread_id), staff_id)


async def assign_locked(staff: Viewer, thread: dict, staff_id: int | None) -> None:
    """The assignment itself, inside the caller's write transaction (one thread of a bulk action, say)."""
    from block_service.accounts.tables import RoleGrant

    if not staff.is_staff:
        raise Forbidden("Only the workstation staff may do this.")
    if staff_id is not None and not await RoleGrant.exists().where(
        (RoleGrant.person == staff_id) & (RoleGrant.role == "staff")
    ):
        raise Invalid("Only staff can be assigned.", field="staff_id")
    if thread["assigned_to"] == staff_id:
        return  # a double submit, or the same choice again: nothing to record
    thread_id = thread["id"]
    await Thread.update({Thread.assigned_to: staff_id}).where(Thread.id == thread_id)
    await record_change(
        actor_id=staff.person_id,
        action="thread.assigned",
        object_type="thread",
        object_id=thread_id,
        before={"assigned_to": thread["assigned_to"]},
        after={"assigned_to": staff_id},
    )
    if staff_id is not None and staff_id != staff.person_id:
        await deliver(
            {staff_id},
            thread_id,
            "assigned",
            actor_name=staff.display_name,
            actor_id=staff.person_id,
            now=clock.now(),
        )
