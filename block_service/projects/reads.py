"""Small reads for other pages and for the insights (indicators, dashboard, open data): no personal data."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Annotated

from litestar.params import QueryParameter

from block_service.clock import BLOCK_TIMEZONE
from block_service.projects.schemas import SIZES, STATES, ProjectFilter
from block_service.projects.tables import Milestone, Project, ProjectEvaluation

# "state" is a name Litestar reserves for the app state: the query parameter is read under another name.
StateQuery = Annotated[str | None, QueryParameter(name="state", max_length=12)]

EXPORT_COLUMNS = (
    "id",
    "title",
    "plan_id",
    "proposal_id",
    "motion_id",
    "segment_id",
    "size",
    "state",
    "stage",
    "budget_cap",
    "lead_type",
    "maintainer_type",
    "starts_on",
    "created_at",
    "completed_at",
    "evaluated_at",
)


def filters_from(
    plan: int | None, size: str | None, state: str | None, segment: int | None, page: int
) -> ProjectFilter:
    return ProjectFilter(
        plan=plan,
        size=size if size in SIZES else None,
        state=state if state in STATES else None,
        segment=segment,
        page=page,
    )


async def project_titles(project_ids: list[int]) -> dict[int, str]:
    if not project_ids:
        return {}
    rows = await Project.select(Project.id, Project.title).where(Project.id.is_in(project_ids))
    return {row["id"]: row["title"] for row in rows}


def _month(moment: dt.datetime) -> str:
    return moment.astimezone(BLOCK_TIMEZONE).strftime("%Y-%m")


async def completed_per_plan_month() -> dict[int, dict[str, int]]:
    """{plan_id: {"2026-11": n}}: projects completed (or since evaluated) per plan and month, Shanghai time."""
    rows = await Project.select(Project.plan_id, Project.completed_at).where(Project.completed_at.is_not_null())
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[row["plan_id"]][_month(row["completed_at"])] += 1
    return {plan: dict(months) for plan, months in counts.items()}


async def counts_by_state() -> dict[str, int]:
    """How many projects are in each state (for the dashboard)."""
    rows = await Project.raw("SELECT state, COUNT(*) AS n FROM project GROUP BY state")
    return {row["state"]: row["n"] for row in rows}


async def evaluation_per_plan() -> dict[int, dict[str, float | int]]:
    """Per plan: answers, share solved "yes", average satisfaction (for the plan's indicators)."""
    rows = await ProjectEvaluation.raw(
        "SELECT p.plan_id AS plan_id, COUNT(*) AS answers, "
        "SUM(CASE WHEN e.solved = 'yes' THEN 1 ELSE 0 END) AS solved, AVG(e.satisfaction) AS satisfaction "
        "FROM project_evaluation e JOIN project p ON p.id = e.project GROUP BY p.plan_id"
    )
    return {
        row["plan_id"]: {
            "answers": row["answers"],
            "solved_share": round(row["solved"] / row["answers"], 3) if row["answers"] else 0.0,
            "satisfaction": round(float(row["satisfaction"]), 2) if row["satisfaction"] is not None else 0.0,
        }
        for row in rows
    }


async def export_rows(after_id: int = 0, limit: int = 1000) -> list[dict]:
    """Projects for the open data, in id order from `after_id` (page by the last id): no person ids or names."""
    columns = [getattr(Project, name) for name in EXPORT_COLUMNS]
    return await Project.select(*columns).where(Project.id > after_id).order_by(Project.id).limit(limit)


async def milestone_export_rows(after_id: int = 0, limit: int = 1000) -> list[dict]:
    """Milestones for the open data (no person ids): project, title, due, weight, done."""
    return await (
        Milestone.select(
            Milestone.id, Milestone.project, Milestone.title, Milestone.due_on, Milestone.weight, Milestone.done_on
        )
        .where(Milestone.id > after_id)
        .order_by(Milestone.id)
        .limit(limit)
    )
