"""The council count: seats reserved by region first, the rest by votes; a pure function, no database.

The rule, as the election page states it:
1. Every regional group (road segment) with at least one candidate gets one seat, for its candidate
   with the most votes. If there are more such regions than seats, the regions whose top candidate
   has more votes get them.
2. The remaining seats go to the other candidates with the most votes.
3. Ties are broken by the same order everywhere: more votes first; then the candidate whose
   nomination was accepted earlier; then the lower candidate number.
4. With fewer candidates than seats, every candidate is elected and the other seats stay empty.
The candidates not elected stay in order as runners-up: a seat that falls empty during the term goes
to the first runner-up from the seat's reserved region if there is one, else to the first runner-up.
"""

from __future__ import annotations

import datetime as dt

import msgspec


class Candidate(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    votes: int
    segment_id: int
    accepted_at: dt.datetime


class Placement(msgspec.Struct, frozen=True, kw_only=True):
    candidate_id: int
    votes: int
    segment_id: int
    # The segment whose reserved seat this candidate took, or None for a seat won on votes alone.
    reserved_segment_id: int | None = None


class CountResult(msgspec.Struct, frozen=True, kw_only=True):
    seats: int
    elected: list[Placement]
    runners_up: list[Placement]

    @property
    def empty_seats(self) -> int:
        return self.seats - len(self.elected)


def rank_key(candidate: Candidate) -> tuple:
    """More votes first, then the earlier accepted nomination, then the lower candidate number."""
    return (-candidate.votes, candidate.accepted_at, candidate.id)


def count_seats(candidates: list[Candidate], seats: int) -> CountResult:
    ranked = sorted(candidates, key=rank_key)
    top_of_region: dict[int, Candidate] = {}
    for candidate in ranked:
        top_of_region.setdefault(candidate.segment_id, candidate)
    # Already in rank order, so the strongest regions win when there are fewer seats than regions.
    reserved = list(top_of_region.values())[: max(seats, 0)]
    reserved_ids = {candidate.id for candidate in reserved}
    on_votes = [candidate for candidate in ranked if candidate.id not in reserved_ids]
    open_seats = max(seats - len(reserved), 0)
    by_votes, runners = on_votes[:open_seats], on_votes[open_seats:]
    position = {candidate.id: index for index, candidate in enumerate(ranked)}
    elected = [_place(c, reserved=True) for c in reserved] + [_place(c, reserved=False) for c in by_votes]
    elected.sort(key=lambda placement: position[placement.candidate_id])
    return CountResult(seats=max(seats, 0), elected=elected, runners_up=[_place(c, reserved=False) for c in runners])


def next_runner_up(runners_up: list[Placement], taken: set[int], segment_id: int | None) -> Placement | None:
    """Who fills an empty seat: the first runner-up from the seat's reserved region, else the first one."""
    available = [placement for placement in runners_up if placement.candidate_id not in taken]
    if segment_id is not None:
        for placement in available:
            if placement.segment_id == segment_id:
                return placement
    return available[0] if available else None


def _place(candidate: Candidate, reserved: bool) -> Placement:
    return Placement(
        candidate_id=candidate.id,
        votes=candidate.votes,
        segment_id=candidate.segment_id,
        reserved_segment_id=candidate.segment_id if reserved else None,
    )
