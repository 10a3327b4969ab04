"""The demo block's projects: motions on demo proposals, a project of each size in different states."""

from collections import Counter

from block_service.funds.tables import FundEntry
from block_service.plans.tables import Proposal
from block_service.pledges.tables import Pledge
from block_service.projects.tables import Milestone, Project, ProjectEvaluation, ProjectUpdate
from block_service.seed import seed_demo


async def test_the_demo_has_decided_proposals_and_a_project_of_each_size_in_different_states(db):
    assert await seed_demo()
    statuses = Counter(row["status"] for row in await Proposal.select(Proposal.status))
    assert statuses["passed"] >= 5 and statuses["rejected"] >= 1 and statuses["on_agenda"] >= 1
    assert statuses["deliberation"] >= 1 and statuses["submitted"] >= 1
    projects = await Project.select(Project.size, Project.state, Project.stage, Project.maintainer_type)
    assert {p["size"] for p in projects} == {"large", "small", "mini"}
    states = Counter(p["state"] for p in projects)
    assert states["stalled"] == 1 and states["evaluated"] == 1 and states["in_progress"] >= 2
    assert any(p["stage"] == "submitted" for p in projects)
    assert await ProjectEvaluation.count() == 3
    assert await Milestone.count() >= 10 and await ProjectUpdate.count() >= 2
    assert await FundEntry.count().where(FundEntry.kind == "spending") >= 3
    assert await Pledge.count() >= 3
    linked = await Proposal.count().where(Proposal.project_id.is_not_null())
    assert linked == len(projects)
