"""Helpers for project tests: a proposal the council passed (its motion made directly), a project started from it."""

from __future__ import annotations

import datetime as dt

from block_service.clock import block_today, now
from block_service.council.motion_tables import Motion
from block_service.council.tables import CouncilTerm
from block_service.plans.tables import Proposal
from block_service.projects.projects import create_project
from block_service.projects.schemas import MilestoneForm, ProjectForm
from block_service.projects.work import add_milestone
from tests.council_helpers import make_term, staff_viewer
from tests.plans_helpers import file, resident


async def passed_motion(
    staff=None,
    *,
    size: str = "small",
    budget_cap: int | None = 8000,
    result: str = "passed",
    author=None,
    proposal_id: int | None = None,
) -> tuple[int, int]:
    """A proposal and the closed motion on it with `result`: (motion id, proposal id)."""
    staff = staff or await staff_viewer()
    author = author or await resident("提议人")
    if proposal_id is None:
        proposal_id = await file(author, title="弄口增设休息座椅", body="1141弄口老人多，建议增设两张休息座椅。")
    term = await CouncilTerm.select(CouncilTerm.id).first()
    term_id = term["id"] if term else await make_term(staff)
    moment = now()
    rows = await Motion.insert(
        Motion(
            term=term_id,
            title="关于弄口增设休息座椅的动议",
            text="表决",
            kind="proposal",
            proposal_id=proposal_id,
            size=size,
            budget_cap=budget_cap,
            status="closed",
            result=result,
            opens_at=moment - dt.timedelta(days=3),
            closes_at=moment - dt.timedelta(days=1),
            created_at=moment - dt.timedelta(days=3),
            closed_at=moment,
        )
    ).returning(Motion.id)
    await Proposal.update(
        {Proposal.status: "passed" if result == "passed" else "rejected", Proposal.motion_id: rows[0]["id"]}
    ).where(Proposal.id == proposal_id)
    return rows[0]["id"], proposal_id


async def started_project(
    staff=None, *, size: str = "small", lead=None, starts_on: dt.date | None = None, **motion
) -> int:
    staff = staff or await staff_viewer()
    motion_id, _proposal = await passed_motion(staff, size=size, **motion)
    lead_id = lead.person_id if lead else staff.person_id
    form = ProjectForm(
        motion_id=motion_id,
        title="弄口休息座椅",
        lead_type="person",
        lead_id=lead_id,
        starts_on=(starts_on or block_today()).isoformat(),
    )
    return await create_project(staff, form)


async def milestone(viewer, project_id: int, title: str = "采购座椅", days: int = 10, weight: int = 1) -> int:
    due = (block_today() + dt.timedelta(days=days)).isoformat()
    return await add_milestone(viewer, project_id, MilestoneForm(title=title, due_on=due, weight=weight))
