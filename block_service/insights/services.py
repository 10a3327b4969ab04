"""What the insights pages ask for, kept until the next write (db.kept): indicators, dashboard, chart tables."""

from __future__ import annotations

from block_service.accounts.schemas import Viewer
from block_service.db.kept import kept
from block_service.errors import Forbidden, NotFound
from block_service.i18n import N_
from block_service.insights.dashboard import dashboard, staff_dashboard
from block_service.insights.indicators import plan_indicators
from block_service.insights.schemas import Dashboard, PlanIndicators, StaffDashboard

PUBLIC_CHARTS = ("road.csv", "resolve.csv", "overdue.csv", "plans.csv")
STAFF_CHARTS = ("workload.csv", "breaches.csv")
CHARTS = PUBLIC_CHARTS + STAFF_CHARTS


async def kept_plan_indicators(slug: str) -> PlanIndicators:
    return await kept(("insights", "plan", slug), lambda: plan_indicators(slug))


async def kept_dashboard() -> Dashboard:
    return await kept(("insights", "dashboard"), dashboard)


async def kept_staff_dashboard(viewer: Viewer) -> StaffDashboard:
    if not viewer.is_staff:
        raise Forbidden(N_("Only the workstation's staff see the workload and deadline breaches."))
    return await kept(("insights", "staff-dashboard"), staff_dashboard)


async def chart_table(viewer: Viewer, chart: str) -> list[list]:
    """The numbers behind one chart of the dashboard, header first: what its CSV link downloads."""
    if chart not in CHARTS:
        raise NotFound(N_("There is no such chart."))
    if chart in STAFF_CHARTS:
        staff = await kept_staff_dashboard(viewer)
        if chart == "workload.csv":
            return [["staff_member", "open_threads", "overdue_threads"]] + [
                [row.name, row.open_threads, row.overdue_threads] for row in staff.workload
            ]
        return [["month", "threads_answered_late"]] + [
            list(pair) for pair in zip(staff.breaches.months, staff.breaches.values, strict=True)
        ]
    board = await kept_dashboard()
    if chart == "road.csv":
        return [["segment", "first_number", "last_number", f"reports_last_{board.road.days}_days"]] + [
            [s.slug, s.first_number, s.last_number, s.reports] for s in board.road.segments
        ]
    if chart == "resolve.csv":
        series = board.resolve_days
        return [["month", "median_days_to_resolve"]] + [
            list(pair) for pair in zip(series.months, series.values, strict=True)
        ]
    if chart == "overdue.csv":
        return [
            ["awaiting_response_overdue", "emergencies"],
            [board.overdue.awaiting_response, board.overdue.emergencies],
        ]
    rows: list[list] = [["plan", "figure", "unit", "latest_month", "latest_value", "total_12_months"]]
    for plan in board.plans:
        for series in plan.series:
            rows.append([plan.slug, series.key, series.unit, series.months[-1], series.latest, series.total])
    return rows
