"""The figures, stuck stage and open data files of projects: completed per plan, pledges delivered per plan,
projects without progress, projects.csv and milestones.csv."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

from block_service.i18n import N_
from block_service.insights.loop import LIMIT, _items, stuck_stage
from block_service.insights.months import Months, month_values, placeholders, sums_per_month
from block_service.insights.opendata import Field, keyset_batches, open_file
from block_service.insights.providers import indicator
from block_service.insights.schemas import StuckItem
from block_service.projects.reads import EXPORT_COLUMNS, export_rows, milestone_export_rows
from block_service.projects.tables import Project


@indicator("projects_completed", N_("Projects completed"), "count", order=50)
async def projects_completed(plan_ids: list[int], months: Months, now: dt.datetime) -> dict[int, list[float | None]]:
    sums, args = sums_per_month("p.completed_at", months)
    rows = await Project.raw(
        f"SELECT p.plan_id AS plan, {sums} FROM project p "
        f"WHERE p.plan_id IN ({placeholders(plan_ids)}) AND p.completed_at >= {{}} GROUP BY p.plan_id",
        *args,
        *plan_ids,
        months.start,
    )
    return {row["plan"]: [float(value) for value in month_values(row, months)] for row in rows}


@indicator("pledges_delivered", N_("Pledges delivered to its projects"), "count", order=55)
async def pledges_delivered(plan_ids: list[int], months: Months, now: dt.datetime) -> dict[int, list[float | None]]:
    """Pledges (of any kind) the projects' leads marked delivered, per month of delivery."""
    sums, args = sums_per_month("g.delivered_at", months)
    rows = await Project.raw(
        f"SELECT p.plan_id AS plan, {sums} FROM pledge g JOIN project p ON p.id = g.subject_id "
        "WHERE g.subject_kind = 'project' AND g.state = 'delivered' "
        f"AND p.plan_id IN ({placeholders(plan_ids)}) AND g.delivered_at >= {{}} GROUP BY p.plan_id",
        *args,
        *plan_ids,
        months.start,
    )
    return {row["plan"]: [float(value) for value in month_values(row, months)] for row in rows}


@stuck_stage("project", N_("Projects without progress"), "project")
async def projects_without_progress(before: dt.datetime, now: dt.datetime) -> list[StuckItem]:
    rows = (
        await Project.select(Project.id, Project.title, Project.changed_at.as_alias("since"))
        .where(Project.state.is_in(["planned", "in_progress", "stalled"]) & (Project.changed_at < before))
        .order_by(Project.changed_at)
        .limit(LIMIT)
    )
    return _items("project", "project", rows, now)


_PROJECT_TYPES = {
    "id": "integer",
    "plan_id": "integer",
    "proposal_id": "integer",
    "motion_id": "integer",
    "segment_id": "integer",
    "budget_cap": "integer",
    "starts_on": "date",
    "created_at": "datetime",
    "completed_at": "datetime",
    "evaluated_at": "datetime",
}
PROJECT_FIELDS = [
    Field(name, _PROJECT_TYPES.get(name, "string"), name.replace("_", " ").capitalize()) for name in EXPORT_COLUMNS
]


@open_file("projects.csv", N_("Projects carried out"), PROJECT_FIELDS)
async def project_rows() -> AsyncIterator[list[tuple]]:
    async for batch in keyset_batches(export_rows, lambda row: tuple(row[name] for name in EXPORT_COLUMNS)):
        yield batch


MILESTONE_FIELDS = [
    Field("id", "integer", "Number of the milestone"),
    Field("project", "integer", "The project"),
    Field("title", "string", "Title"),
    Field("due_on", "date", "Due"),
    Field("weight", "integer", "Weight in the project's progress"),
    Field("done_on", "date", "Done"),
]


@open_file("milestones.csv", N_("Project milestones"), MILESTONE_FIELDS)
async def milestone_rows() -> AsyncIterator[list[tuple]]:
    async for batch in keyset_batches(
        milestone_export_rows, lambda row: tuple(row[field.name] for field in MILESTONE_FIELDS)
    ):
        yield batch
