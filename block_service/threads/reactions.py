"""Me too, mute and the evaluation of a resolved thread."""

from __future__ import annotations

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import duplicate_means, is_unique_violation, write_transaction
from block_service.errors import Conflict, Forbidden, NotFound
from block_service.threads.access import load_thread_for
from block_service.threads.schemas import (
    EvaluationForm,
)
from block_service.threads.tables import (
    Evaluation,
    MeToo,
    Mute,
    Thread,
)
from block_service.threads.workflow import _locked_thread, move_status


async def set_metoo(viewer: Viewer, thread_id: int, on: bool) -> int:
    """Add or remove my "me too"; setting it twice is harmless. Returns the new count."""
    try:
        return await _set_metoo(viewer, thread_id, on)
    except Exception as error:
        if not is_unique_violation(error):
            raise
        # A double tap raced itself to the unique index: the first one counted, which is what was meant.
        return (await Thread.select(Thread.metoo_count).where(Thread.id == thread_id).first())["metoo_count"]


async def _set_metoo(viewer: Viewer, thread_id: int, on: bool) -> int:
    await load_thread_for(viewer, thread_id)
    async with write_transaction():
        thread = await _locked_thread(thread_id)
        if thread["visibility"] != "public" or thread["hidden"]:
            raise NotFound("No such thread.")
        if on and thread["shop"] is not None and viewer.acts_for(thread["shop"]) and not viewer.is_staff:
            raise Forbidden("The merchants of the shop concerned do not add “me too” to a complaint about it.")
        exists = await MeToo.exists().where((MeToo.thread == thread_id) & (MeToo.person == viewer.person_id))
        if on and not exists:
            await MeToo.insert(MeToo(thread=thread_id, person=viewer.person_id, created_at=clock.now()))
            await Thread.update({Thread.metoo_count: Thread.metoo_count + 1}).where(Thread.id == thread_id)
        elif not on and exists:
            await MeToo.delete().where((MeToo.thread == thread_id) & (MeToo.person == viewer.person_id))
            await Thread.update({Thread.metoo_count: Thread.metoo_count - 1}).where(Thread.id == thread_id)
        count = await Thread.select(Thread.metoo_count).where(Thread.id == thread_id).first()
    return count["metoo_count"]


async def set_muted(viewer: Viewer, thread_id: int, muted: bool) -> None:
    await load_thread_for(viewer, thread_id)
    async with write_transaction():
        await _locked_thread(thread_id)
        exists = await Mute.exists().where((Mute.thread == thread_id) & (Mute.person == viewer.person_id))
        if muted and not exists:
            await Mute.insert(Mute(thread=thread_id, person=viewer.person_id))
        elif not muted and exists:
            await Mute.delete().where((Mute.thread == thread_id) & (Mute.person == viewer.person_id))


async def evaluate(viewer: Viewer, thread_id: int, form: EvaluationForm) -> str:
    """How the fix went, in one step; returns the thread's status afterwards.

    The reporter answers once the thread is resolved: 已解决 and 部分解决 close it, 没解决 reopens it, and the
    answer is their evaluation (a later answer, after a reopened thread is resolved again, replaces it).
    The me-too people (and a reporter who has not answered yet) evaluate a closed thread, once each.
    """
    await load_thread_for(viewer, thread_id)
    with duplicate_means(Conflict("You have already evaluated this fix.")):
        async with write_transaction():
            thread = await _locked_thread(thread_id)
            is_author = thread["author"] == viewer.person_id
            if thread["status"] == "resolved" and is_author:
                return await _confirm_fix(viewer, thread, form)
            if thread["status"] != "closed":
                raise Conflict("A fix is evaluated once it is marked resolved (by the reporter) or closed.")
            joined = await MeToo.exists().where((MeToo.thread == thread_id) & (MeToo.person == viewer.person_id))
            if not is_author and not joined:
                raise Forbidden("Only the reporter and the people who added “me too” evaluate the fix.")
            if await Evaluation.exists().where(
                (Evaluation.thread == thread_id) & (Evaluation.person == viewer.person_id)
            ):
                raise Conflict("You have already evaluated this fix.")
            await _record_evaluation(viewer, thread_id, form, replace=False)
            return thread["status"]


async def _confirm_fix(viewer: Viewer, thread: dict, form: EvaluationForm) -> str:
    """The reporter's answer to a resolved thread: the evaluation and the step it means, in one transaction."""
    status = "reopened" if form.fixed == "no" else "closed"
    await move_status(viewer, thread, status, form.comment)
    await _record_evaluation(viewer, thread["id"], form, replace=True)
    return status


async def _record_evaluation(viewer: Viewer, thread_id: int, form: EvaluationForm, *, replace: bool) -> None:
    mine = (Evaluation.thread == thread_id) & (Evaluation.person == viewer.person_id)
    if replace:
        await Evaluation.delete().where(mine)
    await Evaluation.insert(
        Evaluation(
            thread=thread_id,
            person=viewer.person_id,
            fixed=form.fixed,
            score=form.score,
            comment=form.comment,
            created_at=clock.now(),
        )
    )
    await record_change(
        actor_id=viewer.person_id,
        action="thread.evaluated",
        object_type="thread",
        object_id=thread_id,
        after={"fixed": form.fixed, "score": form.score},
    )
