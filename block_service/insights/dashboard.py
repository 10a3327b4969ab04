"""The dashboard's figures: reports along the road, time to resolve, overdue threads, staff workload, breaches."""

from __future__ import annotations

import datetime as dt

from block_service.clock import BLOCK_TIMEZONE
from block_service.clock import now as clock_now
from block_service.funds.services import balance
from block_service.groups.strip import ROAD_LENGTH, TOP
from block_service.i18n import N_
from block_service.insights.figures import SHOWN_THREADS, resolve_days
from block_service.insights.indicators import all_plan_indicators
from block_service.insights.months import last_months, month_values, sums_per_month
from block_service.insights.providers import Figure, series_of
from block_service.insights.schemas import (
    Dashboard,
    Overdue,
    RoadShading,
    SegmentShade,
    Series,
    StaffDashboard,
    Workload,
)
from block_service.shops.segments import list_segments
from block_service.threads.schemas import AWAITING_RESPONSE, OPEN_STATUSES
from block_service.threads.tables import Thread

ROAD_DAYS = 90
SHADES = 4
_awaiting = ", ".join(f"'{status}'" for status in AWAITING_RESPONSE)
_open = ", ".join(f"'{status}'" for status in OPEN_STATUSES)

RESOLVE_FIGURE = Figure(
    key="resolve_days", label=N_("Median days from report to resolved"), unit="days", order=0, compute=None
)  # type: ignore[arg-type]
BREACH_FIGURE = Figure(
    key="breaches", label=N_("Threads answered after their deadline"), unit="count", order=0, compute=None
)  # type: ignore[arg-type]


def _shade(reports: int, most: int) -> int:
    if reports <= 0 or most <= 0:
        return 0
    return max(1, min(SHADES, -(-reports * SHADES // most)))


async def road_shading(now: dt.datetime) -> RoadShading:
    """Each segment of the road, laid out north to south like the groups' strip maps, with its reports of the
    last 90 days (public, not hidden): one statement plus the (kept) segments."""
    segments = await list_segments()
    rows = await Thread.raw(
        f"SELECT t.segment AS segment, COUNT(*) AS n FROM thread t WHERE {SHOWN_THREADS} AND t.kind = 'report' "
        "AND t.created_at >= {} GROUP BY t.segment",
        now - dt.timedelta(days=ROAD_DAYS),
    )
    counts = {row["segment"]: int(row["n"]) for row in rows}
    most = max(counts.values(), default=0)
    first = min((segment.first_number for segment in segments), default=0)
    last = max((segment.last_number for segment in segments), default=1)
    span = max(last - first + 1, 1)
    shaded = []
    for segment in segments:
        y = TOP + (segment.first_number - first) / span * ROAD_LENGTH
        height = (segment.last_number - segment.first_number + 1) / span * ROAD_LENGTH
        reports = counts.get(segment.id, 0)
        shaded.append(
            SegmentShade(
                segment_id=segment.id,
                slug=segment.slug,
                name_zh=segment.name_zh,
                name_en=segment.name_en,
                first_number=segment.first_number,
                last_number=segment.last_number,
                reports=reports,
                y=round(y, 1),
                height=round(max(height, 8.0), 1),
                shade=_shade(reports, most),
            )
        )
    bottom = TOP + ROAD_LENGTH
    return RoadShading(days=ROAD_DAYS, top=TOP, bottom=bottom, height=bottom + TOP, segments=shaded)


async def overdue_counts(now: dt.datetime) -> Overdue:
    """Threads new or reopened past their category's response deadline, and how many of them are emergencies."""
    rows = await Thread.raw(
        "SELECT COUNT(*) AS n, SUM(CASE WHEN c.emergency THEN 1 ELSE 0 END) AS e FROM thread t "
        f"JOIN category c ON c.id = t.category WHERE t.status IN ({_awaiting}) AND t.due_at < {{}}",
        now,
    )
    row = rows[0] if rows else {}
    return Overdue(awaiting_response=int(row.get("n") or 0), emergencies=int(row.get("e") or 0))


async def dashboard(now: dt.datetime | None = None) -> Dashboard:
    """Everything the public dashboard shows: a constant number of statements."""
    moment = now or clock_now()
    months = last_months(moment)
    everything = (await resolve_days(None, months)).get(None, [None] * len(months.labels))
    return Dashboard(
        generated_at=moment,
        road=await road_shading(moment),
        resolve_days=series_of(RESOLVE_FIGURE, months, everything),
        overdue=await overdue_counts(moment),
        plans=await all_plan_indicators(moment),
        fund_year=(year := moment.astimezone(BLOCK_TIMEZONE).year),
        fund_balance_fen=(await balance(year)).balance_fen,
    )


async def workload(now: dt.datetime) -> list[Workload]:
    """Open threads assigned to each staff member, and how many of them are past their deadline."""
    rows = await Thread.raw(
        "SELECT t.assigned_to AS person_id, p.display_name AS name, COUNT(*) AS n, "
        f"SUM(CASE WHEN t.status IN ({_awaiting}) AND t.due_at < {{}} THEN 1 ELSE 0 END) AS late "
        "FROM thread t JOIN person p ON p.id = t.assigned_to "
        f"WHERE t.status IN ({_open}) GROUP BY t.assigned_to, p.display_name ORDER BY n DESC, t.assigned_to",
        now,
    )
    return [
        Workload(
            person_id=row["person_id"],
            name=row["name"],
            open_threads=int(row["n"]),
            overdue_threads=int(row["late"] or 0),
        )
        for row in rows
    ]


async def deadline_breaches(now: dt.datetime) -> Series:
    """Per month of the deadline: threads whose first response (acknowledged, resolved or closed) came after it,
    or has not come although the deadline has passed."""
    months = last_months(now)
    first_response = "COALESCE(t.acknowledged_at, t.resolved_at, t.closed_at)"
    late = f"t.due_at < {{}} AND ({first_response} IS NULL OR {first_response} > t.due_at)"
    sums, args = sums_per_month("t.due_at", months, late)
    # Each month's condition carries its own `now` placeholder, after the two bounds.
    ordered_args: list = []
    for index in range(len(months.labels)):
        ordered_args += [args[2 * index], args[2 * index + 1], now]
    rows = await Thread.raw(f"SELECT {sums} FROM thread t WHERE t.due_at >= {{}}", *ordered_args, months.start)
    values: list[float | None] = [float(value) for value in month_values(rows[0] if rows else None, months)]
    return series_of(BREACH_FIGURE, months, values)


async def staff_dashboard(now: dt.datetime | None = None) -> StaffDashboard:
    moment = now or clock_now()
    return StaffDashboard(workload=await workload(moment), breaches=await deadline_breaches(moment))
