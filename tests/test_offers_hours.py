"""Opening hours: parsing a week's fields, refusing overlaps and backwards ranges, "open now" across midnight."""

import datetime as dt

import pytest

from block_service.clock import BLOCK_TIMEZONE
from block_service.errors import FormInvalid
from block_service.offers.hours import format_day, is_open_at, parse_day, parse_week


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BLOCK_TIMEZONE)


def test_ranges_are_read_in_chinese_and_plain_forms():
    assert parse_day(0, "09:00-12:00，13:30～21:00")[0] == [(0, 540, 720), (0, 810, 1260)]
    assert parse_day(4, "22:00-次日02:00")[0] == [(4, 1320, 1560)]
    assert parse_day(4, "22:00-02:00+1")[0] == [(4, 1320, 1560)]
    assert parse_day(2, "00:00-24:00")[0] == [(2, 0, 1440)]
    assert format_day([(4, 1320, 1560), (4, 600, 660)], 4) == "10:00-11:00, 22:00-次日02:00"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("21:00-09:00", "ends before it starts"),
        ("10:00-10:00", "must not be empty"),
        ("9点到5点", "Write hours as 09:00-21:00"),
        ("25:00-26:00", "Write hours as 09:00-21:00"),
        ("22:00-次日23:00", "closes the next morning"),
    ],
)
def test_wrong_ranges_say_what_is_wrong(text, message):
    ranges, error = parse_day(0, text)
    assert ranges == [] and message in error


def test_overlapping_ranges_are_refused_also_across_midnight_and_the_week_end():
    with pytest.raises(FormInvalid) as same_day:
        parse_week({0: "09:00-12:00, 11:00-13:00"})
    assert "overlap" in same_day.value.messages["hours_0"][0]
    with pytest.raises(FormInvalid) as overnight:
        parse_week({0: "22:00-次日03:00", 1: "02:00-05:00"})
    assert "hours_1" in overnight.value.messages
    with pytest.raises(FormInvalid) as week_end:
        parse_week({6: "22:00-次日03:00", 0: "01:00-05:00"})
    assert "overlap" in next(iter(week_end.value.messages.values()))[0]
    with pytest.raises(FormInvalid) as empty:
        parse_week({})
    assert "at least one day" in empty.value.messages["hours_0"][0]
    assert parse_week({0: "09:00-12:00, 12:00-13:00"}) == [(0, 540, 720), (0, 720, 780)]


def test_open_now_follows_the_hours_across_midnight_and_at_the_edges():
    week = parse_week({4: "22:00-次日02:00", 6: "23:00-次日01:00", 2: "09:00-12:00"})
    assert is_open_at(week, local("2026-11-27 23:59"))  # Friday night
    assert is_open_at(week, local("2026-11-28 01:59"))  # Saturday, small hours: Friday's range
    assert not is_open_at(week, local("2026-11-28 02:00"))  # closes at 02:00 exactly
    assert not is_open_at(week, local("2026-11-27 21:59"))
    assert is_open_at(week, local("2026-11-27 22:00"))  # opens at 22:00 exactly
    assert is_open_at(week, local("2026-11-29 23:30"))  # Sunday night
    assert is_open_at(week, local("2026-11-30 00:30"))  # Monday, small hours: Sunday's range
    assert not is_open_at(week, local("2026-11-30 01:00"))
    assert is_open_at(week, local("2026-11-25 09:00")) and not is_open_at(week, local("2026-11-25 12:00"))
    # A UTC moment is read in Beijing time: 2026-11-25 02:00 UTC is 10:00 on Wednesday in Shanghai.
    assert is_open_at(week, dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC))
