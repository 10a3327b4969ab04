"""Council seats: who sits (derived, never stored), positions, resigning, removal and filling a vacated seat.

Sitting members are the seats of the current term (today between its start and end) that have not ceased.
The "council" role of a person comes from the same rule (accounts.load_viewer).
"""

from __future__ import annotations

import functools

import msgspec

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import block_today
from block_service.council.ballots import _nomination_facts
from block_service.council.counting import Placement, next_runner_up
from block_service.council.schemas import (
    POSITIONS,
    SINGLE_POSITIONS,
    PositionForm,
    SeatOut,
)
from block_service.council.tables import (
    Election,
    Seat,
)
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, NotFound


@functools.cache
def _seat_columns() -> tuple:
    """Built once: Piccolo's joined columns are costly to build for every query."""
    return (
        Seat.id,
        Seat.term.as_alias("term_id"),
        Seat.person.as_alias("person_id"),
        Seat.person.display_name.as_alias("display_name"),
        Seat.shop.as_alias("shop_id"),
        Seat.shop.name.as_alias("shop_name"),
        Seat.shop.house_number.as_alias("house_number"),
        Seat.position,
        Seat.source,
        Seat.reserved_segment.as_alias("reserved_segment_id"),
        Seat.reserved_segment.name_zh.as_alias("reserved_segment_name_zh"),
        Seat.reserved_segment.name_en.as_alias("reserved_segment_name_en"),
        Seat.replaces,
        Seat.started_at,
        Seat.ceased_at,
        Seat.ceased_kind,
        Seat.ceased_reason,
    )


def _position_order(seat: SeatOut) -> tuple:
    return (POSITIONS.index(seat.position) if seat.position in POSITIONS else len(POSITIONS), seat.started_at, seat.id)


async def seats_of_term(term_id: int) -> list[SeatOut]:
    """Every seat of a term, sitting ones first by position, then the ceased ones."""
    rows = await Seat.select(*_seat_columns()).where(Seat.term == term_id).order_by(Seat.id)
    seats = [msgspec.convert(row, SeatOut) for row in rows]
    replaced = {seat.replaces for seat in seats if seat.replaces}
    for seat in seats:
        seat.replaced = seat.id in replaced
    return sorted(seats, key=lambda seat: (seat.ceased_at is not None, _position_order(seat)))


async def is_sitting(person_id: int) -> bool:
    """A seat of the current term that has not ceased. accounts.people.load_viewer applies the same rule in its
    one statement (accounts sits below council); a test checks that the two agree at every boundary."""
    today = block_today()
    return await Seat.exists().where(
        (Seat.person == person_id)
        & Seat.ceased_at.is_null()
        & (Seat.term.starts_on <= today)
        & (Seat.term.ends_on >= today)
    )


async def term_of_seat(seat_id: int) -> int:
    row = await Seat.select(Seat.term).where(Seat.id == seat_id).first()
    if row is None:
        raise NotFound("No such seat.")
    return row["term"]


async def _seat_for_change(seat_id: int) -> dict:
    seat = (
        await Seat.select(
            Seat.id,
            Seat.term,
            Seat.person,
            Seat.shop,
            Seat.position,
            Seat.ceased_at,
            Seat.reserved_segment,
            Seat.term.ends_on.as_alias("term_ends_on"),
            Seat.term.seats.as_alias("term_seats"),
        )
        .where(Seat.id == seat_id)
        .first()
    )
    if seat is None:
        raise NotFound("No such seat.")
    return seat


async def assign_position(staff: Viewer, seat_id: int, form: PositionForm) -> None:
    """Staff record a position (as the council decided it); a chair or secretary before them becomes a member."""
    with duplicate_means(Conflict("Someone else changed the positions at the same moment. Reload and check.")):
        async with write_transaction():
            seat = await _seat_for_change(seat_id)
            if seat["ceased_at"] is not None:
                raise Conflict("This member has ceased; their seat no longer has a position.")
            if seat["position"] == form.position:
                return
            if form.position in SINGLE_POSITIONS:
                previous = (
                    await Seat.update({Seat.position: "member"})
                    .where((Seat.term == seat["term"]) & (Seat.position == form.position) & Seat.ceased_at.is_null())
                    .returning(Seat.id)
                )
                for row in previous:
                    await record_change(
                        actor_id=staff.person_id,
                        action="council_seat.position",
                        object_type="council_seat",
                        object_id=row["id"],
                        before={"position": form.position},
                        after={"position": "member"},
                    )
            await Seat.update({Seat.position: form.position}).where(Seat.id == seat_id)
            await record_change(
                actor_id=staff.person_id,
                action="council_seat.position",
                object_type="council_seat",
                object_id=seat_id,
                before={"position": seat["position"]},
                after={"position": form.position},
            )


async def resign_seat(viewer: Viewer, seat_id: int, reason: str) -> None:
    """A member gives up their own seat, with a reason the council page shows."""
    await _cease(viewer, seat_id, reason, kind="resigned")


async def remove_seat(staff: Viewer, seat_id: int, reason: str) -> None:
    """Staff remove a member, with a reason the council page shows."""
    await _cease(staff, seat_id, reason, kind="removed")


async def _cease(actor: Viewer, seat_id: int, reason: str, kind: str) -> None:
    async with write_transaction():
        seat = await _seat_for_change(seat_id)
        if kind == "resigned" and seat["person"] != actor.person_id:
            raise Forbidden("Only the member themself may resign their seat.")
        if seat["ceased_at"] is not None:
            raise Conflict("This member has already ceased.")
        await Seat.update(
            {
                Seat.ceased_at: clock.now(),
                Seat.ceased_kind: kind,
                Seat.ceased_reason: reason,
                Seat.ceased_by: actor.person_id,
            }
        ).where(Seat.id == seat_id)
        await record_change(
            actor_id=actor.person_id,
            action=f"council_seat.{kind}",
            object_type="council_seat",
            object_id=seat_id,
            before={"person": seat["person"], "position": seat["position"]},
            after={"ceased": kind, "reason": reason},
        )


async def fill_seat(staff: Viewer, seat_id: int) -> int:
    """A ceased member's seat goes to the next runner-up of the term's election (see counting.py)."""
    with duplicate_means(Conflict("This seat has already been filled.")):
        async with write_transaction():
            seat = await _seat_for_change(seat_id)
            if seat["ceased_at"] is None:
                raise Conflict("This seat is still held; only a ceased member's seat can be filled.")
            if seat["term_ends_on"] < block_today():
                raise Conflict("This term has ended.")
            if await Seat.exists().where(Seat.replaces == seat_id):
                raise Conflict("This seat has already been filled.")
            election = (
                await Election.select(Election.id, Election.results)
                .where((Election.term == seat["term"]) & (Election.phase == "closed"))
                .first()
            )
            if election is None or not election["results"]:
                raise Conflict("This term has no counted election to take runners-up from.")
            results = msgspec.json.decode(election["results"])
            runners = [msgspec.convert(item, Placement) for item in results["runners_up"]]
            nominations = await _nomination_facts(election["id"])
            seated = {row["person"] for row in await Seat.select(Seat.person).where(Seat.term == seat["term"])}
            taken = {nid for nid, facts in nominations.items() if facts["nominee"] in seated or not facts["eligible"]}
            chosen = next_runner_up(runners, taken, seat["reserved_segment"])
            if chosen is None:
                raise Conflict("No runner-up is left: the seat stays empty until the next election.")
            facts = nominations[chosen.candidate_id]
            keeps_reservation = seat["reserved_segment"] is not None and chosen.segment_id == seat["reserved_segment"]
            rows = await Seat.insert(
                Seat(
                    term=seat["term"],
                    person=facts["nominee"],
                    shop=facts["shop"],
                    source="runner_up",
                    election=election["id"],
                    reserved_segment=seat["reserved_segment"] if keeps_reservation else None,
                    replaces=seat_id,
                    started_at=clock.now(),
                )
            ).returning(Seat.id)
            new_id = rows[0]["id"]
            await record_change(
                actor_id=staff.person_id,
                action="council_seat.filled",
                object_type="council_seat",
                object_id=new_id,
                after={"replaces": seat_id, "person": facts["nominee"], "nomination": chosen.candidate_id},
            )
    return new_id
