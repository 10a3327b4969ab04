"""Open reports as markers on the road's strip map (groups/strip.py), and the map of a thread's place."""

from __future__ import annotations

from block_service.db.kept import kept
from block_service.groups.schemas import StripMap, StripMarker
from block_service.groups.strip import MAX_MARKERS_PER_KIND, around, register_markers
from block_service.i18n import N_
from block_service.threads.schemas import OPEN_STATUSES, ThreadDetail
from block_service.threads.tables import Thread


async def open_reports_between(first_number: int, last_number: int) -> list[StripMarker]:
    """Open public threads in this range of house numbers (what every visitor may see), oldest first."""
    rows = (
        await Thread.select(Thread.id, Thread.title, Thread.house_number, Thread.street_number)
        .where(
            Thread.status.is_in(list(OPEN_STATUSES))
            & (Thread.visibility == "public")
            & (Thread.hidden == False)  # noqa: E712
            & (Thread.street_number >= first_number)
            & (Thread.street_number <= last_number)
        )
        .order_by(Thread.created_at)
        .limit(MAX_MARKERS_PER_KIND)
    )
    return [
        StripMarker(
            street_number=row["street_number"],
            kind="report",
            label=row["title"],
            href=f"/threads/{row['id']}",
            house_number=row["house_number"],
        )
        for row in rows
    ]


register_markers(
    "report",
    N_("Open reports"),
    open_reports_between,
    count=N_("Open reports: %(num)s"),
    shape="diamond",
    order=20,
)


# A thread's map: house numbers each way, and markers of each kind, nearest first (the segment is a tap away).
PLACE_MAP_REACH = 12
PLACE_MAP_MARKERS = 12


async def place_map(thread: ThreadDetail) -> StripMap:
    """The doors around the thread's place, within its segment, with what is on them; its place highlighted.
    The same for every reader (public markers only): kept until the next write."""
    return await kept(("thread place map", thread.id), lambda: _place_map(thread))


async def _place_map(thread: ThreadDetail) -> StripMap:
    here = StripMarker(
        street_number=thread.street_number,
        kind="report",
        label=thread.title,
        href=f"/threads/{thread.id}",
        house_number=thread.house_number,
    )
    return await around(thread.segment_id, here, PLACE_MAP_REACH, PLACE_MAP_MARKERS)
