"""A motion on a real proposal: on the agenda when it opens, the decision recorded at the close, the chain and
the plan pages show it, and a member with an interest in one of its threads sits it out."""

from __future__ import annotations

import pytest

from block_service.council.interests import declare_interest
from block_service.council.motion_closing import close_due_motions
from block_service.council.motion_schemas import VoteForm
from block_service.council.motion_tables import Motion, MotionMember
from block_service.council.motion_votes import cast_vote
from block_service.council.schemas import InterestForm
from block_service.errors import Conflict, Invalid
from block_service.plans.lifecycle import proposal_facts
from block_service.plans.plans import get_plan
from block_service.plans.tables import Proposal
from tests.council_helpers import zh
from tests.helpers import make_thread, text_of
from tests.motion_helpers import a_motion, seated_council
from tests.plans_helpers import file, resident, step

pytestmark = pytest.mark.usefixtures("db")


async def _proposal_under_deliberation(council) -> tuple[int, int]:
    author = await resident("提案人")
    thread_id = await make_thread(author.person_id, title="1141弄口电动车乱充电")
    proposal_id = await file(author, title="在1141弄口增设充电桩", thread_ids=[thread_id])
    await step(council.staff, proposal_id, "accept")
    return proposal_id, thread_id


async def test_a_motion_on_a_proposal_puts_it_on_the_agenda_and_records_the_decision(app, browser_factory):
    council = await seated_council(4)
    proposal_id, thread_id = await _proposal_under_deliberation(council)
    await declare_interest(council.members[3], InterestForm(object_type="thread", object_id=thread_id, note="我报的"))
    motion_id = await a_motion(council, kind="proposal", proposal_id=proposal_id, size="small", budget_cap=30000)
    assert (await proposal_facts(proposal_id)).status == "on_agenda"
    interest = (
        await MotionMember.select(MotionMember.status)
        .where((MotionMember.motion == motion_id) & (MotionMember.person == council.members[3].person_id))
        .first()
    )
    assert interest["status"] == "interest"
    with pytest.raises(Conflict, match="Only a proposal under deliberation"):
        await a_motion(council, kind="proposal", proposal_id=proposal_id, size="small")
    assert await Motion.count() == 1  # the refused second motion left nothing behind
    for member in council.members[:3]:
        await cast_vote(member, motion_id, VoteForm(choice="yes"))  # the third closes it: 3 of 3 eligible
    assert (await proposal_facts(proposal_id)).status == "passed"
    row = await Motion.select(Motion.result, Motion.plan_id).where(Motion.id == motion_id).first()
    assert row == {"result": "passed", "plan_id": (await get_plan("environment")).id}

    browser = browser_factory("zh-Hans")
    motion_page = text_of((await browser.get(f"/motions/{motion_id}")).text)
    assert "在1141弄口增设充电桩" in motion_page and zh("Budget cap: %(yuan)s yuan", yuan=30000) in motion_page
    proposal_page = await browser.get(f"/proposals/{proposal_id}")
    assert f'href="/motions/{motion_id}"' in proposal_page.text
    assert "赞成 3 · 反对 0 · 弃权 0 / 3" in text_of(proposal_page.text)  # the motion step of the chain
    english = text_of((await browser_factory("en").get(f"/proposals/{proposal_id}")).text)
    # The ballot's own words stay in the roll-call's labels ("For (赞成)"); the counts are in English.
    assert "For 3 · against 0 · abstained 0, of 3" in english and "赞成 3" not in english
    plan_page = await browser.get("/plans/environment")
    assert f'href="/motions/{motion_id}"' in plan_page.text
    cards = await browser.get("/plans")
    assert cards.status_code == 200


async def test_no_quorum_sends_the_proposal_back_to_deliberation():
    council = await seated_council(5)
    proposal_id, _thread = await _proposal_under_deliberation(council)
    motion_id = await a_motion(council, kind="proposal", proposal_id=proposal_id, size="mini")
    await cast_vote(council.members[1], motion_id, VoteForm(choice="yes"))
    closes = (await Motion.select(Motion.closes_at).where(Motion.id == motion_id).first())["closes_at"]
    await close_due_motions(closes)
    assert (await Motion.select(Motion.result).where(Motion.id == motion_id).first())["result"] == "no_quorum"
    assert (await Proposal.select(Proposal.status).where(Proposal.id == proposal_id).first())["status"] == (
        "deliberation"
    )


async def test_a_motion_on_a_missing_proposal_is_refused():
    council = await seated_council(2)
    with pytest.raises(Invalid, match="There is no proposal with this number"):
        await a_motion(council, kind="proposal", proposal_id=987654, size="small")
