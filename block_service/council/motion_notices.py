"""Motion notices through the shared inbox: opening, the reminder before the close, the result.
(How the inbox names and words them is registered in motion_controllers.py.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from block_service.council.motion_tables import Motion
from block_service.inbox import Subject, deliver

KIND = "motion"


async def motion_titles(motion_ids: list[int]) -> dict[int, str]:
    """Motions are public: every motion asked for that exists, by title (one statement)."""
    rows = await Motion.select(Motion.id, Motion.title).where(Motion.id.is_in(sorted(set(motion_ids)) or [0]))
    return {row["id"]: row["title"] for row in rows}


async def notify(people: Iterable[int], motion_id: int, event: str, *, now: dt.datetime, detail: str = "") -> None:
    """Inside the caller's transaction: one inbox entry per person."""
    people = sorted({person for person in people if person})
    if people:
        await deliver(people, Subject(KIND, motion_id), event, now=now, detail=detail)
