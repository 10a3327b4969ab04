"""Indicator, dashboard and stuck-item schemas: what the pages render and the JSON API returns."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from block_service.names import shown_name

Unit = Literal["count", "days", "percent", "yuan"]


class Series(msgspec.Struct, kw_only=True):
    """One figure per month, oldest first; None where a month has nothing to measure (no resolved report)."""

    key: str
    label: str  # English message id, translated on the page
    unit: Unit
    months: list[str]
    values: list[float | None]
    latest: float | None
    total: float | None  # counts: the sum over the months; medians and shares: None


class PlanIndicators(msgspec.Struct, kw_only=True):
    plan_id: int
    slug: str
    name_zh: str
    name_en: str
    months: list[str]
    series: list[Series]


class SegmentShade(msgspec.Struct, kw_only=True):
    segment_id: int
    slug: str
    name_zh: str
    name_en: str
    first_number: int
    last_number: int
    reports: int
    y: float
    height: float
    shade: int  # 0 (none) … 4 (most), for the fill


class RoadShading(msgspec.Struct, kw_only=True):
    days: int
    top: float
    bottom: float
    height: float
    segments: list[SegmentShade]


class Overdue(msgspec.Struct, kw_only=True):
    awaiting_response: int  # new or reopened past the category's response deadline
    emergencies: int  # of those, in emergency categories


class Workload(msgspec.Struct, kw_only=True):
    person_id: int
    name: str
    open_threads: int
    overdue_threads: int

    def __post_init__(self) -> None:
        self.name = shown_name(self.name)  # a deleted staff account: "a former resident"


class Dashboard(msgspec.Struct, kw_only=True):
    generated_at: dt.datetime
    road: RoadShading
    resolve_days: Series
    overdue: Overdue
    plans: list[PlanIndicators]
    fund_year: int
    fund_balance_fen: int  # the autonomous fund this year: income - spending, in fen


class StaffDashboard(msgspec.Struct, kw_only=True):
    workload: list[Workload]
    breaches: Series  # threads per month whose first response came after the deadline (or never)


class StuckItem(msgspec.Struct, kw_only=True):
    stage: str  # a key of STAGES
    kind: str  # thread | proposal | project
    object_id: int
    title: str
    since: dt.datetime
    days: int
