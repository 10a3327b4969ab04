"""What is stuck in the loop from need to project: items with no movement for too long at each stage.

Each stage is one function registered with `@stuck_stage(key, label, setting)`: it gets the threshold in days
(`BLOCK_STUCK_<SETTING>_DAYS`) and the clock, and returns at most LIMIT items, oldest first, in one statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from block_service.clock import now as clock_now
from block_service.i18n import N_
from block_service.insights.schemas import StuckItem
from block_service.plans.tables import Proposal
from block_service.threads.schemas import AWAITING_RESPONSE
from block_service.threads.tables import Thread

LIMIT = 100  # per stage: the page is a to-do list, not an archive

Finder = Callable[[dt.datetime, dt.datetime], Awaitable[list[StuckItem]]]


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    setting: str  # the key of Settings.stuck_days
    find: Finder


_stages: dict[str, Stage] = {}


def stuck_stage(key: str, label: str, setting: str) -> Callable[[Finder], Finder]:
    """Register a finder: `find(before, now)` returns the items of this stage that last moved before `before`."""

    def register(find: Finder) -> Finder:
        _stages[key] = Stage(key=key, label=label, setting=setting, find=find)
        return find

    return register


def stages() -> list[Stage]:
    return list(_stages.values())


def _items(stage: str, kind: str, rows: list[dict], now: dt.datetime) -> list[StuckItem]:
    out = []
    for row in rows:
        since = row["since"] if row["since"].tzinfo else row["since"].replace(tzinfo=dt.UTC)
        out.append(
            StuckItem(
                stage=stage,
                kind=kind,
                object_id=row["id"],
                title=row["title"],
                since=since,
                days=max(0, (now - since).days),
            )
        )
    return out


@stuck_stage("answer", N_("Reports waiting for a first answer"), "answer")
async def threads_waiting(before: dt.datetime, now: dt.datetime) -> list[StuckItem]:
    rows = (
        await Thread.select(Thread.id, Thread.title, Thread.last_activity_at.as_alias("since"))
        .where(
            Thread.status.is_in(list(AWAITING_RESPONSE))
            & (Thread.visibility != "proposal")
            & (Thread.last_activity_at < before)
        )
        .order_by(Thread.last_activity_at)
        .limit(LIMIT)
    )
    return _items("answer", "thread", rows, now)


@stuck_stage("progress", N_("Reports in progress without news"), "progress")
async def threads_without_news(before: dt.datetime, now: dt.datetime) -> list[StuckItem]:
    rows = (
        await Thread.select(Thread.id, Thread.title, Thread.last_activity_at.as_alias("since"))
        .where(
            Thread.status.is_in(["acknowledged", "in_progress"])
            & (Thread.visibility != "proposal")
            & (Thread.last_activity_at < before)
        )
        .order_by(Thread.last_activity_at)
        .limit(LIMIT)
    )
    return _items("progress", "thread", rows, now)


async def _proposals(stage: str, condition, moment, before: dt.datetime, now: dt.datetime) -> list[StuckItem]:
    rows = (
        await Proposal.select(Proposal.id, Proposal.title, moment.as_alias("since"))
        .where(condition & (moment < before))
        .order_by(moment)
        .limit(LIMIT)
    )
    return _items(stage, "proposal", rows, now)


@stuck_stage("submitted", N_("Proposals waiting for staff to accept them"), "submitted")
async def proposals_submitted(before: dt.datetime, now: dt.datetime) -> list[StuckItem]:
    return await _proposals("submitted", Proposal.status == "submitted", Proposal.changed_at, before, now)


@stuck_stage("deliberation", N_("Proposals in deliberation without movement"), "deliberation")
async def proposals_deliberating(before: dt.datetime, now: dt.datetime) -> list[StuckItem]:
    condition = (Proposal.status == "deliberation") & Proposal.ready_at.is_null()
    return await _proposals("deliberation", condition, Proposal.changed_at, before, now)


@stuck_stage("ready", N_("Ready proposals not on the council's agenda"), "ready")
async def proposals_ready(before: dt.datetime, now: dt.datetime) -> list[StuckItem]:
    condition = (Proposal.status == "deliberation") & Proposal.ready_at.is_not_null()
    return await _proposals("ready", condition, Proposal.ready_at, before, now)


@stuck_stage("passed", N_("Passed proposals without a project"), "passed")
async def proposals_without_project(before: dt.datetime, now: dt.datetime) -> list[StuckItem]:
    condition = (Proposal.status == "passed") & Proposal.project_id.is_null()
    return await _proposals("passed", condition, Proposal.changed_at, before, now)


async def stuck_items(stuck_days: dict[str, int], now: dt.datetime | None = None) -> list[StuckItem]:
    """Every stuck item of every stage, oldest first: one statement per stage."""
    moment = now or clock_now()
    found: list[StuckItem] = []
    for stage in stages():
        days = stuck_days.get(stage.setting, 30)
        found += await stage.find(moment - dt.timedelta(days=days), moment)
    return sorted(found, key=lambda item: (item.since, item.stage, item.object_id))
