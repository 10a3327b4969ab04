"""The one clock and the one time zone of the block: times are stored in UTC and shown in Shanghai."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

BLOCK_TIMEZONE = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    """The current instant, in UTC (what every timestamp column stores)."""
    return dt.datetime.now(dt.UTC)


def block_today() -> dt.date:
    """Today's date on Lingyan South Road, which is what a person means by "today"."""
    return dt.datetime.now(BLOCK_TIMEZONE).date()
