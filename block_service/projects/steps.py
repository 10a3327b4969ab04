"""The project's steps on a proposal's chain timeline: the project and its states, milestones, the evaluation.

Registered as the "project", "milestone" and "evaluation" providers of plans/chain.py; "project" replaces the
plans domain's waiting slot (a passed proposal without a project still shows it waiting). One statement each.
"""

from __future__ import annotations

import datetime as dt

import block_service.plans.steps  # noqa: F401  (its "project" slot registers first; this module replaces it)
from block_service.accounts.schemas import Viewer
from block_service.clock import BLOCK_TIMEZONE, block_today
from block_service.i18n import N_
from block_service.names import shown_name
from block_service.plans.chain import chain_steps
from block_service.plans.schemas import ChainStep
from block_service.plans.tables import Proposal
from block_service.projects.tables import Milestone, Project, ProjectStep

STATE_STEPS = {
    "planned": N_("Project started"),
    "in_progress": N_("Work in progress"),
    "stalled": N_("Project stalled"),
    "completed": N_("Project completed"),
    "evaluated": N_("Evaluated by the people served"),
    "cancelled": N_("Project cancelled"),
}
STAGE_STEPS = {
    "submitted": N_("Submitted to the street office"),
    "accepted": N_("Accepted into the street office's list"),
    "declined": N_("Declined by the street office"),
    "construction": N_("In construction"),
    "completed": N_("Construction completed"),
}
REFUSED = ("stalled", "cancelled", "declined")


def _route(project_id: int) -> dict:
    return {"route": "project", "route_params": {"project_id": project_id}}


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), BLOCK_TIMEZONE)


@chain_steps("project")
async def project_steps(proposal_ids: list[int], viewer: Viewer) -> list[ChainStep]:
    """Each state and stage step of each proposal's project, with who acted; a passed proposal without one waits."""
    rows = await (
        ProjectStep.select(
            ProjectStep.kind,
            ProjectStep.status_to,
            ProjectStep.reason,
            ProjectStep.at,
            ProjectStep.project.as_alias("project_id"),
            ProjectStep.project.proposal_id.as_alias("proposal_id"),
            ProjectStep.project.title.as_alias("title"),
            ProjectStep.project.state.as_alias("current"),
            ProjectStep.actor.display_name.as_alias("actor_name"),
        )
        .where(ProjectStep.project.proposal_id.is_in(proposal_ids) & ProjectStep.kind.is_in(["state", "stage"]))
        .order_by(ProjectStep.at)
        .order_by(ProjectStep.id)
    )
    steps = []
    for row in rows:
        labels = STATE_STEPS if row["kind"] == "state" else STAGE_STEPS
        target = row["status_to"]
        if row["kind"] == "state" and target == "evaluated":
            continue  # the evaluation step says it
        current = row["kind"] == "state" and target == row["current"]
        by = shown_name(row["actor_name"])
        detail_label, params = "", {}
        if by and row["reason"]:
            detail_label, params = N_("By %(name)s: %(reason)s"), {"name": by, "reason": row["reason"]}
        elif by:
            detail_label, params = N_("By %(name)s"), {"name": by}
        elif row["reason"]:
            detail_label, params = N_("Why: %(reason)s"), {"reason": row["reason"]}
        steps.append(
            ChainStep(
                proposal_id=row["proposal_id"],
                kind="project",
                title=row["title"],
                label=labels.get(target, target),
                state="refused" if target in REFUSED else ("current" if current else "done"),
                at=row["at"],
                detail_label=detail_label,
                detail_params=params,
                **_route(row["project_id"]),
            )
        )
    waiting = await Proposal.select(Proposal.id).where(
        Proposal.id.is_in(proposal_ids) & (Proposal.status == "passed") & Proposal.project_id.is_null()
    )
    steps += [
        ChainStep(
            proposal_id=row["id"], kind="project", title="", label=N_("Waits for its project"), state="waiting", at=None
        )
        for row in waiting
    ]
    return steps


@chain_steps("milestone")
async def milestone_steps(proposal_ids: list[int], viewer: Viewer) -> list[ChainStep]:
    """Each milestone: done on its day, overdue, or waiting for its due date."""
    rows = await (
        Milestone.select(
            Milestone.title,
            Milestone.due_on,
            Milestone.done_on,
            Milestone.project.as_alias("project_id"),
            Milestone.project.proposal_id.as_alias("proposal_id"),
            Milestone.done_by.display_name.as_alias("done_by"),
        )
        .where(Milestone.project.proposal_id.is_in(proposal_ids))
        .order_by(Milestone.due_on)
        .order_by(Milestone.id)
    )
    today = block_today()
    steps = []
    for row in rows:
        if row["done_on"]:
            state, at = "done", _noon(row["done_on"])
            detail, params = (N_("By %(name)s"), {"name": shown_name(row["done_by"])}) if row["done_by"] else ("", {})
        else:
            overdue = row["due_on"] < today
            state, at = ("refused" if overdue else "waiting"), None
            label = N_("Overdue since %(date)s") if overdue else N_("Due %(date)s")
            detail, params = label, {"date": row["due_on"].isoformat()}
        steps.append(
            ChainStep(
                proposal_id=row["proposal_id"],
                kind="milestone",
                title=row["title"],
                state=state,
                at=at,
                detail_label=detail,
                detail_params=params,
                **_route(row["project_id"]),
            )
        )
    return steps


@chain_steps("evaluation")
async def evaluation_steps(proposal_ids: list[int], viewer: Viewer) -> list[ChainStep]:
    """Open from completion until the window ends (or the evaluation meeting's minutes); then done."""
    rows = await Project.select(
        Project.id,
        Project.proposal_id,
        Project.state,
        Project.completed_at,
        Project.evaluation_closes_at,
        Project.evaluated_at,
    ).where(Project.proposal_id.is_in(proposal_ids) & Project.completed_at.is_not_null())
    steps = []
    for row in rows:
        done = row["state"] == "evaluated"
        closes = row["evaluation_closes_at"]
        steps.append(
            ChainStep(
                proposal_id=row["proposal_id"],
                kind="evaluation",
                title="",
                label=N_("Evaluated by the people served") if done else N_("Evaluation by the people served"),
                state="done" if done else "current",
                at=row["evaluated_at"] if done else row["completed_at"],
                detail_label="" if done or closes is None else N_("Open until %(date)s"),
                detail_params={}
                if done or closes is None
                else {"date": closes.astimezone(BLOCK_TIMEZONE).date().isoformat()},
                **_route(row["id"]),
            )
        )
    return steps
