"""Work meetings do by themselves: the reminder a day before, every few minutes in every worker. A meeting is
claimed inside the transaction that records its reminders, so two workers at once remind once."""

from __future__ import annotations

from block_service.meetings.records import send_reminders
from block_service.periodic import every

INTERVAL_SECONDS = 300

run_meeting_tasks = every(INTERVAL_SECONDS, send_reminders, "meetings reminded")
