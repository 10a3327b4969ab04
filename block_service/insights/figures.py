"""The figures that come from reports and proposals: open reports, days to resolve, fixes rated fixed, passed."""

from __future__ import annotations

import datetime as dt

from block_service.db import is_sqlite
from block_service.i18n import N_
from block_service.insights.months import (
    Months,
    median,
    month_values,
    open_at_month_ends,
    placeholders,
    sums_per_month,
)
from block_service.insights.providers import indicator
from block_service.plans.tables import Plan

# Threads everyone may see: public (not group discussions, not a proposal's own discussion) and not hidden.
SHOWN_THREADS = "t.visibility = 'public' AND NOT t.hidden"


def _days_between(later: str, earlier: str) -> str:
    if is_sqlite():
        return f"(julianday({later}) - julianday({earlier}))"
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"


def month_case(moment: str, months: Months) -> tuple[str, list]:
    """`CASE WHEN … THEN 0 … END`: the index of the month `moment` falls in."""
    whens, args = [], []
    for index in range(len(months.labels)):
        whens.append(f"WHEN {moment} >= {{}} AND {moment} < {{}} THEN {index}")
        args += [months.bounds[index], months.bounds[index + 1]]
    return "CASE " + " ".join(whens) + " END", args


@indicator("open_reports", N_("Open reports in its categories"), "count", order=10)
async def open_reports(plan_ids: list[int], months: Months, now: dt.datetime) -> dict[int, list[float | None]]:
    """Reports and issues open at each month's end (or now): opened before it, not resolved or closed by then."""
    sums, args = open_at_month_ends("t.created_at", "COALESCE(t.resolved_at, t.closed_at)", months, now)
    rows = await Plan.raw(
        f"SELECT pc.plan AS plan, {sums} FROM plan_category pc JOIN thread t ON t.category = pc.category "
        f"WHERE {SHOWN_THREADS} AND pc.plan IN ({placeholders(plan_ids)}) AND t.created_at < {{}} GROUP BY pc.plan",
        *args,
        *plan_ids,
        months.end,
    )
    return {row["plan"]: [float(value) for value in month_values(row, months)] for row in rows}


async def resolve_days(plan_ids: list[int] | None, months: Months) -> dict[int | None, list[float | None]]:
    """Median days from report to resolved, per month of resolving; per plan, or over every report (key None)."""
    which, which_args = month_case("t.resolved_at", months)
    days = _days_between("t.resolved_at", "t.created_at")
    window = "t.resolved_at >= {} AND t.resolved_at < {}"
    if plan_ids is None:
        rows = await Plan.raw(
            f"SELECT NULL AS plan, {which} AS month, {days} AS days FROM thread t WHERE {SHOWN_THREADS} AND {window}",
            *which_args,
            months.start,
            months.end,
        )
    else:
        rows = await Plan.raw(
            f"SELECT pc.plan AS plan, {which} AS month, {days} AS days FROM plan_category pc "
            f"JOIN thread t ON t.category = pc.category WHERE {SHOWN_THREADS} AND {window} "
            f"AND pc.plan IN ({placeholders(plan_ids)})",
            *which_args,
            months.start,
            months.end,
            *plan_ids,
        )
    collected: dict[int | None, list[list[float]]] = {}
    for row in rows:
        if row["month"] is None:
            continue
        per_month = collected.setdefault(row["plan"], [[] for _ in months.labels])
        per_month[int(row["month"])].append(float(row["days"]))
    return {
        plan: [None if (value := median(values)) is None else round(value, 1) for values in per_month]
        for plan, per_month in collected.items()
    }


@indicator("resolve_days", N_("Median days from report to resolved"), "days", order=20)
async def median_resolve_days(plan_ids: list[int], months: Months, now: dt.datetime) -> dict[int, list[float | None]]:
    return {plan: values for plan, values in (await resolve_days(plan_ids, months)).items() if plan is not None}


@indicator("fixed_share", N_("Fixes the reporter rated fixed"), "percent", order=30)
async def fixed_share(plan_ids: list[int], months: Months, now: dt.datetime) -> dict[int, list[float | None]]:
    """Of the reporters' one-step evaluations given in a month, the share that said "fixed" (yes)."""
    answered, args = sums_per_month("e.created_at", months)
    fixed, fixed_args = sums_per_month("e.created_at", months, "e.fixed = 'yes'")
    fixed = fixed.replace(" AS m", " AS f")
    rows = await Plan.raw(
        f"SELECT pc.plan AS plan, {answered}, {fixed} FROM plan_category pc "
        "JOIN thread t ON t.category = pc.category JOIN evaluation e ON e.thread = t.id AND e.person = t.author "
        f"WHERE {SHOWN_THREADS} AND pc.plan IN ({placeholders(plan_ids)}) AND e.created_at >= {{}} "
        "GROUP BY pc.plan",
        *args,
        *fixed_args,
        *plan_ids,
        months.start,
    )
    out: dict[int, list[float | None]] = {}
    for row in rows:
        shares: list[float | None] = []
        for index in range(len(months.labels)):
            total, yes = int(row[f"m{index}"] or 0), int(row[f"f{index}"] or 0)
            shares.append(round(100.0 * yes / total, 1) if total else None)
        out[row["plan"]] = shares
    return out


@indicator("proposals_passed", N_("Proposals passed by the council"), "count", order=40)
async def proposals_passed(plan_ids: list[int], months: Months, now: dt.datetime) -> dict[int, list[float | None]]:
    sums, args = sums_per_month("s.at", months)
    rows = await Plan.raw(
        f"SELECT p.plan AS plan, {sums} FROM proposal_step s JOIN proposal p ON p.id = s.proposal "
        f"WHERE s.status_to = 'passed' AND p.plan IN ({placeholders(plan_ids)}) AND s.at >= {{}} GROUP BY p.plan",
        *args,
        *plan_ids,
        months.start,
    )
    return {row["plan"]: [float(value) for value in month_values(row, months)] for row in rows}
