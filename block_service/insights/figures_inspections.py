"""The 门前三包 inspections in the 环境共治 plan's figures: the share of inspected shop fronts passing all three
items (clean, green, orderly), month by month, from the per-segment results the public already sees."""

from __future__ import annotations

import datetime as dt

from block_service.clock import BLOCK_TIMEZONE
from block_service.i18n import N_
from block_service.insights.months import Months
from block_service.insights.providers import indicator
from block_service.notices.inspections import segment_results

ENVIRONMENT = "environment"


@indicator(
    "shop_fronts_passed",
    N_("Shop fronts passing the 门前三包 inspection"),
    "percent",
    order=35,
    plan_slug=ENVIRONMENT,
)
async def shop_fronts_passed(plan_ids: list[int], months: Months, now: dt.datetime) -> dict[int, list[float | None]]:
    """Per month with a round: shops passing all three items over shops inspected, the road as a whole."""
    first, last = (months.bounds[index].astimezone(BLOCK_TIMEZONE).date() for index in (0, -2))
    position = {label: index for index, label in enumerate(months.labels)}
    inspected = [0] * len(months.labels)
    passed = [0] * len(months.labels)
    for result in await segment_results(first, last):
        index = position.get(result.month.strftime("%Y-%m"))
        if index is not None:
            inspected[index] += result.shops_inspected
            passed[index] += result.all_passed
    values = [round(100.0 * yes / total, 1) if total else None for yes, total in zip(passed, inspected, strict=True)]
    return {plan_id: values for plan_id in plan_ids}
