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
from block_service.threads.workflow import _locked_thread


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


async def evaluate(viewer: Viewer, thread_id: int, form: EvaluationForm) -> None:
    """The reporter and the me-too people say whether it was fixed, once each, after closing."""
    await load_thread_for(viewer, thread_id)
    with duplicate_means(Conflict("You have already evaluated this fix.")):
        async with write_transaction():
            thread = await _locked_thread(thread_id)
            if thread["status"] != "closed":
                raise Conflict("A thread is evaluated once it is closed.")
            joined = await MeToo.exists().where((MeToo.thread == thread_id) & (MeToo.person == viewer.person_id))
            if thread["author"] != viewer.person_id and not joined:
                raise Forbidden("Only the reporter and the people who added “me too” evaluate the fix.")
            if await Evaluation.exists().where(
                (Evaluation.thread == thread_id) & (Evaluation.person == viewer.person_id)
            ):
                raise Conflict("You have already evaluated this fix.")
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
