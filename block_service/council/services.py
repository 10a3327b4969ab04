"""A deleted account's council places: its seats cease, its nominations are withdrawn, its interests end."""

from __future__ import annotations

from block_service import clock
from block_service.council.tables import (
    Election,
    Interest,
    Nomination,
    Seat,
)


async def release_council_places_of(person_id: int) -> None:
    """Inside the caller's transaction: a deleted account's sitting seats cease (as a resignation, so staff
    may fill them from the runners-up), its live nominations in elections still nominating are withdrawn
    and its declared interests end. The history stays, under the label "a former merchant"."""
    now = clock.now()
    await Seat.update(
        {Seat.ceased_at: now, Seat.ceased_kind: "resigned", Seat.ceased_reason: "", Seat.ceased_by: person_id}
    ).where((Seat.person == person_id) & Seat.ceased_at.is_null())
    await Nomination.update({Nomination.status: "withdrawn"}).where(
        (Nomination.nominee == person_id)
        & Nomination.status.is_in(["proposed", "accepted"])
        & Nomination.election.is_in(Election.select(Election.id).where(Election.phase == "nominating"))
    )
    await Interest.update({Interest.withdrawn_at: now}).where(
        (Interest.person == person_id) & Interest.withdrawn_at.is_null()
    )
