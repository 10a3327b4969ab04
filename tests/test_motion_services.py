"""Council motions: who votes, counting under the named rules, changes, recusal, closing, refusals."""

from __future__ import annotations

import asyncio
import datetime as dt
import types

import pytest

from block_service.audit.tables import AuditEntry
from block_service.clock import now
from block_service.council import motion_closing, motions
from block_service.council.motion_closing import close_due_motions, open_due_motions, remind_due_motions
from block_service.council.motion_counting import decide
from block_service.council.motion_schemas import Tally, VoteForm
from block_service.council.motion_tables import Motion, MotionMember, MotionVote, MotionVoteChange
from block_service.council.motion_votes import cast_vote, recuse
from block_service.council.schemas import InterestForm
from block_service.council.services import declare_interest, remove_seat
from block_service.council.tables import CouncilTerm
from block_service.errors import Conflict, Forbidden, Invalid
from block_service.schemas import ReasonForm
from tests.council_helpers import make_term, merchant, shop_of
from tests.helpers import make_person, viewer_for
from tests.motion_helpers import a_motion, local, motion_form, seated_council

pytestmark = pytest.mark.usefixtures("db")
YES, NO, ABSTAIN = VoteForm(choice="yes"), VoteForm(choice="no"), VoteForm(choice="abstain")


@pytest.fixture
def told(monkeypatch):
    """Notices the motion steps send: (event, motion, people)."""
    sent = []

    async def notify(people, motion_id, event, *, now, detail=""):
        sent.append((event, motion_id, sorted(set(people))))

    monkeypatch.setattr(motion_closing, "notify", notify)
    monkeypatch.setattr(motions, "notify", notify)
    return sent


async def _motion(motion_id: int) -> dict:
    return await Motion.select().where(Motion.id == motion_id).first()


# ---- counting -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tally", "quorum", "rule", "result"),
    [
        (Tally(eligible=5, yes=2, no=0, abstain=0), "half", "simple", "no_quorum"),  # 2 of 5 is not more than half
        (Tally(eligible=5, yes=1, no=0, abstain=2), "half", "simple", "passed"),  # abstentions make the quorum
        (Tally(eligible=4, yes=1, no=1, abstain=0), "half", "simple", "no_quorum"),  # exactly half is not enough
        (Tally(eligible=5, yes=0, no=0, abstain=3), "half", "simple", "rejected"),  # quorum, but no 赞成
        (Tally(eligible=5, yes=2, no=2, abstain=1), "half", "simple", "rejected"),  # a tie is rejected
        (Tally(eligible=5, yes=3, no=2, abstain=0), "half", "simple", "passed"),
        (Tally(eligible=6, yes=2, no=1, abstain=1), "two_thirds", "simple", "passed"),  # 4 of 6 = two thirds
        (Tally(eligible=6, yes=2, no=1, abstain=0), "two_thirds", "simple", "no_quorum"),
        (Tally(eligible=5, yes=2, no=1, abstain=0), "half", "two_thirds", "passed"),  # 2 ≥ 2/3 of 3
        (Tally(eligible=5, yes=3, no=2, abstain=0), "half", "two_thirds", "rejected"),  # 3 < 2/3 of 5
        (Tally(eligible=0), "half", "simple", "no_quorum"),
    ],
)
def test_counting_follows_the_named_rules(tally, quorum, rule, result):
    assert decide(tally, quorum, rule) == result


# ---- opening ----------------------------------------------------------------------------------------


async def test_the_chair_or_staff_open_a_motion_and_the_sitting_members_are_on_its_roll(told):
    council = await seated_council(5)
    by_chair = await a_motion(council)
    by_staff = await motions.open_motion(council.staff, motion_form(rule="two_thirds", kind="rule"))
    row = await _motion(by_chair)
    assert (row["status"], row["eligible_count"], row["term"]) == ("open", 5, council.term_id)
    assert (await _motion(by_staff))["rule"] == "two_thirds"
    roll = await MotionMember.select(MotionMember.person, MotionMember.status).where(MotionMember.motion == by_chair)
    assert sorted(member["person"] for member in roll) == sorted(member.person_id for member in council.members)
    assert ("opened", by_chair, sorted(member.person_id for member in council.members)) in told
    assert await AuditEntry.exists().where((AuditEntry.action == "motion.opened") & (AuditEntry.object_id == by_chair))


async def test_a_member_who_is_not_the_chair_or_a_resident_may_not_open_a_motion():
    council = await seated_council(3)
    resident = viewer_for(await make_person("居民"), "resident")
    for who in (council.members[1], resident):
        with pytest.raises(Forbidden, match="Only the council's chair or staff open a motion"):
            await motions.open_motion(who, motion_form())
    assert await Motion.count() == 0


async def test_opening_refuses_wrong_times_and_a_proposal_motion_without_its_proposal():
    council = await seated_council(3)
    cases = [
        (
            {"opens_at": local(now() + dt.timedelta(days=2)), "closes_at": local(now() + dt.timedelta(days=1))},
            "The vote must close after it opens",
        ),
        ({"closes_at": local(now() + dt.timedelta(minutes=20))}, "Leave the vote open for at least an hour"),
        ({"closes_at": local(now() + dt.timedelta(days=1000))}, "The vote must close before the council's term ends"),
        ({"kind": "proposal"}, "Choose the proposal this motion decides"),
        ({"kind": "proposal", "proposal_id": 7}, "Choose the project size"),
        ({"kind": "position", "proposal_id": 7}, "Only a motion on a proposal names a proposal"),
        ({"closes_at": "2026-13-40T99:99"}, "Enter a date and time"),
    ]
    for fields, reason in cases:
        with pytest.raises(Invalid, match=reason):
            await motions.open_motion(council.chair, motion_form(**fields))
    assert await Motion.count() == 0


async def test_without_a_current_term_there_is_no_motion():
    council = await seated_council(2)
    await CouncilTerm.update({CouncilTerm.ends_on: dt.date(2020, 1, 1)}).where(CouncilTerm.id == council.term_id)
    with pytest.raises(Forbidden):  # no current term: nobody is the sitting chair any more
        await motions.open_motion(council.chair, motion_form())
    with pytest.raises(Conflict, match="There is no sitting council"):
        await motions.open_motion(council.staff, motion_form())


async def test_a_motion_opening_later_is_opened_by_the_task_once(told):
    council = await seated_council(3)
    opens = now() + dt.timedelta(hours=2)
    motion_id = await a_motion(council, opens_at=local(opens), closes_at=local(opens + dt.timedelta(days=1)))
    assert (await _motion(motion_id))["status"] == "scheduled"
    with pytest.raises(Conflict, match="has not opened yet"):
        await cast_vote(council.members[1], motion_id, YES)
    later = opens + dt.timedelta(minutes=1)
    assert sorted(await asyncio.gather(open_due_motions(later), open_due_motions(later))) == [0, 1]
    assert (await _motion(motion_id))["status"] == "open"
    assert await MotionMember.count().where(MotionMember.motion == motion_id) == 3
    assert [event for event, *_ in told] == ["opened"]


# ---- who votes --------------------------------------------------------------------------------------


async def test_a_declared_interest_in_the_proposal_its_shops_or_its_threads_keeps_a_member_out(monkeypatch, told):
    council = await seated_council(5)
    outsider = await merchant("外店老板", "1201号")
    facts = types.SimpleNamespace(
        id=41,
        title="充电桩",
        status="deliberation",
        author_id=outsider.person_id,
        thread_ids=[77],
        shop_ids=[shop_of(outsider)],
        supporter_ids=[],
    )
    agenda = []

    async def proposal_facts(proposal_id):
        assert proposal_id == 41
        return facts

    async def put_on_agenda(proposal_id, motion_id, *, actor_id, now):
        agenda.append((proposal_id, motion_id, actor_id))

    monkeypatch.setattr(motions, "proposal_facts", proposal_facts)
    monkeypatch.setattr(motions, "put_on_agenda", put_on_agenda)
    one, two, three = council.members[1:4]
    await declare_interest(one, InterestForm(object_type="proposal", object_id=41, note="我家店在旁边"))
    await declare_interest(two, InterestForm(object_type="shop", object_id=shop_of(outsider), note="亲戚的店"))
    await declare_interest(three, InterestForm(object_type="thread", object_id=77, note="我报的问题"))
    motion_id = await a_motion(council, kind="proposal", proposal_id=41, size="small", budget_cap=30000)
    statuses = {
        row["person"]: row["status"] for row in await MotionMember.select().where(MotionMember.motion == motion_id)
    }
    assert [statuses[member.person_id] for member in council.members] == [
        "eligible",
        "interest",
        "interest",
        "interest",
        "eligible",
    ]
    assert (await _motion(motion_id))["eligible_count"] == 2
    assert agenda == [(41, motion_id, council.chair.person_id)]
    with pytest.raises(Forbidden, match="You declared an interest"):
        await cast_vote(one, motion_id, YES)
    assert await MotionVote.count() == 0


async def test_a_member_recuses_themself_with_a_reason_before_voting_only(told):
    council = await seated_council(4)
    motion_id = await a_motion(council)
    first, second = council.members[1], council.members[2]
    await recuse(first, motion_id, ReasonForm(reason="我是这家店的房东"))
    row = (
        await MotionMember.select()
        .where((MotionMember.motion == motion_id) & (MotionMember.person == first.person_id))
        .first()
    )
    assert (row["status"], row["reason"]) == ("recused", "我是这家店的房东")
    with pytest.raises(Forbidden, match="You recused yourself"):
        await cast_vote(first, motion_id, YES)
    await cast_vote(second, motion_id, YES)
    with pytest.raises(Conflict, match="a member recuses themself before voting"):
        await recuse(second, motion_id, ReasonForm(reason="后来想起来了"))
    assert await AuditEntry.count().where(AuditEntry.action == "motion.recused") == 1
    # Three eligible members remain: the last two votes close it early.
    await cast_vote(council.members[0], motion_id, NO)
    assert await cast_vote(council.members[3], motion_id, YES) is True
    row = await _motion(motion_id)
    assert (row["result"], row["eligible_count"], row["yes_count"], row["no_count"]) == ("passed", 3, 2, 1)


async def test_people_off_the_roll_and_votes_after_the_close_are_refused(told):
    council = await seated_council(3)
    motion_id = await a_motion(council)
    resident = viewer_for(await make_person("居民"), "resident")
    with pytest.raises(Forbidden, match="Only the council members sitting when this motion opened"):
        await cast_vote(resident, motion_id, YES)
    closes = (await _motion(motion_id))["closes_at"]
    with pytest.raises(Conflict, match="Voting on this motion has closed"):
        await cast_vote(council.members[1], motion_id, YES, at=closes + dt.timedelta(seconds=1))
    await close_due_motions(closes + dt.timedelta(seconds=1))
    with pytest.raises(Conflict, match="Voting on this motion has closed"):
        await cast_vote(council.members[1], motion_id, YES)
    assert await MotionVote.count() == 0


async def test_a_motion_of_another_term_takes_no_votes(told):
    council = await seated_council(3)
    motion_id = await a_motion(council)
    await CouncilTerm.update({CouncilTerm.ends_on: dt.date(2020, 1, 1)}).where(CouncilTerm.id == council.term_id)
    await make_term(council.staff, number=2, started_days_ago=0)
    with pytest.raises(Conflict, match="This motion belongs to another council term"):
        await cast_vote(council.members[1], motion_id, YES)
    assert await MotionVote.count() == 0


async def test_a_seat_ending_mid_vote_keeps_a_cast_vote_and_drops_a_member_who_had_not_voted(told):
    council = await seated_council(5)
    motion_id = await a_motion(council)
    voted, silent = council.members[1], council.members[2]
    await cast_vote(voted, motion_id, YES)
    await remove_seat(council.staff, council.seats[1], "搬离街区")
    await remove_seat(council.staff, council.seats[2], "搬离街区")
    with pytest.raises(Forbidden, match="Your seat has ended"):
        await cast_vote(voted, motion_id, NO)
    with pytest.raises(Forbidden, match="Your seat has ended"):
        await cast_vote(silent, motion_id, YES)
    await cast_vote(council.members[3], motion_id, NO)
    # Eligible now: chair, members 3 and 4, and member 1 whose vote stands: 4; two votes are not a quorum.
    closes = (await _motion(motion_id))["closes_at"]
    await close_due_motions(closes)
    row = await _motion(motion_id)
    assert (row["result"], row["eligible_count"], row["yes_count"], row["no_count"]) == ("no_quorum", 4, 1, 1)


# ---- votes, changes, closing -----------------------------------------------------------------------


async def test_a_changed_vote_counts_the_latest_and_keeps_the_history(told):
    council = await seated_council(3)
    motion_id = await a_motion(council)
    member = council.members[1]
    for form in (YES, NO, ABSTAIN, NO):
        await cast_vote(member, motion_id, form)
    current = await MotionVote.select().where(MotionVote.motion == motion_id)
    assert [(row["choice"], row["changes"]) for row in current] == [("no", 3)]
    history = await MotionVoteChange.select(MotionVoteChange.choice).order_by(MotionVoteChange.id)
    assert [row["choice"] for row in history] == ["yes", "no", "abstain", "no"]
    actions = (
        await AuditEntry.select(AuditEntry.action).where(AuditEntry.object_type == "motion").order_by(AuditEntry.id)
    )
    assert [row["action"] for row in actions][1:] == ["motion.vote_cast"] + ["motion.vote_changed"] * 3


async def test_the_vote_closes_early_once_every_eligible_member_has_voted(told):
    council = await seated_council(3)
    motion_id = await a_motion(council)
    assert await cast_vote(council.members[0], motion_id, YES) is False
    assert await cast_vote(council.members[1], motion_id, YES) is False
    assert await cast_vote(council.members[2], motion_id, NO) is True
    row = await _motion(motion_id)
    assert (row["status"], row["close_reason"], row["result"]) == ("closed", "all_voted", "passed")
    assert (row["eligible_count"], row["yes_count"], row["no_count"], row["abstain_count"]) == (3, 2, 1, 0)
    with pytest.raises(Conflict, match="Voting on this motion has closed"):
        await cast_vote(council.members[2], motion_id, YES)
    assert told[-1] == ("result", motion_id, sorted(member.person_id for member in council.members))


async def test_the_deadline_close_run_twice_at_once_gives_one_result(told):
    council = await seated_council(5)
    motion_id = await a_motion(council)
    for member, form in zip(council.members[:3], (YES, YES, NO), strict=True):
        await cast_vote(member, motion_id, form)
    closes = (await _motion(motion_id))["closes_at"]
    assert await close_due_motions(closes - dt.timedelta(seconds=1)) == 0
    counts = await asyncio.gather(*(close_due_motions(closes) for _ in range(2)))
    assert sorted(counts) == [0, 1]
    row = await _motion(motion_id)
    assert (row["status"], row["close_reason"], row["result"], row["yes_count"], row["no_count"]) == (
        "closed",
        "deadline",
        "passed",
        2,
        1,
    )
    assert await AuditEntry.count().where(AuditEntry.action == "motion.closed") == 1
    assert [event for event, *_ in told].count("result") == 1


async def test_the_reminder_goes_once_to_those_who_have_not_voted(told):
    council = await seated_council(4)
    motion_id = await a_motion(council, closes_at=local(now() + dt.timedelta(hours=30)))
    await cast_vote(council.members[1], motion_id, YES)
    assert await remind_due_motions(now()) == 0  # more than 24 h before the close
    soon = now() + dt.timedelta(hours=7)
    assert sorted(await asyncio.gather(remind_due_motions(soon), remind_due_motions(soon))) == [0, 1]
    reminders = [entry for entry in told if entry[0] == "reminder"]
    expected = sorted(member.person_id for member in council.members if member is not council.members[1])
    assert reminders == [("reminder", motion_id, expected)]


# ---- concurrency -----------------------------------------------------------------------------------


async def test_fifty_simultaneous_vote_changes_by_one_member_leave_one_current_vote(told):
    council = await seated_council(3)
    motion_id = await a_motion(council)
    member = council.members[1]
    forms = [(YES, NO, ABSTAIN)[index % 3] for index in range(50)]
    await asyncio.gather(*(cast_vote(member, motion_id, form) for form in forms))
    current = await MotionVote.select().where(MotionVote.motion == motion_id)
    assert len(current) == 1 and current[0]["changes"] == 49
    last = await MotionVoteChange.select(MotionVoteChange.choice).order_by(MotionVoteChange.id, ascending=False).first()
    assert current[0]["choice"] == last["choice"]
    assert await MotionVoteChange.count() == 50


async def test_all_members_voting_at_once_give_a_tally_equal_to_the_votes(told):
    council = await seated_council(9)
    motion_id = await a_motion(council)
    forms = [YES, YES, NO, ABSTAIN, YES, NO, YES, ABSTAIN, YES]
    closed = await asyncio.gather(*(cast_vote(m, motion_id, f) for m, f in zip(council.members, forms, strict=True)))
    assert closed.count(True) == 1  # the last vote closed it, once
    row = await _motion(motion_id)
    assert (row["eligible_count"], row["yes_count"], row["no_count"], row["abstain_count"]) == (9, 5, 2, 2)
    assert row["result"] == "passed"
    assert await MotionVote.count() == 9
