"""Opening hours of an offer: per weekday, ranges like 09:00-21:00 or 22:00-次日02:00, and "open now".

A range is (weekday, opens, closes) in minutes from the start of its weekday (Monday 0); an overnight range
closes after 1440 (次日02:00 is 1560). Over the week the ranges are half-open intervals of week minutes, and
a range of Sunday night runs on into Monday morning (the week wraps).
"""

from __future__ import annotations

import datetime as dt
import re

from block_service.clock import BLOCK_TIMEZONE
from block_service.errors import FormInvalid
from block_service.i18n import N_

DAY = 24 * 60
WEEK = 7 * DAY
WEEKDAYS = range(7)
_SEPARATORS = re.compile(r"[，,;；、]+")
_RANGE = re.compile(r"^(\d{1,2})[:：](\d{2})\s*[-–—~～至到]\s*(次日|翌日)?\s*(\d{1,2})[:：](\d{2})\s*(\+1)?$")

Range = tuple[int, int, int]  # weekday, opens, closes (minutes from the weekday's midnight)


def _minutes(hours: str, minutes: str, *, allow_24: bool) -> int | None:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and (m or not allow_24)):
        return None
    return h * 60 + m


def parse_day(weekday: int, text: str) -> tuple[list[Range], str | None]:
    """The ranges one weekday's field gives, or the msgid of what is wrong with it."""
    ranges: list[Range] = []
    for part in _SEPARATORS.split(text.strip()):
        part = part.strip()
        if not part:
            continue
        match = _RANGE.match(part.replace(" ", ""))
        if match is None:
            return [], N_("Write hours as 09:00-21:00; several ranges separated by commas.")
        opens = _minutes(match.group(1), match.group(2), allow_24=False)
        closes = _minutes(match.group(4), match.group(5), allow_24=True)
        if opens is None or closes is None:
            return [], N_("Write hours as 09:00-21:00; several ranges separated by commas.")
        overnight = bool(match.group(3) or match.group(6))
        if overnight:
            if closes >= DAY or closes > opens:
                return [], N_("A range past midnight closes the next morning, before the time it opened.")
            closes += DAY
        elif closes == opens:
            return [], N_("A range must not be empty: it closes when it opens.")
        elif closes < opens:
            return [], N_(
                "A range ends before it starts. For a range past midnight write 次日 before its end (22:00-次日02:00)."
            )
        ranges.append((weekday, opens, closes))
    return ranges, None


def parse_week(fields: dict[int, str]) -> list[Range]:
    """Every weekday's ranges, checked together; FormInvalid names each bad day's field."""
    errors: dict[str, str] = {}
    ranges: list[Range] = []
    for weekday in WEEKDAYS:
        found, error = parse_day(weekday, fields.get(weekday, "") or "")
        if error:
            errors[f"hours_{weekday}"] = error
        ranges.extend(found)
    if not errors:
        clash = overlapping(ranges)
        if clash is not None:
            errors[f"hours_{clash}"] = N_(
                "These hours overlap other hours of the week (counting ranges past midnight)."
            )
    if errors:
        raise FormInvalid(errors)
    if not ranges:
        raise FormInvalid({"hours_0": N_("Give the hours of at least one day.")})
    return sorted(ranges)


def _intervals(ranges: list[Range]) -> list[tuple[int, int, int]]:
    """(start, end, weekday) in week minutes; a range running past Sunday midnight is split at the week's end."""
    out = []
    for weekday, opens, closes in ranges:
        start, end = weekday * DAY + opens, weekday * DAY + closes
        if end > WEEK:
            out.append((start, WEEK, weekday))
            out.append((0, end - WEEK, weekday))
        else:
            out.append((start, end, weekday))
    return sorted(out)


def overlapping(ranges: list[Range]) -> int | None:
    """The weekday of a range that overlaps an earlier one, or None."""
    intervals = _intervals(ranges)
    for (_start, end, _day), (next_start, _end, weekday) in zip(intervals, intervals[1:], strict=False):
        if next_start < end:
            return weekday
    return None


def week_minute(moment: dt.datetime) -> int:
    local = moment.astimezone(BLOCK_TIMEZONE)
    return local.weekday() * DAY + local.hour * 60 + local.minute


def is_open_at(ranges: list[Range], moment: dt.datetime) -> bool:
    minute = week_minute(moment)
    return any(start <= minute < end for start, end, _day in _intervals(ranges))


def format_minutes(minutes: int) -> str:
    """09:00, or 次日02:00 past midnight (the form's own way of writing it)."""
    prefix = "次日" if minutes > DAY else ""
    minutes = minutes - DAY if minutes > DAY else minutes
    return f"{prefix}{minutes // 60:02d}:{minutes % 60:02d}"


def format_day(ranges: list[Range], weekday: int) -> str:
    """One weekday's field text from its ranges: "09:00-12:00, 22:00-次日02:00"."""
    return ", ".join(
        f"{format_minutes(opens)}-{format_minutes(closes)}" for day, opens, closes in sorted(ranges) if day == weekday
    )


def weekday_at(moment: dt.datetime) -> int:
    """The weekday on the road at this moment (Monday 0)."""
    return moment.astimezone(BLOCK_TIMEZONE).weekday()
