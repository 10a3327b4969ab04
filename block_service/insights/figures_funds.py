"""The figure from the autonomous fund ledger: yuan spent per plan and month (a plan's projects' spending)."""

from __future__ import annotations

import datetime as dt

from block_service.funds.tables import FundEntry
from block_service.i18n import N_
from block_service.insights.months import Months, placeholders
from block_service.insights.providers import indicator


def month_dates(months: Months) -> list[dt.date]:
    """The first day of each month and of the month after, as dates on the road (for Date columns)."""
    firsts = [dt.date(int(label[:4]), int(label[5:]), 1) for label in months.labels]
    last = firsts[-1]
    return [*firsts, dt.date(last.year + last.month // 12, last.month % 12 + 1, 1)]


@indicator("funds_spent", N_("Yuan spent from the autonomous fund"), "yuan", order=60)
async def funds_spent(plan_ids: list[int], months: Months, now: dt.datetime) -> dict[int, list[float | None]]:
    """Spending entries (corrections included, with their sign) by the date spent, attributed to a plan through
    the passed motion that allocated the project's money (funds knows projects only by id)."""
    dates = month_dates(months)
    sums, args = [], []
    for index in range(len(months.labels)):
        sums.append(f"SUM(CASE WHEN s.spent_on >= {{}} AND s.spent_on < {{}} THEN s.amount_fen ELSE 0 END) AS m{index}")
        args += [dates[index], dates[index + 1]]
    rows = await FundEntry.raw(
        f"SELECT m.plan_id AS plan, {', '.join(sums)} FROM fund_entry s "
        "JOIN (SELECT project_id, MIN(motion_id) AS motion_id FROM fund_entry WHERE kind = 'allocation' "
        "AND project_id IS NOT NULL AND motion_id IS NOT NULL GROUP BY project_id) a ON a.project_id = s.project_id "
        "JOIN council_motion m ON m.id = a.motion_id "
        f"WHERE s.kind = 'spending' AND s.spent_on >= {{}} AND m.plan_id IN ({placeholders(plan_ids)}) "
        "GROUP BY m.plan_id",
        *args,
        dates[0],
        *plan_ids,
    )
    return {
        row["plan"]: [round(int(row[f"m{index}"] or 0) / 100, 2) for index in range(len(months.labels))] for row in rows
    }
