"""The iCalendar (RFC 5545) feeds of meetings, with the block's time zone as a VTIMEZONE."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event, Timezone

from block_service.clock import BLOCK_TIMEZONE, now
from block_service.meetings.schemas import MeetingSummary

PRODUCT = "-//Lingyan block workstation//Meetings//ZH"


def calendar_of(meetings: list[MeetingSummary], base_url: str, host: str, name: str, kinds: dict[str, str]) -> bytes:
    """One VCALENDAR with one VEVENT per meeting; times in Asia/Shanghai with its VTIMEZONE.

    `name` (the calendar's) and `kinds` (kind → label) come translated from the edge, which knows the language."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    calendar.add_component(Timezone.from_tzinfo(BLOCK_TIMEZONE, first_date=dt.date(2020, 1, 1)))
    stamp = now()
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at.astimezone(BLOCK_TIMEZONE))
        event.add("dtend", meeting.ends_at.astimezone(BLOCK_TIMEZONE))
        event.add("summary", f"{kinds[meeting.kind]}: {meeting.title}")
        event.add("location", meeting.place)
        event.add("url", f"{base_url}/meetings/{meeting.id}")
        event.add("sequence", meeting.sequence)
        event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
