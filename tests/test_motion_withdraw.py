"""Withdrawing a motion before any vote, and the proposal page's roll-call once its motion has closed."""

from __future__ import annotations

import re

import pytest

from block_service.audit.tables import AuditEntry
from block_service.council.motion_schemas import VoteForm
from block_service.council.motion_tables import Motion
from block_service.council.motion_votes import cast_vote
from block_service.council.motion_withdraw import VOTED, withdraw_motion
from block_service.errors import Conflict, Forbidden
from block_service.inbox.tables import InboxEntry
from block_service.plans.lifecycle import proposal_facts
from block_service.plans.tables import ProposalStep
from block_service.schemas import ReasonForm
from tests.council_helpers import zh
from tests.helpers import text_of
from tests.motion_helpers import a_motion, seated_council
from tests.plans_helpers import file, resident, step

pytestmark = pytest.mark.usefixtures("db")
CONTACTS = ("13800005001", "13800005002", "13800005003")
WHY = ReasonForm(reason="议题表述有误，重新起草后再表决")


async def _on_agenda(council) -> tuple[int, int]:
    author = await resident("提案人")
    proposal_id = await file(author, title="1141弄口增设非机动车棚")
    await step(council.staff, proposal_id, "accept")
    motion_id = await a_motion(council, kind="proposal", proposal_id=proposal_id, size="small")
    return proposal_id, motion_id


async def test_the_chair_withdraws_an_open_motion_and_its_proposal_goes_back_to_deliberation():
    council = await seated_council(3)
    proposal_id, motion_id = await _on_agenda(council)
    await withdraw_motion(council.chair, motion_id, WHY)
    row = await Motion.select().where(Motion.id == motion_id).first()
    assert (row["status"], row["withdrawn_reason"], row["result"]) == ("withdrawn", WHY.reason, "")
    facts = await proposal_facts(proposal_id)
    assert facts.status == "deliberation"
    back = (
        await ProposalStep.select()
        .where(ProposalStep.proposal == proposal_id)
        .order_by(ProposalStep.id, ascending=False)
        .first()
    )
    assert (back["status_from"], back["status_to"], back["reason"]) == ("on_agenda", "deliberation", WHY.reason)
    assert await AuditEntry.count().where(AuditEntry.action == "motion.withdrawn") == 1
    told = await InboxEntry.select(InboxEntry.person).where(
        (InboxEntry.kind == "motion") & (InboxEntry.object_id == motion_id) & (InboxEntry.event == "withdrawn")
    )
    assert {r["person"] for r in told} == {m.person_id for m in council.members[1:]}  # the chair withdrew it
    # A new motion may open on the proposal again; the withdrawn one takes no vote.
    again = await a_motion(council, kind="proposal", proposal_id=proposal_id, size="small")
    assert (await proposal_facts(proposal_id)).status == "on_agenda" and again != motion_id
    with pytest.raises(Conflict) as refused:
        await cast_vote(council.members[1], motion_id, VoteForm(choice="yes"))
    assert refused.value.message == "Voting on this motion has closed."


async def test_withdrawal_is_refused_once_a_vote_exists_for_others_and_twice():
    council = await seated_council(3)
    motion_id = await a_motion(council)
    with pytest.raises(Forbidden) as refused:
        await withdraw_motion(council.members[1], motion_id, WHY)
    assert refused.value.message == "Only the council's chair or staff withdraw a motion."
    await cast_vote(council.members[2], motion_id, VoteForm(choice="no"))
    with pytest.raises(Conflict) as refused:
        await withdraw_motion(council.staff, motion_id, WHY)
    assert refused.value.message == VOTED
    assert (await Motion.select(Motion.status).where(Motion.id == motion_id).first())["status"] == "open"
    other = await a_motion(council, title="春节灯笼布置方案")
    await withdraw_motion(council.staff, other, WHY)
    with pytest.raises(Conflict) as refused:
        await withdraw_motion(council.staff, other, WHY)
    assert refused.value.message == "This motion has been withdrawn already."
    assert await AuditEntry.count().where(AuditEntry.action == "motion.withdrawn") == 1


async def test_a_closed_motion_cannot_be_withdrawn():
    council = await seated_council(2)
    motion_id = await a_motion(council)
    for member in council.members:
        await cast_vote(member, motion_id, VoteForm(choice="yes"))
    with pytest.raises(Conflict) as refused:
        await withdraw_motion(council.chair, motion_id, WHY)
    assert refused.value.message == "This motion has closed; it can no longer be withdrawn."


async def test_the_withdraw_route_for_the_chair_and_refusals(app, browser_factory):
    council = await seated_council(3, contacts=CONTACTS)
    proposal_id, motion_id = await _on_agenda(council)
    chair = browser_factory("zh-Hans")
    await chair.log_in(CONTACTS[0])
    page = await chair.get(f"/motions/{motion_id}")
    assert zh("Withdraw this motion") in text_of(page.text)
    member = browser_factory("zh-Hans")
    await member.log_in(CONTACTS[1])
    assert zh("Withdraw this motion") not in text_of((await member.get(f"/motions/{motion_id}")).text)
    assert (await member.post(f"/motions/{motion_id}/withdraw", {"reason": "我不同意"})).status_code == 403
    empty = await chair.post(f"/motions/{motion_id}/withdraw", {"reason": ""})
    assert empty.status_code == 422 and 'id="e-reason"' in empty.text
    assert (await chair.post("/motions/987654/withdraw", {"reason": WHY.reason})).status_code == 404
    done = await chair.post(f"/motions/{motion_id}/withdraw", {"reason": WHY.reason})
    assert done.status_code == 303
    text = text_of((await chair.get(f"/motions/{motion_id}")).text)
    assert zh("Withdrawn") in text and WHY.reason in text and zh("Withdraw this motion") not in text
    assert zh("Withdrawn before any vote") in text_of((await chair.get(f"/proposals/{proposal_id}")).text)
    desk = text_of((await chair.get("/council/motions")).text)
    assert zh("No motion is open.") in desk
    voted = await a_motion(council, title="夜间外摆时间调整")
    await cast_vote(council.members[1], voted, VoteForm(choice="yes"))
    late = await chair.post(f"/motions/{voted}/withdraw", {"reason": WHY.reason})
    assert late.status_code == 409 and zh(VOTED) in text_of(late.text)


async def test_the_proposal_page_shows_the_roll_call_once_its_motion_has_closed(app, browser_factory):
    council = await seated_council(3)
    proposal_id, motion_id = await _on_agenda(council)
    visitor = browser_factory("zh-Hans")
    assert zh("Roll-call") not in text_of((await visitor.get(f"/proposals/{proposal_id}")).text)
    for member, choice in zip(council.members, ("yes", "no", "yes"), strict=True):
        await cast_vote(member, motion_id, VoteForm(choice=choice))
    html = (await browser_factory("zh-Hans").get(f"/proposals/{proposal_id}")).text
    assert zh("Roll-call") in text_of(html) and zh("Passed") in text_of(html)
    lines = [text_of(line) for line in re.findall(r'<li class="roll-eligible">(.*?)</li>', html, flags=re.S)]
    assert len(lines) == 3
    for member, choice in zip(council.members, ("For (赞成)", "Against (反对)", "For (赞成)"), strict=True):
        assert any(line.startswith(member.display_name) and line.endswith(zh(choice)) for line in lines)
