"""Notifications go out through one interface: the in-app inbox today; an SMS or WeChat sender plugs in beside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

import msgspec

from block_service.threads.tables import Mute, Notification


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    person_id: int
    thread_id: int
    event: str  # opened | answer | status | moderation | evaluate | assigned
    actor_name: str = ""
    actor_alias: str = ""  # "resident": an anonymous reporter, named to nobody (actor_name is then empty)
    detail: str = ""
    created_at: dt.datetime


class Notifier(Protocol):
    """A delivery channel. It runs inside the writing transaction, so it must only record, never call out;
    a sender for SMS or WeChat records here and sends from its own worker."""

    async def send(self, notices: list[Notice]) -> None: ...


class InAppNotifier:
    async def send(self, notices: list[Notice]) -> None:
        """One plain multi-row INSERT: it runs while the writer's turn is held."""
        if not notices:
            return
        values = ", ".join(["({}, {}, {}, {}, {}, {}, {})"] * len(notices))
        arguments = [
            value
            for n in notices
            for value in (
                n.person_id,
                n.thread_id,
                n.event,
                n.actor_name[:40],
                n.actor_alias[:20],
                n.detail[:200],
                n.created_at,
            )
        ]
        await Notification.raw(
            "INSERT INTO notification (person, thread, event, actor_name, actor_alias, detail, created_at) "
            f"VALUES {values}",
            *arguments,
        )


NOTIFIERS: list[Notifier] = [InAppNotifier()]


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
) -> int:
    """Tell these people about an event on a thread, except those who muted it.

    The actor's name is stored once for every recipient, so it must be one they all may read: callers name
    an anonymous reporter by alias only (threads.services.notice_actor).
    """
    recipients = await unmuted(people, thread_id) if respect_mutes else set(people)
    notices = [
        Notice(
            person_id=person,
            thread_id=thread_id,
            event=event,
            actor_name=actor_name,
            actor_alias=actor_alias,
            detail=detail,
            created_at=now,
        )
        for person in sorted(recipients)
    ]
    for notifier in NOTIFIERS:
        await notifier.send(notices)
    return len(notices)
