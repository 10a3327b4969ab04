"""Hand-made history for the insights tests: threads, evaluations and decisions at fixed moments."""

from __future__ import annotations

import datetime as dt

from block_service.plans.tables import ProposalStep
from block_service.threads.tables import Evaluation, Thread
from tests.helpers import make_person, make_thread
from tests.plans_helpers import file, resident

NOW = dt.datetime(2026, 11, 15, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


async def shape(thread_id: int, **fields) -> None:
    """Set a thread's status and moments directly: history the services would take months to make."""
    await Thread.update({getattr(Thread, name): value for name, value in fields.items()}).where(Thread.id == thread_id)


async def rate(thread_id: int, person_id: int, fixed: str, when: str) -> None:
    await Evaluation.insert(Evaluation(thread=thread_id, person=person_id, fixed=fixed, score=4, created_at=at(when)))


async def history() -> dict:
    """Safety-plan reports (category pavement) A, B, C, D, G, a hidden one E, an environment one F (garbage),
    evaluations, and two passed safety proposals (one before the window)."""
    reporter = await make_person("报告人甲", "13900007001")
    other = await make_person("我也遇到乙", "13900007002")
    ids = {}
    for name, number, category in (
        ("A", "1143号", "pavement"),
        ("B", "1143号", "pavement"),
        ("C", "1021号", "pavement"),
        ("D", "1021号", "pavement"),
        ("E", "1143号", "pavement"),
        ("F", "1143号", "garbage"),
        ("G", "1143号", "pavement"),
    ):
        ids[name] = await make_thread(reporter, title=f"反映{name}：门口占道", category=category, house_number=number)
    later = at("2027-01-01T00:00:00")
    await shape(
        ids["A"],
        status="closed",
        created_at=at("2026-09-10T00:00:00"),
        due_at=at("2026-09-11T00:00:00"),
        acknowledged_at=at("2026-09-12T00:00:00"),
        resolved_at=at("2026-10-05T00:00:00"),
        closed_at=at("2026-10-06T00:00:00"),
        last_activity_at=at("2026-10-06T00:00:00"),
    )
    await shape(
        ids["B"],
        status="resolved",
        created_at=at("2026-10-01T00:00:00"),
        due_at=at("2026-10-02T00:00:00"),
        acknowledged_at=at("2026-10-01T12:00:00"),
        resolved_at=at("2026-10-11T00:00:00"),
        last_activity_at=at("2026-10-11T00:00:00"),
    )
    await shape(
        ids["C"],
        status="new",
        created_at=at("2026-11-01T00:00:00"),
        due_at=at("2026-11-02T00:00:00"),
        last_activity_at=at("2026-11-01T00:00:00"),
    )
    await shape(
        ids["D"],
        status="rejected",
        created_at=at("2026-08-20T00:00:00"),
        due_at=at("2026-08-21T00:00:00"),
        closed_at=at("2026-09-01T00:00:00"),
        last_activity_at=at("2026-09-01T00:00:00"),
    )
    await shape(
        ids["E"],
        status="new",
        hidden=True,
        created_at=at("2026-10-01T00:00:00"),
        due_at=later,
        last_activity_at=at("2026-10-01T00:00:00"),
    )
    await shape(
        ids["F"],
        status="new",
        created_at=at("2026-10-01T00:00:00"),
        due_at=at("2026-10-02T00:00:00"),
        last_activity_at=at("2026-10-01T00:00:00"),
    )
    # Resolved at 01:00 on 1 November in Shanghai: a November figure, although it is still 31 October in UTC.
    await shape(
        ids["G"],
        status="resolved",
        created_at=at("2026-10-20T00:00:00"),
        due_at=at("2026-10-21T00:00:00"),
        resolved_at=at("2026-10-31T17:00:00"),
        last_activity_at=at("2026-10-31T17:00:00"),
    )
    await rate(ids["A"], reporter, "yes", "2026-10-06T00:00:00")
    await rate(ids["A"], other, "no", "2026-10-07T00:00:00")  # a me-too person's rating: not the reporter's
    await rate(ids["B"], reporter, "no", "2026-10-12T00:00:00")
    await rate(ids["G"], reporter, "partly", "2026-11-02T00:00:00")
    author = await resident("提议人")
    passed = await file(author, "safety", title="夜间路灯增亮")
    old = await file(author, "safety", title="老提议去年通过")
    await ProposalStep.insert(
        ProposalStep(proposal=passed, status_from="on_agenda", status_to="passed", at=at("2026-10-20T00:00:00")),
        ProposalStep(proposal=old, status_from="on_agenda", status_to="passed", at=at("2025-11-20T00:00:00")),
    )
    return {"threads": ids, "reporter": reporter, "other": other, "passed": passed}
