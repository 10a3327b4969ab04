"""The last months on the road (Shanghai) as UTC boundaries, and the SQL that counts per month in one statement."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from block_service.clock import BLOCK_TIMEZONE

MONTHS = 12


@dataclass(frozen=True)
class Months:
    """`labels[i]` ("2026-11") runs from `bounds[i]` up to (not including) `bounds[i + 1]`, in UTC."""

    labels: tuple[str, ...]
    bounds: tuple[dt.datetime, ...]

    @property
    def start(self) -> dt.datetime:
        return self.bounds[0]

    @property
    def end(self) -> dt.datetime:
        return self.bounds[-1]

    def index_of(self, moment: dt.datetime) -> int | None:
        """The month a moment falls in, or None outside the window."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        index = bisect.bisect_right(self.bounds, moment) - 1
        return index if 0 <= index < len(self.labels) else None


def _shifted(year: int, month: int, delta: int) -> tuple[int, int]:
    total = year * 12 + month - 1 + delta
    return total // 12, total % 12 + 1


def last_months(now: dt.datetime, count: int = MONTHS) -> Months:
    """The `count` calendar months up to and including the current one, in the block's time zone."""
    local = now.astimezone(BLOCK_TIMEZONE)
    firsts = [_shifted(local.year, local.month, delta) for delta in range(1 - count, 2)]
    bounds = tuple(dt.datetime(y, m, 1, tzinfo=BLOCK_TIMEZONE).astimezone(dt.UTC) for y, m in firsts)
    labels = tuple(f"{y:04d}-{m:02d}" for y, m in firsts[:-1])
    return Months(labels=labels, bounds=bounds)


def sums_per_month(moment: str, months: Months, condition: str = "1 = 1") -> tuple[str, list]:
    """`SUM(CASE ...) AS m0, … m11`: rows whose `moment` falls in each month (and meet `condition`), with the
    arguments for its `{}` placeholders: one grouped statement instead of a query per month."""
    parts, args = [], []
    for index in range(len(months.labels)):
        parts.append(
            f"SUM(CASE WHEN {moment} >= {{}} AND {moment} < {{}} AND {condition} THEN 1 ELSE 0 END) AS m{index}"
        )
        args += [months.bounds[index], months.bounds[index + 1]]
    return ", ".join(parts), args


def open_at_month_ends(opened: str, ended: str, months: Months, now: dt.datetime) -> tuple[str, list]:
    """`SUM(CASE ...) AS m0, …`: rows opened before each month's end (or now) and not ended by then."""
    parts, args = [], []
    for index in range(len(months.labels)):
        parts.append(
            f"SUM(CASE WHEN {opened} < {{}} AND ({ended} IS NULL OR {ended} >= {{}}) THEN 1 ELSE 0 END) AS m{index}"
        )
        moment = min(months.bounds[index + 1], now)
        args += [moment, moment]
    return ", ".join(parts), args


def month_values(row: dict | None, months: Months) -> list[int]:
    """The m0 … m11 columns of a grouped row as integers (a missing row is all zeros)."""
    return [int((row or {}).get(f"m{index}") or 0) for index in range(len(months.labels))]


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def placeholders(values: list) -> str:
    return ", ".join("{}" for _ in values)
