"""The council page and the staff desk, composed from terms, seats, elections and interests."""

from __future__ import annotations

from block_service.council.elections import election_summaries, list_elections
from block_service.council.interests import interests_of
from block_service.council.schemas import (
    CouncilOut,
    SeatOut,
    StaffDesk,
)
from block_service.council.seats import seats_of_term
from block_service.council.tables import (
    Election,
)
from block_service.council.terms import current_term, get_term, list_terms
from block_service.groups.membership import groups_of_shops


async def get_council() -> CouncilOut:
    """The current term, its sitting members with positions, shops, groups and interests, and the elections."""
    term = await current_term()
    members: list[SeatOut] = []
    ceased: list[SeatOut] = []
    if term:
        seats = await seats_of_term(term.id)
        members = [seat for seat in seats if seat.ceased_at is None]
        ceased = [seat for seat in seats if seat.ceased_at is not None]
        groups = await groups_of_shops([seat.shop_id for seat in members])
        interests = await interests_of([seat.person_id for seat in members])
        for seat in members:
            seat.groups = groups.get(seat.shop_id, [])
            seat.interests = interests.get(seat.person_id, [])
    return CouncilOut(
        term=term,
        members=members,
        ceased=ceased,
        empty_seats=max((term.seats if term else 0) - len(members), 0),
        elections=await list_elections(),
    )


async def staff_desk(term_id: int | None = None, page: int = 1) -> StaffDesk:
    """Terms a page at a time, their elections, and every seat of the chosen term (the current one by default)."""
    terms = await list_terms(page)
    elections = {}
    if terms.items:
        found = await election_summaries(Election.term.is_in([term.id for term in terms.items]))
        elections = {election.term_id: election for election in reversed(found)}  # the newest of a term wins
    term = await get_term(term_id) if term_id else await current_term()
    if term is None and terms.items:
        term = terms.items[0]
    if term and term.id not in elections:
        found = await election_summaries(Election.term == term.id, limit=1)
        if found:
            elections[term.id] = found[0]
    return StaffDesk(terms=terms, elections=elections, term=term, seats=await seats_of_term(term.id) if term else [])
