"""Meeting notices through the shared inbox: invited, changed or cancelled, the reminder a day before, the minutes."""

from __future__ import annotations

from collections.abc import Iterable

from block_service.clock import now
from block_service.inbox import KindView, Subject, deliver, register_kind
from block_service.meetings.tables import Meeting


def N_(message: str) -> str:
    """Marks a msgid for the catalogue; the inbox translates it when it shows the entry."""
    return message


EVENTS = {
    "invited": N_("You are invited to a meeting"),
    "reminder": N_("A meeting you said you will attend starts within a day"),
    "minutes": N_("The minutes of a meeting you took part in are published"),
    "changed": N_("A meeting you are invited to has a new time, place or title"),
    "cancelled": N_("A meeting you are invited to is cancelled"),
}


async def describe(ids: list[int], viewer) -> dict[int, KindView]:
    """Inbox lines: each meeting's title and page, in one query (meetings are public)."""
    rows = await Meeting.select(Meeting.id, Meeting.title).where(Meeting.id.is_in(sorted(set(ids)) or [0]))
    return {row["id"]: KindView(title=row["title"], url=f"/meetings/{row['id']}") for row in rows}


register_kind("meeting", describe, EVENTS)


async def tell(people: Iterable[int], meeting_id: int, event: str, *, actor_name: str = "") -> int:
    """Record the notices inside the caller's write transaction; returns how many were recorded."""
    people = sorted({person for person in people if person})
    if not people:
        return 0
    return await deliver(people, Subject("meeting", meeting_id), event, now=now(), actor_name=actor_name)
