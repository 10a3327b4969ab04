"""One thread's page: the thread, its messages and its evaluations."""

from __future__ import annotations

import functools

import msgspec

from block_service.accounts.schemas import Viewer
from block_service.db import run_frozen
from block_service.threads.access import (
    _is_author,
    allowed_statuses,
    author_label,
    get_thread,
    sees_photos_before_approval,
)
from block_service.threads.schemas import (
    EvaluationSummary,
    MessageOut,
    PhotoOut,
    ThreadDetail,
    ThreadPage,
)
from block_service.threads.tables import (
    Evaluation,
    Message,
    Photo,
    Thread,
)


async def get_thread_page(viewer: Viewer, thread_id: int, after_message: int = 0) -> ThreadPage:
    thread = await get_thread(viewer, thread_id)
    messages = await list_messages(viewer, thread, after_message)
    photos = await run_frozen(
        ("photos", thread_id),
        lambda: (
            Photo.select(Photo.id, Photo.file_name, Photo.width, Photo.height, Photo.approved)
            .where(Photo.thread == thread_id)
            .order_by(Photo.id)
        ),
    )
    if not sees_photos_before_approval(viewer, thread):
        photos = [photo for photo in photos if photo["approved"]]
    evaluations = await _evaluation_summary(thread_id)
    metoo = muted = evaluated = False
    if viewer.is_signed_in:
        states = await Thread.raw(
            "SELECT "
            "EXISTS(SELECT 1 FROM me_too WHERE thread = {} AND person = {}) AS metoo, "
            "EXISTS(SELECT 1 FROM thread_mute WHERE thread = {} AND person = {}) AS muted, "
            "EXISTS(SELECT 1 FROM evaluation WHERE thread = {} AND person = {}) AS evaluated",
            thread_id,
            viewer.person_id,
            thread_id,
            viewer.person_id,
            thread_id,
            viewer.person_id,
        )
        metoo, muted, evaluated = (bool(states[0][key]) for key in ("metoo", "muted", "evaluated"))
    is_author = _is_author(viewer, thread)
    return ThreadPage(
        thread=thread,
        messages=messages,
        photos=[msgspec.convert(p, PhotoOut) for p in photos],
        evaluations=evaluations,
        allowed_statuses=allowed_statuses(viewer, thread),
        viewer_metoo=metoo,
        viewer_muted=muted,
        viewer_evaluated=evaluated,
        viewer_may_evaluate=(thread.status == "resolved" and is_author)
        or (thread.status == "closed" and (is_author or metoo) and not evaluated),
        viewer_may_answer=viewer.is_signed_in and not thread.hidden,
        viewer_answers_officially=viewer.is_staff or (thread.shop_id is not None and viewer.acts_for(thread.shop_id)),
        viewer_is_author=is_author,
    )


@functools.cache
def _message_columns() -> tuple:
    return (
        Message.id,
        Message.kind,
        Message.author.as_alias("author_id"),
        Message.author.display_name.as_alias("author_name"),
        Message.thread.author.as_alias("reporter_id"),
        Message.official,
        Message.body,
        Message.status_from,
        Message.status_to,
        Message.hidden,
        Message.hidden_reason,
        Message.created_at,
    )


async def list_messages(viewer: Viewer, thread: ThreadDetail, after_message: int = 0) -> list[MessageOut]:
    def build():
        query = Message.select(*_message_columns()).where(Message.thread == thread.id)
        if after_message:
            query = query.where(Message.id > after_message)
        return query.order_by(Message.created_at).order_by(Message.id)

    out = []
    for row in await run_frozen(("messages", thread.id, after_message), build):
        author_id = row.pop("author_id")
        author_name = row.pop("author_name")
        # Compared with the reporter's id from the database: the thread as shown may not carry it.
        reporter_id = row.pop("reporter_id")
        if author_id is not None and author_id == reporter_id:
            # The reporter's own messages are as anonymous as the report itself.
            label = thread.author_label
        else:
            label = author_label(
                viewer,
                author_id=author_id,
                author_name=author_name,
                anonymous=False,
                name_to_shop=False,
                shop_id=thread.shop_id,
            )
        if row["hidden"] and not viewer.is_staff and viewer.person_id != author_id:
            row["body"] = ""
        out.append(MessageOut(**row, author_label=label, mine=author_id is not None and viewer.person_id == author_id))
    return out


async def _evaluation_summary(thread_id: int) -> EvaluationSummary:
    rows = await run_frozen(
        ("evaluations", thread_id),
        lambda: Evaluation.select(Evaluation.fixed, Evaluation.score).where(Evaluation.thread == thread_id),
    )
    scores = [row["score"] for row in rows]
    return EvaluationSummary(
        count=len(rows),
        fixed_yes=sum(row["fixed"] == "yes" for row in rows),
        fixed_partly=sum(row["fixed"] == "partly" for row in rows),
        fixed_no=sum(row["fixed"] == "no" for row in rows),
        average_score=round(sum(scores) / len(scores), 1) if scores else None,
    )
