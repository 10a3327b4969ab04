"""The plan indicators: a registry where each figure is one function over every plan and month at once.

A figure is `async def f(plan_ids, months, now) -> {plan_id: [value per month]}` decorated with
`@indicator(key, label, unit, order=…)`; it should take a few grouped statements whatever the number of plans
or months. The figures of a domain live in `insights/figures_<domain>.py`, imported by `insights/__init__.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from block_service.clock import now as clock_now
from block_service.insights.months import Months, last_months
from block_service.insights.schemas import Series, Unit
from block_service.plans.tables import Plan

Compute = Callable[[list[int], Months, dt.datetime], Awaitable[dict[int, list[float | None]]]]


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: Unit
    order: int
    compute: Compute
    plan_slug: str | None = None  # a figure of one plan only (the 门前三包 results are the 环境共治 plan's)


_figures: dict[str, Figure] = {}


def indicator(
    key: str, label: str, unit: Unit, *, order: int, plan_slug: str | None = None
) -> Callable[[Compute], Compute]:
    """Register the decorated coroutine as the figure `key` (label: an English message id); with `plan_slug`,
    a figure of that plan only."""

    def register(compute: Compute) -> Compute:
        _figures[key] = Figure(key=key, label=label, unit=unit, order=order, compute=compute, plan_slug=plan_slug)
        return compute

    return register


def figures() -> list[Figure]:
    return sorted(_figures.values(), key=lambda figure: figure.order)


def series_of(figure: Figure, months: Months, values: list[float | None]) -> Series:
    known = [value for value in values if value is not None]
    return Series(
        key=figure.key,
        label=figure.label,
        unit=figure.unit,
        months=list(months.labels),
        values=values,
        latest=values[-1] if values else None,
        total=float(sum(known)) if figure.unit in ("count", "yuan") else None,
    )


async def compute_series(plan_ids: list[int], now: dt.datetime | None = None) -> tuple[Months, dict[int, list[Series]]]:
    """Every registered figure for every plan in `plan_ids`, month by month over the last twelve months."""
    moment = now or clock_now()
    months = last_months(moment)
    out: dict[int, list[Series]] = {plan_id: [] for plan_id in plan_ids}
    if not plan_ids:
        return months, out
    empty: list[float | None] = [None] * len(months.labels)
    slugs = await _slugs(plan_ids) if any(figure.plan_slug for figure in figures()) else {}
    for figure in figures():
        shown = [plan_id for plan_id in plan_ids if figure.plan_slug in (None, slugs.get(plan_id))]
        if not shown:
            continue
        by_plan = await figure.compute(shown, months, moment)
        for plan_id in shown:
            default = [0.0] * len(months.labels) if figure.unit in ("count", "yuan") else empty
            out[plan_id].append(series_of(figure, months, by_plan.get(plan_id, default)))
    return months, out


async def _slugs(plan_ids: list[int]) -> dict[int, str]:
    rows = await Plan.select(Plan.id, Plan.slug).where(Plan.id.is_in(plan_ids))
    return {row["id"]: row["slug"] for row in rows}
