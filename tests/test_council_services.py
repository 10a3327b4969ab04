"""Council rules: terms, nominations, one secret ballot per shop, the count, seats, cessation, interests."""

import asyncio

import pytest

from block_service import clock
from block_service.accounts.people import load_viewer
from block_service.audit.tables import AuditEntry
from block_service.council import ballots, elections, interests, nominations, pages, seats
from block_service.council.schemas import (
    AcceptForm,
    BallotForm,
    InterestForm,
    NominateForm,
    PositionForm,
    StandForm,
)
from block_service.council.tables import Approval, Election, Nomination, Seat, ShopVoted, Tally
from block_service.errors import Conflict, Forbidden, FormInvalid, Invalid
from tests.council_helpers import make_election, make_term, merchant, shop_of, staff_viewer, stand, zh
from tests.helpers import make_person, viewer_for


async def _tallies(election_id: int) -> dict[int, int]:
    """Approvals stored per candidate of the election (the tallies themselves stay at zero until the close)."""
    votes = {row["nomination"]: 0 for row in await Tally.select(Tally.nomination).where(Tally.election == election_id)}
    for row in await Approval.select(Approval.nomination).where(Approval.election == election_id):
        votes[row["nomination"]] += 1
    return votes


async def _vote(voter, election_id: int, *candidates: int) -> None:
    await ballots.cast_ballot(voter, election_id, BallotForm(shop_id=shop_of(voter), candidates=list(candidates)))


@pytest.fixture
async def block(db):
    """Staff, a running term of 3 seats with an election open for nominations, and merchants across the road."""
    staff = await staff_viewer()
    term_id = await make_term(staff, seats=3)
    election_id = await make_election(staff, term_id)
    people = {
        "zhang": await merchant("张师傅", "1143号", "老张生煎"),  # lane 1141 node
        "chen": await merchant("陈经理", "1152号", "好邻居便利店"),  # lane 1141 node
        "li": await merchant("李老板", "1021号", "凌岩水果店"),  # north
        "zhao": await merchant("赵老师", "1235号", "小书童托管班"),  # south
        "zhou": await merchant("周老板", "1117号", "川味小面馆"),  # upper middle
    }
    return {"staff": staff, "term": term_id, "election": election_id, **people}


async def test_terms_may_not_overlap_and_their_numbers_are_unique(db):
    staff = await staff_viewer()
    await make_term(staff, number=1)
    with pytest.raises(FormInvalid) as overlap:
        await make_term(staff, number=2, started_days_ago=10)
    assert overlap.value.errors == {"starts_on": zh("These dates overlap term %(number)s.", number=1)}
    with pytest.raises(FormInvalid) as taken:
        await make_term(staff, number=1, started_days_ago=-800)
    assert taken.value.errors == {"number": zh("A term with this number exists already.")}


async def test_a_term_has_one_election(block):
    with pytest.raises(Conflict) as refused:
        await make_election(block["staff"], block["term"])
    assert refused.value.message == "This term already has an election."


async def test_a_merchant_stands_for_their_own_shop_only(block):
    zhang, li = block["zhang"], block["li"]
    nomination = await stand(zhang, block["election"])
    row = await Nomination.select(Nomination.status).where(Nomination.id == nomination).first()
    assert row["status"] == "accepted"
    with pytest.raises(Invalid) as refused:
        await nominations.stand(li, block["election"], StandForm(shop_id=shop_of(zhang), statement="我来"))
    assert (refused.value.message, refused.value.field) == ("Choose one of your open shops.", "shop_id")
    with pytest.raises(Conflict) as refused:
        await stand(zhang, block["election"])
    assert refused.value.message == "You are already a candidate in this election."


async def test_a_nomination_by_another_shop_counts_once_accepted(block):
    zhang, chen, election = block["zhang"], block["chen"], block["election"]
    nomination = await nominations.nominate(
        chen, election, NominateForm(nominee=f"{shop_of(zhang)}:{zhang.person_id}", note="张师傅热心肠")
    )
    detail = await elections.get_election(election, zhang)
    assert detail.candidates == [] and [w.display_name for w in detail.waiting] == ["张师傅"]
    assert (await elections.get_election(election, block["li"])).waiting == []  # not shown to others
    with pytest.raises(Forbidden) as refused:
        await nominations.accept_nomination(chen, nomination, AcceptForm(statement="我替他接受"))
    assert refused.value.message == "Only the nominee may answer this nomination."
    await nominations.accept_nomination(zhang, nomination, AcceptForm(statement="我会守好门前三包。"))
    candidates = (await elections.get_election(election, block["li"])).candidates
    assert [(c.display_name, c.statement) for c in candidates] == [("张师傅", "我会守好门前三包。")]
    with pytest.raises(Conflict) as refused:
        await nominations.accept_nomination(zhang, nomination, AcceptForm(statement="再来一次"))
    assert refused.value.message == "This nomination has already been answered."


async def test_nominations_are_refused_for_oneself_for_a_shop_standing_already_and_after_nominations(block):
    zhang, chen, li, election = block["zhang"], block["chen"], block["li"], block["election"]
    with pytest.raises(Invalid) as refused:
        await nominations.nominate(zhang, election, NominateForm(nominee=f"{shop_of(zhang)}:{zhang.person_id}"))
    assert (refused.value.message, refused.value.field) == (
        "To stand yourself, use the form for standing as a candidate.",
        "nominee",
    )
    await stand(zhang, election)
    with pytest.raises(Conflict) as refused:
        await nominations.nominate(li, election, NominateForm(nominee=f"{shop_of(zhang)}:{zhang.person_id}"))
    assert refused.value.message == "This merchant is already nominated in this election."
    await nominations.nominate(li, election, NominateForm(nominee=f"{shop_of(chen)}:{chen.person_id}"))
    await ballots.open_voting(block["staff"], election)
    with pytest.raises(Conflict) as late:
        await stand(block["zhao"], election)
    assert late.value.message == "Nominations are closed in this election."
    # Chen never answered: the proposal lapsed and has no tally.
    statuses = {row["nominee"]: row["status"] for row in await Nomination.select(Nomination.nominee, Nomination.status)}
    assert statuses[chen.person_id] == "lapsed"
    assert len(await _tallies(election)) == 1


async def test_voting_cannot_open_without_a_candidate_and_phases_go_in_order(block):
    staff, election = block["staff"], block["election"]
    with pytest.raises(Conflict) as refused:
        await ballots.open_voting(staff, election)
    assert refused.value.message == "No candidate has accepted a nomination yet, so voting cannot open."
    assert (await Election.select(Election.phase).where(Election.id == election).first())["phase"] == "nominating"
    with pytest.raises(Conflict) as refused:
        await ballots.close_election(staff, election)
    assert refused.value.message == "Voting is not open in this election."
    with pytest.raises(Conflict) as refused:
        await ballots.publish_turnout(staff, election)
    assert refused.value.message == "Turnout can be published once the election is closed."
    await stand(block["zhang"], election)
    await ballots.open_voting(staff, election)
    with pytest.raises(Conflict) as refused:
        await ballots.open_voting(staff, election)
    assert refused.value.message == "Nominations are closed in this election."


async def test_one_ballot_per_shop_and_a_second_one_changes_nothing(block):
    election = block["election"]
    zhang_c = await stand(block["zhang"], election)
    li_c = await stand(block["li"], election)
    await ballots.open_voting(block["staff"], election)
    await _vote(block["chen"], election, zhang_c, li_c)
    with pytest.raises(Conflict) as again:
        await _vote(block["chen"], election, li_c)
    assert again.value.message == (
        "This shop has already voted in this election. A shop casts one ballot, and it cannot be changed."
    )
    assert await _tallies(election) == {zhang_c: 1, li_c: 1}
    assert await ShopVoted.count() == 1


async def test_a_ballot_is_refused_when_it_breaks_a_rule_and_nothing_is_stored(block):
    election = block["election"]
    zhang_c = await stand(block["zhang"], election)
    with pytest.raises(Conflict) as refused:  # voting has not opened yet
        await _vote(block["chen"], election, zhang_c)
    assert refused.value.message == "Voting is not open in this election."
    await ballots.open_voting(block["staff"], election)
    others = [await make_person(f"路人{i}") for i in range(2)]
    with pytest.raises(Invalid) as refused:
        await _vote(block["chen"], election)
    assert (refused.value.message, refused.value.field) == ("Approve at least one candidate.", "candidates")
    with pytest.raises(Invalid) as refused:
        await _vote(block["chen"], election, zhang_c, zhang_c + 1000)
    assert (refused.value.message, refused.value.field) == (
        "Choose candidates from this election's list.",
        "candidates",
    )
    with pytest.raises(Invalid) as refused:
        await _vote(block["chen"], election, zhang_c, zhang_c)
    assert (refused.value.message, refused.value.field) == ("Approve each candidate at most once.", "candidates")
    with pytest.raises(Forbidden) as refused:  # a resident speaking for a shop they do not act for
        await ballots.cast_ballot(
            viewer_for(others[0], "resident"),
            election,
            BallotForm(shop_id=shop_of(block["chen"]), candidates=[zhang_c]),
        )
    assert refused.value.message == "Only a merchant of an open shop may cast its ballot."
    assert await ShopVoted.count() == 0 and await _tallies(election) == {zhang_c: 0}


async def test_a_ballot_approves_at_most_as_many_candidates_as_there_are_seats(block):
    election = block["election"]
    ids = [await stand(block[name], election) for name in ("zhang", "chen", "li", "zhao")]
    await ballots.open_voting(block["staff"], election)
    with pytest.raises(Invalid) as refusal:
        await _vote(block["zhou"], election, *ids)
    assert (refusal.value.message, refusal.value.params) == ("Approve at most %(count)s candidates.", {"count": 3})
    await _vote(block["zhou"], election, *ids[:3])
    assert sum((await _tallies(election)).values()) == 3


async def test_two_hundred_concurrent_ballots_of_one_shop_store_exactly_one(block):
    election = block["election"]
    zhang_c = await stand(block["zhang"], election)
    li_c = await stand(block["li"], election)
    await ballots.open_voting(block["staff"], election)
    voter = block["chen"]
    attempts = [
        ballots.cast_ballot(voter, election, BallotForm(shop_id=shop_of(voter), candidates=[zhang_c, li_c]))
        for _ in range(200)
    ]
    results = await asyncio.gather(*attempts, return_exceptions=True)
    stored = [result for result in results if result is None]
    refused = [result for result in results if isinstance(result, Conflict)]
    unexpected = [result for result in results if result is not None and not isinstance(result, Conflict)]
    assert len(stored) == 1 and len(refused) == 199, unexpected[:3]
    assert all("already voted" in refusal.message for refusal in refused)
    assert await ShopVoted.count().where(ShopVoted.election == election) == 1
    assert await _tallies(election) == {zhang_c: 1, li_c: 1}
    assert await AuditEntry.count().where(AuditEntry.action == "election.ballot_cast") == 1


async def test_a_ballot_stores_no_shop_person_or_time_beside_its_choices_and_tallies_wait_for_the_close(block):
    election = block["election"]
    zhang_c = await stand(block["zhang"], election)
    li_c = await stand(block["li"], election)
    zhao_c = await stand(block["zhao"], election)
    await ballots.open_voting(block["staff"], election)
    await _vote(block["chen"], election, zhang_c)
    await _vote(block["zhou"], election, li_c, zhao_c)
    # The voter roll and the approvals share no column but the election; approvals carry a random key.
    assert {column._meta.name for column in ShopVoted._meta.columns} == {"id", "election", "shop"}
    assert {column._meta.name for column in Approval._meta.columns} == {"id", "election", "nomination"}
    keys = [row["id"] for row in await Approval.select(Approval.id)]
    assert len(keys) == 3 and all(len(key) == 32 and int(key, 16) >= 0 for key in keys)
    # The tallies are not touched by ballots: no version of a tally row follows the voting.
    assert {row["votes"] for row in await Tally.select(Tally.votes)} == {0}
    # The audit log says a ballot was cast in the election, on which day: no shop, no person, no time of day.
    entries = await AuditEntry.select().where(AuditEntry.action == "election.ballot_cast")
    assert len(entries) == 2
    for entry in entries:
        assert entry["actor"] is None and entry["before"] == "" and entry["after"] == ""
        assert entry["object_type"] == "election" and entry["object_id"] == election
        local = entry["at"].astimezone(clock.BLOCK_TIMEZONE)
        assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
        assert local.date() == clock.block_today()


async def test_closing_counts_with_reserved_regional_seats_and_creates_the_seats(block):
    staff, election = block["staff"], block["election"]
    # Node: Zhang and Chen; north: Li; south: Zhao. Three seats.
    ids = {name: await stand(block[name], election) for name in ("zhang", "chen", "li", "zhao")}
    await ballots.open_voting(staff, election)
    await _vote(block["zhang"], election, ids["zhang"], ids["chen"])
    await _vote(block["chen"], election, ids["zhang"], ids["chen"])
    await _vote(block["zhou"], election, ids["zhang"], ids["chen"], ids["li"])
    await _vote(block["li"], election, ids["li"], ids["zhao"])
    result = await ballots.close_election(staff, election)
    # Counted at the close from the approvals.
    assert {row["nomination"]: row["votes"] for row in await Tally.select(Tally.nomination, Tally.votes)} == {
        ids["zhang"]: 3,
        ids["chen"]: 3,
        ids["li"]: 2,
        ids["zhao"]: 1,
    }
    # Chen has more votes (3) than Li (2) and Zhao (1), but north and south each reserve a seat.
    assert [p.candidate_id for p in result.elected] == [ids["zhang"], ids["li"], ids["zhao"]]
    assert [p.candidate_id for p in result.runners_up] == [ids["chen"]]
    council = await pages.get_council()
    assert {seat.display_name for seat in council.members} == {"张师傅", "李老板", "赵老师"}
    assert council.empty_seats == 0
    zhang_seat = next(seat for seat in council.members if seat.display_name == "张师傅")
    assert {g.slug for g in zhang_seat.groups} == {"region-lane-1141", "industry-catering"}
    detail = await elections.get_election(election, block["zhou"])
    assert [line.candidate.display_name for line in detail.results.elected] == ["张师傅", "李老板", "赵老师"]
    assert [line.votes for line in detail.results.elected] == [3, 2, 1]
    assert detail.turnout is None  # not yet published
    with pytest.raises(Conflict) as refused:
        await _vote(block["zhao"], election, ids["zhao"])
    assert refused.value.message == "Voting is not open in this election."


async def test_seated_merchants_get_the_council_role_without_any_stored_role(block):
    staff, election = block["staff"], block["election"]
    zhang_c = await stand(block["zhang"], election)
    await ballots.open_voting(staff, election)
    before = await load_viewer(block["zhang"].person_id, 1)
    assert not before.has("council")
    await ballots.close_election(staff, election)
    after = await load_viewer(block["zhang"].person_id, 1)
    assert after.has("council") and after.has("merchant")
    assert not (await load_viewer(block["li"].person_id, 1)).has("council")
    assert zhang_c


async def test_ceased_members_stop_counting_as_sitting(block):
    staff, election = block["staff"], block["election"]
    for name in ("zhang", "li"):
        await stand(block[name], election)
    await ballots.open_voting(staff, election)
    await ballots.close_election(staff, election)
    seat_of = {seat.display_name: seat for seat in (await pages.get_council()).members}
    with pytest.raises(Forbidden) as refused:
        await seats.resign_seat(block["li"], seat_of["张师傅"].id, "不是我的席位")
    assert refused.value.message == "Only the member themself may resign their seat."
    await seats.resign_seat(block["zhang"], seat_of["张师傅"].id, "店铺转让，无暇兼顾")
    await seats.remove_seat(staff, seat_of["李老板"].id, "连续三次无故缺席理事会")
    council = await pages.get_council()
    assert council.members == [] and council.empty_seats == 3
    assert {(s.display_name, s.ceased_kind, s.ceased_reason) for s in council.ceased} == {
        ("张师傅", "resigned", "店铺转让，无暇兼顾"),
        ("李老板", "removed", "连续三次无故缺席理事会"),
    }
    assert not await seats.is_sitting(block["zhang"].person_id)
    assert not (await load_viewer(block["zhang"].person_id, 1)).has("council")
    with pytest.raises(Conflict) as refused:
        await seats.remove_seat(staff, seat_of["李老板"].id, "再次移除")
    assert refused.value.message == "This member has already ceased."
    assert await AuditEntry.exists().where(AuditEntry.action == "council_seat.removed")


async def test_seats_of_a_term_that_has_ended_do_not_sit(db):
    staff = await staff_viewer()
    term_id = await make_term(staff, started_days_ago=800, days=730)
    zhang = await merchant("张师傅")
    await Seat.insert(Seat(term=term_id, person=zhang.person_id, shop=shop_of(zhang), started_at=clock.now()))
    assert not await seats.is_sitting(zhang.person_id)
    assert (await pages.get_council()).term is None
    assert not (await load_viewer(zhang.person_id, 1)).has("council")


async def test_a_ceased_seat_goes_to_the_next_runner_up_of_its_region(block):
    staff, election = block["staff"], block["election"]
    ids = {name: await stand(block[name], election) for name in ("zhang", "chen", "li", "zhou")}
    await ballots.open_voting(staff, election)
    await _vote(block["zhang"], election, ids["zhang"], ids["chen"], ids["li"])
    await _vote(block["chen"], election, ids["zhang"], ids["chen"], ids["zhou"])
    await _vote(block["zhao"], election, ids["zhang"], ids["chen"], ids["li"])
    result = await ballots.close_election(staff, election)
    # Reserved: node (Zhang 3), north (Li 2), upper middle (Zhou 1); Chen (3) is the first runner-up.
    assert [p.candidate_id for p in result.elected] == [ids["zhang"], ids["li"], ids["zhou"]]
    seat_of = {seat.display_name: seat for seat in (await pages.get_council()).members}
    with pytest.raises(Conflict) as refused:  # still held
        await seats.fill_seat(staff, seat_of["李老板"].id)
    assert refused.value.message == "This seat is still held; only a ceased member's seat can be filled."
    await seats.remove_seat(staff, seat_of["李老板"].id, "已迁出街区")
    # North's reserved seat: no runner-up from the north, so it goes to the first runner-up, Chen.
    await seats.fill_seat(staff, seat_of["李老板"].id)
    members = {seat.display_name: seat for seat in (await pages.get_council()).members}
    assert set(members) == {"张师傅", "周老板", "陈经理"}
    assert members["陈经理"].source == "runner_up" and members["陈经理"].reserved_segment_id is None
    with pytest.raises(Conflict) as refused:
        await seats.fill_seat(staff, seat_of["李老板"].id)
    assert refused.value.message == "This seat has already been filled."
    await seats.resign_seat(block["zhou"], members["周老板"].id, "身体原因")
    with pytest.raises(Conflict) as empty:
        await seats.fill_seat(staff, members["周老板"].id)
    assert empty.value.message == "No runner-up is left: the seat stays empty until the next election."


async def test_staff_record_positions_and_a_new_chair_replaces_the_old_one(block):
    staff, election = block["staff"], block["election"]
    for name in ("zhang", "li", "zhao"):
        await stand(block[name], election)
    await ballots.open_voting(staff, election)
    await ballots.close_election(staff, election)
    seat_of = {seat.display_name: seat for seat in (await pages.get_council()).members}
    await seats.assign_position(staff, seat_of["张师傅"].id, PositionForm(position="chair"))
    await seats.assign_position(staff, seat_of["李老板"].id, PositionForm(position="secretary"))
    await seats.assign_position(staff, seat_of["赵老师"].id, PositionForm(position="chair"))
    members = (await pages.get_council()).members
    assert [(seat.display_name, seat.position) for seat in members] == [
        ("赵老师", "chair"),
        ("李老板", "secretary"),
        ("张师傅", "member"),
    ]


async def test_turnout_is_counted_per_group_and_published_by_staff(block):
    staff, election = block["staff"], block["election"]
    zhang_c = await stand(block["zhang"], election)
    await ballots.open_voting(staff, election)
    await _vote(block["zhang"], election, zhang_c)
    await _vote(block["li"], election, zhang_c)
    await ballots.close_election(staff, election)
    await ballots.publish_turnout(staff, election)
    turnout = (await elections.get_election(election, block["zhou"])).turnout
    assert (turnout.voted, turnout.eligible) == (2, 5)
    by_group = {line.group.slug: (line.voted, line.eligible) for line in turnout.regional + turnout.industry}
    assert by_group["region-lane-1141"] == (1, 2)
    assert by_group["region-north"] == (1, 1)
    assert by_group["region-south"] == (0, 1)
    with pytest.raises(Conflict) as refused:
        await ballots.publish_turnout(staff, election)
    assert refused.value.message == "The turnout has already been published."
    actions = [
        row["action"]
        for row in await AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.object_type == "election")
        .order_by(AuditEntry.id)
    ]
    assert actions == [
        "election.opened",
        "election.voting_opened",
        "election.ballot_cast",
        "election.ballot_cast",
        "election.closed",
        "election.turnout_published",
    ]


async def test_sitting_members_declare_interests_that_keep_them_out_of_votes(block):
    staff, election = block["staff"], block["election"]
    await stand(block["zhang"], election)
    await ballots.open_voting(staff, election)
    await ballots.close_election(staff, election)
    zhang, li = block["zhang"], block["li"]
    form = InterestForm(object_type="shop", object_id=shop_of(li), note="李老板是我表弟")
    with pytest.raises(Forbidden) as refused:
        await interests.declare_interest(li, form)
    assert refused.value.message == "Only sitting council members declare interests here."
    interest_id = await interests.declare_interest(zhang, form)
    assert await interests.has_declared_interest(zhang.person_id, "shop", shop_of(li))
    assert not await interests.has_declared_interest(zhang.person_id, "proposal", shop_of(li))
    with pytest.raises(Conflict) as refused:
        await interests.declare_interest(zhang, form)
    assert refused.value.message == "You have already declared an interest in this."
    with pytest.raises(Invalid) as refused:
        await interests.declare_interest(zhang, InterestForm(object_type="shop", object_id=99999))
    assert (refused.value.message, refused.value.field) == ("There is no shop with this number.", "object_id")
    [member] = (await pages.get_council()).members
    assert [(i.object_label, i.note) for i in member.interests] == [("凌岩水果店", "李老板是我表弟")]
    with pytest.raises(Forbidden) as refused:
        await interests.withdraw_interest(li, interest_id)
    assert refused.value.message == "Only the member who declared it may withdraw a declaration."
    await interests.withdraw_interest(zhang, interest_id)
    assert not await interests.has_declared_interest(zhang.person_id, "shop", shop_of(li))


@pytest.mark.parametrize(
    ("started_days_ago", "days", "ceased", "sitting"),
    [
        (30, 730, False, True),  # a seat of the running term
        (0, 730, False, True),  # the term starts today
        (730, 730, False, True),  # the term ends today
        (30, 730, True, False),  # the member has ceased
        (800, 730, False, False),  # the term has ended
        (-10, 730, False, False),  # the term has not started
    ],
)
async def test_the_sitting_rule_of_the_council_and_the_council_role_of_a_viewer_agree(
    db, started_days_ago, days, ceased, sitting
):
    """The rule is written twice: council.seats.is_sitting and, for speed, the statement of accounts.load_viewer."""
    staff = await staff_viewer()
    term_id = await make_term(staff, started_days_ago=started_days_ago, days=days)
    zhang = await merchant("张师傅")
    now = clock.now()
    await Seat.insert(
        Seat(
            term=term_id, person=zhang.person_id, shop=shop_of(zhang), started_at=now, ceased_at=now if ceased else None
        )
    )
    assert await seats.is_sitting(zhang.person_id) is sitting
    assert (await load_viewer(zhang.person_id, 1)).has("council") is sitting
