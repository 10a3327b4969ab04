"""The dashboard, the plan pages' indicators, the open data downloads and the staff's list of stuck items."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, Parameter
from litestar.response import Response, Stream, Template

from block_service.db.kept import kept
from block_service.insights import services
from block_service.insights.indicators import indicators_of
from block_service.insights.loop import stages, stuck_items
from block_service.insights.opendata import BOM, datapackage, get_open_file, open_files, stream_csv, whole_file
from block_service.insights.schemas import Dashboard, PlanIndicators
from block_service.plans.plans import plan_by_id
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.page_parts import fills
from block_service.web.templating import render

CSV = "text/csv; charset=utf-8"
SlugParameter = Annotated[str, Parameter(max_length=40, pattern=r"^[a-z0-9-]+$")]
DataFile = Annotated[str, Parameter(pattern=r"^[a-z_]{1,40}\.csv$", max_length=44)]
Chart = Annotated[
    Literal["road.csv", "resolve.csv", "overdue.csv", "plans.csv", "workload.csv", "breaches.csv"], Parameter()
]


@fills("plan_indicators")
async def plan_indicator_part(*, plan_ids: list[int], detail: bool = False, **_known: Any) -> dict[str, Any]:
    """A plan's page: its indicators as charts (insights/_plan_indicators.html, included with this dict as `part`).
    The plan cards show none, and cost no statement."""
    if not detail or not plan_ids:
        return {"template": None}
    plan_id = plan_ids[0]
    indicators = await kept(("insights", "plan-id", plan_id), lambda: _by_id(plan_id))
    return {"template": "insights/_plan_indicators.html", "indicators": indicators}


async def _by_id(plan_id: int) -> PlanIndicators:
    return (await indicators_of([await plan_by_id(plan_id)]))[0]


def _csv_response(rows: list[list], filename: str) -> Response:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [["" if value is None else value for value in row] for row in rows]
    )
    return Response(
        (BOM + buffer.getvalue()).encode("utf-8"),
        media_type=CSV,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


class DashboardController(Controller):
    @get("/dashboard", name="dashboard")
    async def dashboard(self, request: Request) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_role)
        if isinstance(shared, Response):
            return shared
        viewer = viewer_of(request)
        staff = await services.kept_staff_dashboard(viewer) if viewer.is_staff else None
        board = await services.kept_dashboard()
        return shared_pages.render_shared(request, shared, "insights/dashboard.html", board=board, staff=staff)

    @get(
        "/dashboard/{chart:str}",
        name="dashboard_csv",
        responses={
            403: ResponseSpec(
                data_container=str,
                media_type="text/html",
                description="The workload and deadline breaches are for the workstation's staff only",
                generate_examples=False,
            )
        },
    )
    async def dashboard_csv(self, request: Request, chart: FromPath[Chart]) -> Response:
        """The numbers of one chart of the dashboard (the workload and breaches: staff only)."""
        return _csv_response(await services.chart_table(viewer_of(request), chart), chart)


class OpenDataController(Controller):
    @get("/data", name="open_data")
    async def open_data(self, request: Request) -> Template:
        return render(request, "insights/data.html", files=open_files())

    @get("/data/datapackage.json", name="open_data_package")
    async def open_data_package(self, request: Request) -> dict[str, Any]:
        """The Frictionless Data Package describing every file of the open data: fields and types."""
        return datapackage(str(request.base_url).rstrip("/") + "/data/")

    @get("/data/{data_file:str}", name="open_data_file")
    async def open_data_file(self, request: Request, data_file: FromPath[DataFile]) -> Response:
        """One file of the open data, UTF-8 with a byte-order mark: kept whole until the next write while it is
        small (opendata.KEEP_WHOLE_BYTES), streamed in batches when larger."""
        file = get_open_file(data_file)
        headers = {"content-disposition": f'attachment; filename="{file.name}"'}
        if request.app.state.settings.shared_pages:
            whole = await kept(("open data", file.name), lambda: whole_file(file))
            if whole is not None:
                return Response(whole, media_type=CSV, headers=headers)
        return Stream(stream_csv(file), media_type=CSV, headers=headers)


class StaffLoopController(Controller):
    path = "/staff"

    @get("/loop", name="staff_loop")
    async def staff_loop(self, request: Request) -> Template:
        stuck_days = request.app.state.settings.stuck_days
        items = await stuck_items(stuck_days)
        return render(
            request,
            "insights/loop.html",
            items=items,
            stages={stage.key: stage for stage in stages()},
            stuck_days=stuck_days,
        )


class InsightsApiController(Controller):
    path = "/api"
    tags = ["insights"]

    @get("/plans/{slug:str}/indicators", name="api_plan_indicators")
    async def api_plan_indicators(self, slug: FromPath[SlugParameter]) -> PlanIndicators:
        """A plan's indicators month by month over the last twelve months (values are None where nothing was
        measured: no report resolved, no fix rated)."""
        return await services.kept_plan_indicators(slug)

    @get("/dashboard", name="api_dashboard")
    async def api_dashboard(self, request: Request) -> Dashboard:
        """The public dashboard: reports per road segment (last 90 days), time to resolve per month, overdue
        threads, every plan's indicators."""
        return await services.kept_dashboard()
