"""The plan indicators a page or the API asks for: every registered figure of one plan or of every active plan."""

from __future__ import annotations

import datetime as dt

from block_service.insights.providers import compute_series
from block_service.insights.schemas import PlanIndicators
from block_service.plans.plans import get_plan, list_plans
from block_service.plans.schemas import PlanOut


async def indicators_of(plans: list[PlanOut], now: dt.datetime | None = None) -> list[PlanIndicators]:
    """A few grouped statements per figure, whatever the number of plans: all of them at once."""
    months, series = await compute_series([plan.id for plan in plans], now)
    return [
        PlanIndicators(
            plan_id=plan.id,
            slug=plan.slug,
            name_zh=plan.name_zh,
            name_en=plan.name_en,
            months=list(months.labels),
            series=series[plan.id],
        )
        for plan in plans
    ]


async def plan_indicators(slug: str, now: dt.datetime | None = None) -> PlanIndicators:
    """One plan's indicators over the last twelve months (an unknown slug is a 404)."""
    return (await indicators_of([await get_plan(slug)], now))[0]


async def all_plan_indicators(now: dt.datetime | None = None) -> list[PlanIndicators]:
    return await indicators_of(await list_plans(), now)
