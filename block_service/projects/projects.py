"""Starting a project from a passed motion, and reading projects: the list and one project's page."""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.clock import block_today, now
from block_service.council.motion_tables import Motion
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, FormInvalid, Invalid, NotFound
from block_service.i18n import N_
from block_service.pagination import Page, clamp, paginate
from block_service.plans.plans import list_plans
from block_service.plans.tables import Proposal
from block_service.projects import access, notices
from block_service.projects.evaluation import my_evaluation, results_of
from block_service.projects.schemas import (
    MilestoneOut,
    ProjectFilter,
    ProjectForm,
    ProjectOut,
    ProjectPage,
    ProjectSummary,
)
from block_service.projects.tables import Milestone, Project, ProjectWorker
from block_service.projects.work import documents_of, may_post_update, updates_of


def parse_date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise FormInvalid({field: N_("Enter a date like 2026-12-01.")}) from None


async def passed_motion(motion_id: int) -> dict:
    """A closed motion on a proposal that the council passed, with its proposal; refused otherwise."""
    motion = (
        await Motion.select(
            Motion.id,
            Motion.title,
            Motion.kind,
            Motion.status,
            Motion.result,
            Motion.proposal_id,
            Motion.size,
            Motion.budget_cap,
        )
        .where(Motion.id == motion_id)
        .first()
    )
    if motion is None:
        raise NotFound("No such motion.")
    if motion["proposal_id"] is None or motion["status"] != "closed" or motion["result"] != "passed":
        raise Conflict("A project starts only from a motion on a proposal that the council passed.")
    return motion


async def create_project(viewer: Viewer, form: ProjectForm) -> int:
    """Start the project a passed motion decided: it links back to the proposal (and through it its threads and
    plan), takes the motion's size and budget cap, and tells the lead and the proposal's supporters."""
    if not await access.may_create(viewer):
        raise Forbidden("Only staff or the council's chair start a project.")
    motion = await passed_motion(form.motion_id)
    starts_on = parse_date(form.starts_on, "starts_on")
    if not await access.party_exists(form.lead_type, form.lead_id):
        raise Invalid("No such person, shop or group.", field="lead_id")
    proposal = (
        await Proposal.select(Proposal.id, Proposal.plan, Proposal.segment, Proposal.size, Proposal.project_id)
        .where(Proposal.id == motion["proposal_id"])
        .first()
    )
    if proposal is None:
        raise NotFound("No such proposal.")
    if proposal["project_id"] is not None:
        raise Conflict("This proposal already has its project.")
    moment = now()
    size = motion["size"] or proposal["size"]
    taken = Conflict("This proposal already has its project.")
    async with write_transaction():
        with duplicate_means(taken):
            rows = await Project.insert(
                Project(
                    proposal_id=proposal["id"],
                    motion_id=motion["id"],
                    plan_id=proposal["plan"],
                    segment_id=proposal["segment"],
                    title=form.title,
                    summary=form.summary,
                    size=size,
                    budget_cap=motion["budget_cap"],
                    state="planned",
                    stage="drafted" if size == "large" else "",
                    lead_type=form.lead_type,
                    lead_id=form.lead_id,
                    starts_on=starts_on,
                    created_by=viewer.person_id,
                    created_at=moment,
                    changed_at=moment,
                )
            ).returning(Project.id)
        project_id = rows[0]["id"]
        claimed = (
            await Proposal.update({Proposal.project_id: project_id})
            .where((Proposal.id == proposal["id"]) & Proposal.project_id.is_null())
            .returning(Proposal.id)
        )
        if not claimed:
            raise taken
        await notices.record_step(project_id, "state", "", "planned", actor_id=viewer.person_id)
        project = await access.project_row(project_id)
        await notices.tell(
            await access.taking_part(project),
            project_id,
            "created",
            actor_id=viewer.person_id,
            actor_name=viewer.display_name,
        )
    return project_id


def _progress(weights: dict) -> tuple[int, int]:
    total = weights.get("total") or 0
    done = weights.get("done") or 0
    return (round(100 * done / total) if total else 0), int(weights.get("overdue") or 0)


async def progress_of(project_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Percent of weighted milestones done and the overdue count of each project: one statement."""
    if not project_ids:
        return {}
    marks = ", ".join("{}" for _ in project_ids)
    rows = await Milestone.raw(
        "SELECT project, SUM(weight) AS total, "
        "SUM(CASE WHEN done_on IS NOT NULL THEN weight ELSE 0 END) AS done, "
        "SUM(CASE WHEN done_on IS NULL AND due_on < {} THEN 1 ELSE 0 END) AS overdue "
        f"FROM project_milestone WHERE project IN ({marks}) GROUP BY project",
        block_today(),
        *project_ids,
    )
    return {row["project"]: _progress(row) for row in rows}


def _summary_columns() -> tuple:
    return (
        Project.id,
        Project.title,
        Project.size,
        Project.state,
        Project.stage,
        Project.plan_id,
        Project.segment_id,
        Project.proposal_id,
        Project.motion_id,
        Project.starts_on,
        Project.changed_at,
    )


async def list_projects(filters: ProjectFilter) -> Page[ProjectSummary]:
    """Projects newest change first, filtered: three statements a page (rows, count, progress) and the plans."""
    page, per_page = clamp(filters.page, filters.per_page)
    where = []
    if filters.plan:
        where.append(Project.plan_id == filters.plan)
    if filters.size:
        where.append(Project.size == filters.size)
    if filters.state:
        where.append(Project.state == filters.state)
    if filters.segment:
        where.append(Project.segment_id == filters.segment)
    query = Project.select(*_summary_columns()).order_by(Project.changed_at, ascending=False).order_by(Project.id)
    count = Project.count()
    for condition in where:
        query, count = query.where(condition), count.where(condition)
    result = await paginate(query, count, page, per_page, lambda row: row)
    plans = {plan.id: plan for plan in await list_plans(include_archived=True)}
    progress = await progress_of([row["id"] for row in result.items])
    items = []
    for row in result.items:
        plan = plans.get(row["plan_id"])
        percent, overdue = progress.get(row["id"], (0, 0))
        items.append(
            ProjectSummary(
                **row,
                plan_name_zh=plan.name_zh if plan else "",
                plan_name_en=plan.name_en if plan else "",
                progress=percent,
                overdue=overdue,
            )
        )
    return Page(items=items, page=result.page, per_page=result.per_page, total=result.total)


async def milestones_of(project_id: int) -> list[MilestoneOut]:
    today = block_today()
    rows = (
        await Milestone.select(Milestone.id, Milestone.title, Milestone.due_on, Milestone.weight, Milestone.done_on)
        .where(Milestone.project == project_id)
        .order_by(Milestone.due_on)
        .order_by(Milestone.id)
    )
    return [MilestoneOut(**row, overdue=row["done_on"] is None and row["due_on"] < today) for row in rows]


async def get_project(project_id: int) -> ProjectOut:
    project = await access.project_row(project_id)
    workers = await ProjectWorker.select(ProjectWorker.person).where(ProjectWorker.project == project_id)
    pairs = [(project["lead_type"], project["lead_id"])] + [("person", row["person"]) for row in workers]
    if project["maintainer_type"]:
        pairs.append((project["maintainer_type"], project["maintainer_id"]))
    names = await access.parties(pairs)
    proposal = await Proposal.select(Proposal.title).where(Proposal.id == project["proposal_id"]).first()
    milestones = await milestones_of(project_id)
    percent, overdue = _progress(
        {
            "total": sum(m.weight for m in milestones),
            "done": sum(m.weight for m in milestones if m.done_on),
            "overdue": sum(m.overdue for m in milestones),
        }
    )
    lead = (project["lead_type"], project["lead_id"])
    maintainer = (project["maintainer_type"], project["maintainer_id"])
    return ProjectOut(
        **{key: project[key] for key in ProjectOut.__struct_fields__ if key in project},
        proposal_title=proposal["title"] if proposal else "",
        lead=names.get(lead) or access.Party(type=lead[0], id=lead[1], name=""),
        maintainer=names.get(maintainer) if project["maintainer_type"] else None,
        workers=[names[("person", row["person"])] for row in workers if ("person", row["person"]) in names],
        progress=percent,
        overdue=overdue,
        milestones=milestones,
        updates=await updates_of(project_id),
        documents=await documents_of(project_id),
        results=await results_of(project_id),
    )


async def get_project_page(viewer: Viewer, project_id: int) -> ProjectPage:
    project = await get_project(project_id)
    row = {"id": project.id, "lead_type": project.lead.type, "lead_id": project.lead.id}
    return ProjectPage(
        project=project,
        may_manage=await access.may_manage(viewer, row),
        may_post=await may_post_update(viewer, row),
        mine=await my_evaluation(viewer, project),
    )


async def project_of_motion(motion_id: int) -> int | None:
    row = await Project.select(Project.id).where(Project.motion_id == motion_id).first()
    return row["id"] if row else None
