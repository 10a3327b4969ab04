"""The staff desk: work queues with counts, due times, bulk actions and internal notes on threads."""

from __future__ import annotations

import datetime as dt
import functools

from piccolo.columns.combination import WhereRaw

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import write_transaction
from block_service.errors import Forbidden, FormInvalid, Invalid, NotFound
from block_service.i18n import N_
from block_service.names import shown_name
from block_service.pagination import Page, clamp, paginate
from block_service.threads.access import allowed_statuses, get_thread, is_overdue
from block_service.threads.desk_schemas import QUEUES, BulkForm, DeskRow, IntakeForm, NoteForm, NoteOut
from block_service.threads.opening import open_thread
from block_service.threads.schemas import AWAITING_RESPONSE, OPEN_STATUSES, ThreadForm
from block_service.threads.tables import Intake, ResponseTemplate, StaffNote, Thread
from block_service.threads.workflow import _locked_thread, assign_locked, move_status

MAX_BULK = 100
_OPEN = "('new', 'acknowledged', 'in_progress', 'reopened')"
_AWAITING = "('new', 'reopened')"


def _require_staff(viewer: Viewer) -> None:
    if not viewer.is_staff:
        raise Forbidden("Only the workstation staff may do this.")


def _queue_condition(queue: str, viewer: Viewer, now: dt.datetime):
    """Which threads a queue holds; the same rules as the counts in queue_counts."""
    open_ = Thread.status.is_in(list(OPEN_STATUSES))
    if queue == "new":
        return Thread.status == "new"
    if queue == "unassigned":
        return open_ & Thread.assigned_to.is_null()
    if queue == "mine":
        return (open_ | (Thread.status == "resolved")) & (Thread.assigned_to == viewer.person_id)
    if queue == "overdue":
        return Thread.status.is_in(list(AWAITING_RESPONSE)) & (Thread.due_at < now)
    if queue == "urgent":
        return open_ & WhereRaw(
            "EXISTS (SELECT 1 FROM category WHERE category.id = thread.category AND category.emergency = {})", True
        )
    if queue == "waiting":  # resolved: waiting for the reporter to confirm
        return Thread.status == "resolved"
    raise NotFound("No such queue.")


async def queue_counts(viewer: Viewer) -> dict[str, int]:
    """How many threads each queue holds, in one statement."""
    now = clock.now()
    rows = await Thread.raw(
        "SELECT "
        "COALESCE(SUM(CASE WHEN t.status = 'new' THEN 1 ELSE 0 END), 0) AS new, "
        f"COALESCE(SUM(CASE WHEN t.status IN {_OPEN} AND t.assigned_to IS NULL THEN 1 ELSE 0 END), 0) "
        "AS unassigned, "
        f"COALESCE(SUM(CASE WHEN (t.status IN {_OPEN} OR t.status = 'resolved') AND t.assigned_to = {{}} "
        "THEN 1 ELSE 0 END), 0) AS mine, "
        f"COALESCE(SUM(CASE WHEN t.status IN {_AWAITING} AND t.due_at < {{}} THEN 1 ELSE 0 END), 0) AS overdue, "
        f"COALESCE(SUM(CASE WHEN t.status IN {_OPEN} AND c.emergency = {{}} THEN 1 ELSE 0 END), 0) AS urgent, "
        "COALESCE(SUM(CASE WHEN t.status = 'resolved' THEN 1 ELSE 0 END), 0) AS waiting "
        f"FROM thread t JOIN category c ON c.id = t.category WHERE t.status IN {_OPEN} OR t.status = 'resolved'",
        viewer.person_id,
        now,
        True,
    )
    row = rows[0] if rows else {}
    return {queue: int(row.get(queue) or 0) for queue in QUEUES}


@functools.cache
def _row_columns() -> tuple:
    return (
        Thread.id,
        Thread.title,
        Thread.status,
        Thread.house_number,
        Thread.segment.name_zh.as_alias("segment_name_zh"),
        Thread.segment.name_en.as_alias("segment_name_en"),
        Thread.created_at,
        Thread.due_at,
        Thread.assigned_to,
        Thread.assigned_to.display_name.as_alias("assignee_name"),
        Thread.category.emergency.as_alias("urgent"),
    )


def _row(row: dict, now: dt.datetime) -> DeskRow:
    return DeskRow(**row, overdue=is_overdue(row["status"], row["due_at"], now))


async def desk_queue(viewer: Viewer, queue: str, page: int = 1, per_page: int = 20) -> Page[DeskRow]:
    """One queue, most pressing first (earliest due); two statements per page whatever its size."""
    _require_staff(viewer)
    page, per_page = clamp(page, per_page)
    now = clock.now()
    condition = _queue_condition(queue, viewer, now)
    query = Thread.select(*_row_columns()).where(condition).order_by(Thread.due_at).order_by(Thread.id)
    count = Thread.select(Thread.id).where(condition)
    return await paginate(query, count, page, per_page, lambda row: _row(row, now))


async def thread_row(viewer: Viewer, thread_id: int) -> DeskRow:
    _require_staff(viewer)
    row = await Thread.select(*_row_columns()).where(Thread.id == thread_id).first()
    if row is None:
        raise NotFound("No such thread.")
    return _row(row, clock.now())


async def set_due(viewer: Viewer, thread_id: int, due_at: dt.datetime) -> None:
    """Staff move a thread's due time; audited."""
    _require_staff(viewer)
    async with write_transaction():
        before = await Thread.select(Thread.due_at).where(Thread.id == thread_id).first()
        if before is None:
            raise NotFound("No such thread.")
        await Thread.update({Thread.due_at: due_at}).where(Thread.id == thread_id)
        await record_change(
            actor_id=viewer.person_id,
            action="thread.due_changed",
            object_type="thread",
            object_id=thread_id,
            before={"due_at": before["due_at"].isoformat()},
            after={"due_at": due_at.isoformat()},
        )


def parse_due(text: str) -> dt.datetime:
    """A datetime-local value typed in the block's time zone, as UTC."""
    try:
        local = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise FormInvalid({"due_at": N_("Give a date and time, such as 2026-12-01 18:00.")}) from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=clock.BLOCK_TIMEZONE)
    if not 2000 <= local.year <= 2100:
        raise FormInvalid({"due_at": N_("Give a date and time, such as 2026-12-01 18:00.")})
    return local.astimezone(dt.UTC)


async def bulk_act(viewer: Viewer, thread_ids: list[int], form: BulkForm) -> int:
    """Assign, or move with a prepared answer, every selected thread: one transaction, each thread audited.
    Any thread that may not be moved refuses the whole batch, and nothing changes."""
    _require_staff(viewer)
    thread_ids = list(dict.fromkeys(thread_ids))
    if not thread_ids:
        raise Invalid("Select at least one thread.", field="thread_ids")
    if len(thread_ids) > MAX_BULK:
        raise Invalid("At most %(count)s threads at once.", field="thread_ids", count=MAX_BULK)
    reason = ""
    if form.action == "status":
        if not form.status:
            raise Invalid("Choose the new status.", field="status")
        if form.template_id is None:
            raise Invalid("Choose the answer the reporters will read.", field="template_id")
        template = (
            await ResponseTemplate.select(ResponseTemplate.body).where(ResponseTemplate.id == form.template_id).first()
        )
        if template is None:
            raise Invalid("Choose the answer the reporters will read.", field="template_id")
        reason = template["body"][:500]
    async with write_transaction():
        for thread_id in thread_ids:
            thread = await _locked_thread(thread_id)
            if form.action == "assign":
                await assign_locked(viewer, thread, form.staff_id)
                continue
            detail = await get_thread(viewer, thread_id)
            if form.status not in allowed_statuses(viewer, detail):
                raise Invalid(
                    "Thread %(number)s may not move to that status; nothing was changed.",
                    field="status",
                    number=thread_id,
                )
            await move_status(viewer, thread, form.status, reason)
    return len(thread_ids)


async def add_note(viewer: Viewer, thread_id: int, form: NoteForm) -> int:
    """An internal note: only staff write and read it; audited without its text."""
    _require_staff(viewer)
    async with write_transaction():
        if not await Thread.exists().where(Thread.id == thread_id):
            raise NotFound("No such thread.")
        rows = await StaffNote.insert(
            StaffNote(thread=thread_id, author=viewer.person_id, body=form.body.strip(), created_at=clock.now())
        ).returning(StaffNote.id)
        await record_change(
            actor_id=viewer.person_id,
            action="thread.note_added",
            object_type="thread",
            object_id=thread_id,
            after={"note": rows[0]["id"]},
        )
    return rows[0]["id"]


async def staff_panel(viewer: Viewer, thread_id: int) -> dict:
    """What only staff see on a thread page: the notes, who it came from if filed on someone's behalf, the
    staff to assign to. The one place that decides it: anyone else gets nothing at all."""
    from block_service.accounts.roles import list_staff

    if not viewer.is_staff:
        return {}
    notes = (
        await StaffNote.select(
            StaffNote.id,
            StaffNote.body,
            StaffNote.author.display_name.as_alias("author_name"),
            StaffNote.created_at,
        )
        .where(StaffNote.thread == thread_id)
        .order_by(StaffNote.id)
    )
    intake = (
        await Intake.select(
            Intake.source,
            Intake.work_order,
            Intake.caller_name,
            Intake.caller_contact,
            Intake.filed_by.display_name.as_alias("filed_by_name"),
        )
        .where(Intake.thread == thread_id)
        .first()
    )
    if intake and intake["filed_by_name"]:
        intake["filed_by_name"] = shown_name(intake["filed_by_name"])
    return {
        "staff_notes": [NoteOut(**row) for row in notes],
        "intake": intake,
        "staff_members": await list_staff(),
    }


async def file_on_behalf(viewer: Viewer, form: IntakeForm) -> int:
    """A report for someone who walked in or phoned (12345: with its work-order number); the public reads
    "registered by the workstation", and only staff see who it came from."""
    _require_staff(viewer)
    if form.source == "hotline" and not form.work_order.strip():
        raise FormInvalid({"work_order": N_("Give the 12345 work-order number.")})
    report = ThreadForm(
        kind="report",
        title=form.title,
        body=form.body,
        category_id=form.category_id,
        house_number=form.house_number,
    )
    return await open_thread(viewer, report, on_behalf=form)
