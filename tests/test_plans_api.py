"""The API the council's motions and the meetings use: facts, the agenda, decisions, leads and the chain."""

import pytest

from block_service.clock import now
from block_service.errors import Conflict, Invalid, NotFound
from block_service.i18n import current_language
from block_service.plans import (
    ChainStep,
    chain_of,
    chain_steps,
    plan_leads,
    proposal_facts,
    put_on_agenda,
    record_decision,
)
from block_service.plans.chain import _providers
from block_service.plans.plans import get_plan, list_plans, save_plan
from block_service.plans.schemas import PlanForm
from block_service.plans.tables import Proposal
from tests.council_helpers import merchant, staff_viewer
from tests.helpers import make_thread
from tests.plans_helpers import file, resident, sitting_members, step


@pytest.fixture(autouse=True)
def _english():
    token = current_language.set("en")
    yield
    current_language.reset(token)


async def test_the_six_plans_are_seeded_in_order(db):
    plans = await list_plans()
    assert [p.slug for p in plans] == ["environment", "safety", "business", "neighbours", "services", "culture"]
    assert plans[0].name_zh == "环境共治" and plans[0].people_threshold == 10 and plans[0].shop_threshold == 3


async def test_facts_of_a_proposal_name_its_threads_shops_and_supporters(db):
    shop_merchant = await merchant("张师傅", "1143号", "老张生煎")
    author = await resident("王先生")
    thread = await make_thread(author.person_id, shop_id=next(iter(shop_merchant.shop_ids)))
    proposal_id = await file(author, thread_ids=[thread], house_number="1152号")
    supporter = await resident("林阿姨")
    from block_service.plans.supports import set_support

    await set_support(supporter, proposal_id, True)
    facts = await proposal_facts(proposal_id)
    assert facts.status == "submitted" and facts.plan_slug == "environment" and facts.author_id == author.person_id
    assert facts.thread_ids == (thread,)
    assert facts.shop_ids == tuple(sorted(shop_merchant.shop_ids))
    assert facts.supporter_ids == (supporter.person_id,)
    with pytest.raises(NotFound, match="No such proposal"):
        await proposal_facts(proposal_id + 100)


async def test_agenda_and_decisions_move_the_proposal_and_refuse_out_of_turn(db):
    staff = await staff_viewer()
    author = await resident()
    proposal_id = await file(author)
    with pytest.raises(Conflict, match="Only a proposal under deliberation"):
        await put_on_agenda(proposal_id, 7, actor_id=staff.person_id, now=now())
    await step(staff, proposal_id, "accept")
    await put_on_agenda(proposal_id, 7, actor_id=staff.person_id, now=now())
    assert (await proposal_facts(proposal_id)).status == "on_agenda"
    with pytest.raises(Conflict, match="can be withdrawn only before a motion"):
        await step(author, proposal_id, "withdraw")
    with pytest.raises(Conflict, match="not on the council's agenda under this motion"):
        await record_decision(proposal_id, 8, "passed", now=now())
    await record_decision(proposal_id, 7, "no_quorum", now=now())
    assert (await proposal_facts(proposal_id)).status == "deliberation"
    await put_on_agenda(proposal_id, 9, actor_id=staff.person_id, now=now())
    await record_decision(proposal_id, 9, "passed", now=now())
    row = await Proposal.select(Proposal.status, Proposal.motion_id).where(Proposal.id == proposal_id).first()
    assert row == {"status": "passed", "motion_id": 9}
    chain = await chain_of(proposal_id, staff)
    assert [s.kind for s in chain][-2:] == ["decision", "project"]
    assert chain[-1].label == "Waits for its project" and chain[-1].state == "waiting"


async def test_plan_leads_and_a_registered_provider_join_the_chain(db):
    staff = await staff_viewer()
    (lead,) = await sitting_members(staff, ("陈经理", "1152号"))
    plan = await get_plan("safety")
    not_a_member = await merchant("李老板", "1021号")
    with pytest.raises(Invalid, match="among the sitting council members"):
        await save_plan(staff, "safety", PlanForm(name_zh="平安", name_en="Safe", lead_ids=[not_a_member.person_id]))
    await save_plan(staff, "safety", PlanForm(name_zh=plan.name_zh, name_en=plan.name_en, lead_ids=[lead.person_id]))
    assert await plan_leads(plan.id) == [lead.person_id]
    author = await resident()
    proposal_id = await file(author, "safety")
    real_motions = _providers.get("motion")  # council's provider, put back below for the tests that follow

    @chain_steps("motion")
    async def motions(proposal_ids, viewer):
        return [
            ChainStep(proposal_id=i, kind="motion", title="Motion 1", state="current", at=now()) for i in proposal_ids
        ]

    try:
        chain = await chain_of(proposal_id, author)
    finally:
        if real_motions is None:
            _providers.pop("motion")
        else:
            _providers["motion"] = real_motions
    assert [s.kind for s in chain] == ["proposal", "motion"]
