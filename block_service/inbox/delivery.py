"""Delivering entries: one Notifier interface, the in-app inbox today; an SMS or WeChat sender plugs in beside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

import msgspec

from block_service.inbox.kinds import MAX_KIND_LENGTH
from block_service.inbox.schemas import Subject
from block_service.inbox.tables import InboxEntry

# Rows per INSERT statement: 9 values each stays well under both engines' limit on bound parameters.
ROWS_PER_INSERT = 1000


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    """One thing told to one person."""

    person_id: int
    subject: Subject
    event: str
    actor_name: str = ""
    actor_alias: str = ""  # e.g. "resident": an anonymous reporter, named to nobody (actor_name is then empty)
    actor_id: int | None = None
    detail: str = ""
    created_at: dt.datetime


class Notifier(Protocol):
    """A delivery channel. It runs inside the writing transaction, so it must only record, never call out;
    a sender for SMS or WeChat records here (its own queue table) and sends from its own worker."""

    async def send(self, notices: list[Notice]) -> None: ...


class InAppNotifier:
    async def send(self, notices: list[Notice]) -> None:
        """Plain multi-row INSERTs (one per ROWS_PER_INSERT recipients): it runs while the writer's turn is held."""
        for start in range(0, len(notices), ROWS_PER_INSERT):
            chunk = notices[start : start + ROWS_PER_INSERT]
            values = ", ".join(["({}, {}, {}, {}, {}, {}, {}, {}, {})"] * len(chunk))
            arguments = [
                value
                for n in chunk
                for value in (
                    n.person_id,
                    n.subject.kind,
                    n.subject.object_id,
                    n.event,
                    n.actor_name[:40],
                    n.actor_alias[:20],
                    n.actor_id,
                    n.detail[:200],
                    n.created_at,
                )
            ]
            await InboxEntry.raw(
                "INSERT INTO inbox_entry "
                "(person, kind, object_id, event, actor_name, actor_alias, actor, detail, created_at) "
                f"VALUES {values}",
                *arguments,
            )


NOTIFIERS: list[Notifier] = [InAppNotifier()]


async def deliver(
    people: Iterable[int],
    subject: Subject,
    event: str,
    *,
    now: dt.datetime,
    actor_name: str = "",
    actor_alias: str = "",
    detail: str = "",
    actor_id: int | None = None,
) -> int:
    """Tell these people (each once) about `event` on `subject`; returns how many were told.

    Records only: call it inside the write transaction of the change it tells about, so the entries exist
    exactly when the change does. The actor's name is stored once for every recipient, so it must be one
    they all may read (name an anonymous actor by an alias instead). `actor_id`, when given, lets erasing
    that person rename them in these entries.
    """
    if not subject.kind or len(subject.kind) > MAX_KIND_LENGTH or not event or len(event) > 30:
        raise ValueError(f"not an inbox kind and event: {subject.kind!r} {event!r}")
    notices = [
        Notice(
            person_id=person,
            subject=subject,
            event=event,
            actor_name=actor_name,
            actor_alias=actor_alias,
            actor_id=actor_id,
            detail=detail,
            created_at=now,
        )
        for person in sorted(set(people))
    ]
    if notices:
        for notifier in NOTIFIERS:
            await notifier.send(notices)
    return len(notices)
