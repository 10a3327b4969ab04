"""The demo block's plans and proposals: a dozen proposals in the states this domain reaches, with supports."""

from collections import Counter

from block_service.plans.demo import FOR_MOTIONS
from block_service.plans.plans import lead_names, list_plans
from block_service.plans.tables import Proposal, ProposalThread
from block_service.seed import seed_demo


async def test_the_demo_has_the_six_plans_with_leads_and_proposals_in_every_state(db):
    assert await seed_demo()
    plans = await list_plans()
    assert len(plans) == 6
    assert all([await lead_names(plan.id) for plan in plans])
    rows = await Proposal.select(Proposal.title, Proposal.status, Proposal.ready_at, Proposal.support_count)
    statuses = Counter(row["status"] for row in rows)
    assert len(rows) >= 12
    assert {"draft", "submitted", "deliberation", "declined", "merged", "withdrawn"} <= set(statuses)
    by_title = {row["title"]: row for row in rows}
    # The projects' demo decides them: passed, rejected, or left under deliberation.
    assert all(by_title[title]["status"] in ("deliberation", "passed", "rejected") for title in FOR_MOTIONS)
    assert any(row["status"] == "submitted" and row["ready_at"] for row in rows)  # one waits on the staff's list
    assert await ProposalThread.count() >= 5  # several were made from demo threads
