"""Telling people about a thread: the thread's mutes here, the delivery itself through the shared inbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from block_service import inbox
from block_service.threads.tables import Mute

KIND = "thread"


def subject(thread_id: int) -> inbox.Subject:
    return inbox.Subject(KIND, thread_id)


async def unmuted(people: Iterable[int], thread_id: int) -> set[int]:
    """These people, less those who muted the thread."""
    recipients = set(people)
    if recipients:
        marks = ", ".join(["{}"] * len(recipients))
        muted = await Mute.raw(
            f"SELECT person FROM thread_mute WHERE thread = {{}} AND person IN ({marks})",
            thread_id,
            *sorted(recipients),
        )
        recipients -= {row["person"] for row in muted}
    return recipients


async def deliver(
    people: Iterable[int],
    thread_id: int,
    event: str,
    *,
    actor_name: str,
    now: dt.datetime,
    detail: str = "",
    respect_mutes: bool = True,
    actor_alias: str = "",
    actor_id: int | None = None,
) -> int:
    """Tell these people about an event on a thread (opened | answer | status | moderation | evaluate |
    assigned), except those who muted it.

    The actor's name is stored once for every recipient, so it must be one they all may read: callers name
    an anonymous reporter by alias only (threads.services.notice_actor), and then no actor id is kept either.
    """
    recipients = await unmuted(people, thread_id) if respect_mutes else set(people)
    return await inbox.deliver(
        recipients,
        subject(thread_id),
        event,
        now=now,
        actor_name=actor_name,
        actor_alias=actor_alias,
        detail=detail,
        actor_id=None if actor_alias else actor_id,
    )
