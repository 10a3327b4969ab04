"""Motion notices through the shared inbox: opening, the reminder before the close, the result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

try:  # the inbox domain lands beside this one
    from block_service.inbox import KindView, Subject, deliver, register_kind
except ImportError:  # pragma: no cover - removed once inbox is merged
    KindView = Subject = deliver = register_kind = None

from block_service.council.motion_tables import Motion


def N_(message: str) -> str:
    """Marks a msgid for the catalogue; the inbox translates it when it shows the entry."""
    return message


EVENTS = {
    "opened": N_("A council motion is open for your vote"),
    "reminder": N_("A council motion closes within 24 hours and you have not voted"),
    "result": N_("A council motion has closed with its result"),
}


async def describe(ids: list[int], viewer) -> dict:
    """Inbox lines: each motion's title and page, in one query."""
    rows = await Motion.select(Motion.id, Motion.title).where(Motion.id.is_in(sorted(set(ids)) or [0]))
    return {row["id"]: KindView(title=row["title"], url=f"/motions/{row['id']}") for row in rows}


if register_kind is not None:
    register_kind("motion", describe, EVENTS)


async def notify(people: Iterable[int], motion_id: int, event: str, *, now: dt.datetime, detail: str = "") -> None:
    """Inside the caller's transaction: one inbox entry per person."""
    people = sorted({person for person in people if person})
    if deliver is None or not people:
        return
    await deliver(people, Subject("motion", motion_id), event, now=now, detail=detail)
