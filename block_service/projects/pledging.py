"""A mini project's pledges through block_service.pledges: the project as a pledge target, and its goals."""

from __future__ import annotations

from block_service.accounts.schemas import Viewer
from block_service.db import write_transaction
from block_service.errors import Conflict
from block_service.pledges import register_target
from block_service.pledges import services as pledges
from block_service.pledges.schemas import GoalForm, PledgeSubject
from block_service.projects import access, notices
from block_service.projects.reads import project_titles
from block_service.projects.schemas import GoalsForm
from block_service.projects.tables import Project

KIND = "project"
CLOSED = ("cancelled", "completed", "evaluated")  # the work is over: no more pledges nor goals


def subject_of(project_id: int) -> PledgeSubject:
    return PledgeSubject(kind=KIND, id=project_id)


async def _is_open(project_id: int) -> bool:
    """Called inside the pledge's write: one small query. A cancelled or evaluated project takes no pledges."""
    row = await Project.select(Project.state).where(Project.id == project_id).first()
    return row is not None and row["state"] not in CLOSED


async def _may_manage(project_id: int, viewer: Viewer) -> bool:
    row = await Project.select(Project.id, Project.lead_type, Project.lead_id).where(Project.id == project_id).first()
    return row is not None and await access.may_manage(viewer, row)


async def _describe(project_ids: list[int], _viewer: Viewer) -> dict[int, str]:
    return await project_titles(project_ids)


def _url(project_id: int) -> str:
    return f"/projects/{project_id}#pledges-{KIND}-{project_id}"


register_target(KIND, is_open=_is_open, may_manage=_may_manage, describe=_describe, url=_url)


async def set_goal(viewer: Viewer, project_id: int, form: GoalsForm) -> None:
    """Managers set a goal of one kind (and item), keeping the others."""
    project = await access.managed_project(viewer, project_id)
    if project["size"] != "mini":
        raise Conflict("Only mini projects gather pledges.")
    if project["state"] in CLOSED:
        raise Conflict("This project is closed: nothing more can be added to it.")
    subject = subject_of(project_id)
    item = form.item.strip() if form.kind in ("materials", "skill", "space") else ""
    goals = [
        GoalForm(kind=row.kind, quantity=row.goal, item=row.item, unit=row.unit)
        for row in await pledges.progress(subject)
        if row.goal and (row.kind, row.item) != (form.kind, item)
    ]
    goals.append(GoalForm(kind=form.kind, quantity=form.quantity, item=item, unit=form.unit.strip()))
    async with write_transaction():
        await pledges.set_goals(subject, goals, actor_id=viewer.person_id)
        await notices.record_step(
            project_id, "goal", "", form.kind, actor_id=viewer.person_id, reason=f"{item} {form.quantity}".strip()
        )


async def panel_of(project_id: int, viewer: Viewer):
    return await pledges.panel(subject_of(project_id), viewer)
