"""The council count on hand-made cases: reserved regional seats, ties, few candidates, silent regions."""

import datetime as dt

from block_service.council.counting import Candidate, Placement, count_seats, next_runner_up

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
NORTH, MIDDLE, NODE, SOUTH = 1, 2, 3, 5


def cand(candidate_id: int, votes: int, segment: int, minutes: int | None = None) -> Candidate:
    """A candidate whose nomination was accepted `minutes` after T0 (by default, in id order)."""
    accepted = T0 + dt.timedelta(minutes=candidate_id if minutes is None else minutes)
    return Candidate(id=candidate_id, votes=votes, segment_id=segment, accepted_at=accepted)


def elected_ids(result) -> list[int]:
    return [placement.candidate_id for placement in result.elected]


def test_every_region_with_a_candidate_gets_a_seat_before_the_rest_go_by_votes():
    # North has the three strongest candidates, the node and the south one weak one each.
    candidates = [cand(1, 30, NORTH), cand(2, 28, NORTH), cand(3, 25, NORTH), cand(4, 3, NODE), cand(5, 2, SOUTH)]
    result = count_seats(candidates, seats=4)
    assert elected_ids(result) == [1, 2, 4, 5]
    reserved = {p.candidate_id: p.reserved_segment_id for p in result.elected}
    assert reserved == {1: NORTH, 2: None, 4: NODE, 5: SOUTH}
    assert [p.candidate_id for p in result.runners_up] == [3]
    assert result.empty_seats == 0


def test_a_region_without_candidates_reserves_nothing_and_its_seat_goes_by_votes():
    # Middle and south have nobody standing: only north and the node reserve a seat.
    candidates = [cand(1, 10, NORTH), cand(2, 9, NORTH), cand(3, 8, NORTH), cand(4, 1, NODE)]
    result = count_seats(candidates, seats=3)
    assert elected_ids(result) == [1, 2, 4]
    assert {p.reserved_segment_id for p in result.elected} == {NORTH, NODE, None}
    assert [p.candidate_id for p in result.runners_up] == [3]


def test_fewer_candidates_than_seats_elects_all_and_leaves_seats_empty():
    result = count_seats([cand(1, 0, NORTH), cand(2, 4, SOUTH)], seats=5)
    assert elected_ids(result) == [2, 1]
    assert result.runners_up == []
    assert result.empty_seats == 3


def test_no_candidates_leaves_every_seat_empty():
    result = count_seats([], seats=5)
    assert result.elected == [] and result.empty_seats == 5


def test_a_tie_goes_to_the_earlier_accepted_nomination():
    # Same votes: candidate 7 accepted at minute 2, candidate 3 at minute 9.
    candidates = [cand(1, 20, NORTH), cand(3, 5, NORTH, minutes=9), cand(7, 5, NORTH, minutes=2)]
    result = count_seats(candidates, seats=2)
    assert elected_ids(result) == [1, 7]
    assert [p.candidate_id for p in result.runners_up] == [3]


def test_a_tie_accepted_at_the_same_moment_goes_to_the_lower_candidate_number():
    candidates = [cand(9, 5, NORTH, minutes=1), cand(4, 5, NORTH, minutes=1)]
    result = count_seats(candidates, seats=1)
    assert elected_ids(result) == [4]


def test_the_tie_rule_also_decides_a_regions_own_top_candidate():
    candidates = [cand(2, 6, SOUTH, minutes=5), cand(5, 6, SOUTH, minutes=3), cand(1, 9, NORTH)]
    result = count_seats(candidates, seats=2)
    assert elected_ids(result) == [1, 5]
    assert next(p for p in result.elected if p.candidate_id == 5).reserved_segment_id == SOUTH


def test_more_regions_than_seats_the_regions_with_stronger_top_candidates_win():
    candidates = [cand(1, 4, NORTH), cand(2, 9, MIDDLE), cand(3, 7, NODE), cand(4, 7, SOUTH, minutes=0)]
    result = count_seats(candidates, seats=2)
    # Middle (9) first; node and south tie on 7, south's nomination was accepted earlier.
    assert elected_ids(result) == [2, 4]
    assert all(p.reserved_segment_id is not None for p in result.elected)
    assert [p.candidate_id for p in result.runners_up] == [3, 1]


def test_reserved_seats_do_not_change_the_order_of_the_runners_up():
    candidates = [cand(1, 50, NORTH), cand(2, 40, NORTH), cand(3, 30, NORTH), cand(4, 20, NORTH), cand(5, 1, SOUTH)]
    result = count_seats(candidates, seats=3)
    assert elected_ids(result) == [1, 2, 5]
    assert [p.candidate_id for p in result.runners_up] == [3, 4]


def test_zero_votes_still_fill_seats_when_nobody_else_stands():
    result = count_seats([cand(1, 0, NORTH), cand(2, 0, NORTH)], seats=1)
    assert elected_ids(result) == [1]


def test_an_empty_seat_goes_to_the_first_runner_up_of_its_reserved_region():
    runners = [
        Placement(candidate_id=3, votes=9, segment_id=NORTH),
        Placement(candidate_id=6, votes=2, segment_id=SOUTH),
    ]
    assert next_runner_up(runners, taken=set(), segment_id=SOUTH).candidate_id == 6
    assert next_runner_up(runners, taken=set(), segment_id=None).candidate_id == 3
    # Nobody left from the reserved region: the first runner-up overall.
    assert next_runner_up(runners, taken={6}, segment_id=SOUTH).candidate_id == 3
    assert next_runner_up(runners, taken={3, 6}, segment_id=None) is None
