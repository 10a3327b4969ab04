"""The plan indicators, the dashboard's figures and the stuck items, against hand-made history and a fixed clock."""

import datetime as dt

import pytest

from block_service.insights.dashboard import dashboard, staff_dashboard
from block_service.insights.indicators import plan_indicators
from block_service.insights.loop import stuck_items
from block_service.insights.months import last_months
from block_service.plans.tables import Proposal
from block_service.settings import STUCK_DAYS, read_settings
from block_service.shops.segments import segment_for_number
from block_service.threads.tables import Thread
from tests.helpers import make_person
from tests.insights_helpers import NOW, at, history, shape

MONTHS = ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09",
          "2026-10", "2026-11"]  # fmt: skip


def by_month(series) -> dict:
    return {month: value for month, value in zip(series.months, series.values, strict=True) if value}


def test_the_months_are_shanghai_calendar_months():
    months = last_months(NOW)
    assert list(months.labels) == MONTHS
    assert months.start == at("2025-11-30T16:00:00") and months.end == at("2026-11-30T16:00:00")
    assert months.index_of(at("2026-10-31T17:00:00")) == 11  # 1 November, 01:00 in Shanghai
    assert months.index_of(at("2025-11-30T15:59:59")) is None
    january = last_months(dt.datetime(2027, 1, 3, tzinfo=dt.UTC))
    assert january.labels[0] == "2026-02" and january.labels[-1] == "2027-01"


async def test_each_indicator_of_a_plan_from_hand_made_history(db):
    await history()
    indicators = await plan_indicators("safety", now=NOW)
    assert indicators.months == MONTHS
    series = {s.key: s for s in indicators.series}
    assert list(series) == [
        "open_reports",
        "resolve_days",
        "fixed_share",
        "proposals_passed",
        "projects_completed",
        "pledges_delivered",
        "funds_spent",
    ]
    # Open at each month's end: D in August, A in September, G in October (resolved after it), C now;
    # the hidden report and the environment plan's report never count.
    assert by_month(series["open_reports"]) == {"2026-08": 1, "2026-09": 1, "2026-10": 1, "2026-11": 1}
    assert series["open_reports"].latest == 1 and series["open_reports"].total == 4
    # Resolved in October after 25 and 10 days; in November (Shanghai) after 11.7 days.
    assert by_month(series["resolve_days"]) == {"2026-10": 17.5, "2026-11": 11.7}
    assert series["resolve_days"].values[0] is None and series["resolve_days"].total is None
    # The reporters' ratings: October yes and no; November partly. The me-too person's "no" is not counted.
    fixed = dict(zip(series["fixed_share"].months, series["fixed_share"].values, strict=True))
    assert fixed["2026-10"] == 50.0 and fixed["2026-11"] == 0.0 and fixed["2026-09"] is None
    # One passed in October; the one passed a year ago is outside the window.
    assert by_month(series["proposals_passed"]) == {"2026-10": 1}


async def test_a_plan_without_history_has_zeros_and_gaps(db):
    indicators = await plan_indicators("culture", now=NOW)
    series = {s.key: s for s in indicators.series}
    assert series["open_reports"].values == [0.0] * 12
    assert series["resolve_days"].values == [None] * 12 and series["resolve_days"].latest is None


async def test_the_dashboard_figures(db):
    made = await history()
    board = await dashboard(now=NOW)
    # The road: reports of the last 90 days per segment (not the hidden one).
    north, south = await segment_for_number(1143), await segment_for_number(1021)
    counts = {s.segment_id: s.reports for s in board.road.segments}
    assert counts[north] == 4 and counts[south] == 2  # A B F G | C D
    assert sum(counts.values()) == 6
    assert {s.segment_id: s.shade for s in board.road.segments}[north] == 4
    assert all(s.shade == 0 for s in board.road.segments if s.reports == 0)
    # Time to resolve over every report: 25 and 10 days in October, 11.7 in November.
    assert by_month(board.resolve_days) == {"2026-10": 17.5, "2026-11": 11.7}
    # Waiting for a first answer past the deadline: C and F (the hidden E's deadline is still ahead).
    assert board.overdue.awaiting_response == 2 and board.overdue.emergencies == 0
    assert [plan.slug for plan in board.plans][:2] == ["environment", "safety"]
    assert board.fund_balance_fen is None or isinstance(board.fund_balance_fen, int)
    del made


async def test_staff_see_workload_and_deadline_breaches(db):
    made = await history()
    threads = made["threads"]
    first = await make_person("值班员一", "one@staff.example", roles=("staff",))
    second = await make_person("值班员二", "two@staff.example", roles=("staff",))
    for name, staff in (("C", first), ("F", first), ("A", second)):
        await shape(threads[name], assigned_to=staff)
    staff = await staff_dashboard(now=NOW)
    assert [(row.name, row.open_threads, row.overdue_threads) for row in staff.workload] == [("值班员一", 2, 2)]
    # First response after the deadline or none by now: D (Aug), A (Sep), F and G (Oct), C (Nov); B was in time.
    assert by_month(staff.breaches) == {"2026-08": 1, "2026-09": 1, "2026-10": 2, "2026-11": 1}


async def test_a_deleted_staff_members_workload_names_a_former_resident_in_the_readers_language(db):
    from block_service.i18n import current_language
    from block_service.insights.services import chart_table
    from block_service.privacy.schemas import StaffDeleteForm
    from block_service.privacy.services import delete_account_for
    from tests.council_helpers import staff_viewer

    made = await history()
    gone = await make_person("值班员一", "one@staff.example", roles=("staff",))
    for name in ("C", "F"):
        await shape(made["threads"][name], assigned_to=gone)
    colleague = await staff_viewer()
    await delete_account_for(colleague, gone, StaffDeleteForm(confirm=True))
    for language, label in (("en", "A former resident"), ("zh-Hans", "一位前居民")):
        token = current_language.set(language)
        try:
            staff = await staff_dashboard(now=NOW)
            assert [(str(row.name), row.open_threads) for row in staff.workload] == [(label, 2)]
            table = await chart_table(colleague, "workload.csv")  # what the CSV download writes
            assert [str(cell) for cell in table[1][:2]] == [label, "2"]
        finally:
            current_language.reset(token)


async def test_stuck_items_oldest_first_with_the_thresholds(db):
    made = await history()
    threads = made["threads"]
    await shape(threads["B"], status="in_progress", last_activity_at=at("2026-10-11T00:00:00"))
    await Proposal.update({Proposal.changed_at: at("2026-10-01T00:00:00")}).where(Proposal.status == "submitted")
    ready = made["passed"]
    await Proposal.update(
        {Proposal.status: "deliberation", Proposal.ready_at: at("2026-09-01T00:00:00"), Proposal.changed_at: NOW}
    ).where(Proposal.id == ready)
    items = await stuck_items(dict(STUCK_DAYS), now=NOW)
    found = [(item.stage, item.object_id) for item in items]
    assert found == sorted(found, key=lambda pair: next(i.since for i in items if (i.stage, i.object_id) == pair))
    stages = {item.stage for item in items}
    assert {"answer", "progress", "submitted", "ready"} <= stages
    # C waits since 1 November (14 days > 3), F since 1 October; the hidden E too (staff see it).
    waiting = [item.object_id for item in items if item.stage == "answer"]
    assert waiting == [threads["E"], threads["F"], threads["C"]] or waiting == [
        threads["F"],
        threads["E"],
        threads["C"],
    ]
    assert next(item for item in items if item.stage == "ready").object_id == ready
    assert next(item for item in items if item.object_id == threads["C"]).days == 14
    # A longer threshold leaves C out.
    longer = await stuck_items(dict(STUCK_DAYS) | {"answer": 20}, now=NOW)
    assert threads["C"] not in [item.object_id for item in longer if item.stage == "answer"]


def test_thresholds_are_settings():
    settings = read_settings({"BLOCK_DEBUG": "true", "BLOCK_STUCK_ANSWER_DAYS": "5", "BLOCK_VAR_DIR": "/tmp/x"})
    assert settings.stuck_days["answer"] == 5 and settings.stuck_days["passed"] == STUCK_DAYS["passed"]
    with pytest.raises(ValueError, match="BLOCK_STUCK_READY_DAYS"):
        read_settings({"BLOCK_DEBUG": "true", "BLOCK_STUCK_READY_DAYS": "soon", "BLOCK_VAR_DIR": "/tmp/x"})


async def test_group_discussions_are_not_counted(db):
    made = await history()
    await Thread.update({Thread.visibility: "group"}).where(Thread.id == made["threads"]["C"])
    series = {s.key: s for s in (await plan_indicators("safety", now=NOW)).series}
    assert series["open_reports"].latest == 0


async def test_the_demo_has_a_year_of_history_for_the_charts(db):
    from block_service.insights.indicators import all_plan_indicators
    from block_service.seed import seed_demo

    assert await seed_demo()
    plans = await all_plan_indicators()
    resolved_months = {
        month
        for plan in plans
        for series in plan.series
        if series.key == "resolve_days"
        for month, value in zip(series.months, series.values, strict=True)
        if value is not None
    }
    assert len(resolved_months) >= 10
    board = await dashboard()
    assert sum(1 for value in board.resolve_days.values if value is not None) >= 10
    assert all(segment.reports > 0 for segment in board.road.segments)


async def test_funds_spent_per_plan_through_the_allocating_motion_and_the_fund_balance(db):
    from block_service.council.motion_tables import Motion
    from block_service.funds import services as funds
    from block_service.funds.schemas import CorrectionForm
    from block_service.plans.plans import get_plan
    from tests.council_helpers import staff_viewer
    from tests.funds_helpers import funded_year, passed_motion

    staff = await staff_viewer()
    await funded_year(staff, 2026, "200000")
    safety_motion, other_motion = await passed_motion(), await passed_motion()
    await Motion.update({Motion.plan_id: (await get_plan("safety")).id}).where(Motion.id == safety_motion)
    await Motion.update({Motion.plan_id: (await get_plan("culture")).id}).where(Motion.id == other_motion)
    await funds.allocate(staff, 2026, 7, safety_motion, 3_000_000)
    await funds.allocate(staff, 2026, 8, other_motion, 1_000_000)
    first = await funds.spend(staff.person_id, 7, 600_000, "材料", dt.date(2026, 10, 8), None, "花箱六个")
    await funds.spend(staff.person_id, 7, 150_050, "人工", dt.date(2026, 11, 2), None)
    await funds.spend(staff.person_id, 8, 90_000, "材料", dt.date(2026, 10, 9), None)
    await funds.correct(staff, CorrectionForm(entry_id=first, amount="-500", note="发票金额更正"))
    series = {s.key: s for s in (await plan_indicators("safety", now=NOW)).series}
    # 6,000 yuan less a 500-yuan correction in October (the correction keeps the spending's date); 1,500.50 in November.
    assert by_month(series["funds_spent"]) == {"2026-10": 5500.0, "2026-11": 1500.5}
    assert series["funds_spent"].unit == "yuan" and series["funds_spent"].total == 7000.5
    board = await dashboard(now=NOW)
    assert board.fund_year == 2026
    assert board.fund_balance_fen == 20_000_000 - (600_000 - 50_000 + 150_050 + 90_000)


async def test_projects_completed_pledges_delivered_and_stuck_projects(db):
    from block_service.plans.plans import get_plan
    from block_service.pledges.tables import Pledge
    from block_service.projects.tables import Project

    safety = (await get_plan("safety")).id
    person = await make_person("认捐人")
    ids = []
    for number, (completed, changed) in enumerate(
        ((at("2026-10-10T00:00:00"), at("2026-10-10T00:00:00")), (None, at("2026-09-01T00:00:00")), (None, NOW)),
        start=1,
    ):
        rows = await Project.insert(
            Project(proposal_id=900 + number, motion_id=900 + number, plan_id=safety, title=f"第{number}个项目",
                    size="mini", lead_type="person", lead_id=person, starts_on=dt.date(2026, 9, 1),
                    state="completed" if completed else "in_progress", created_at=at("2026-09-01T00:00:00"),
                    changed_at=changed, completed_at=completed)
        ).returning(Project.id)  # fmt: skip
        ids.append(rows[0]["id"])
    for state, delivered in (("delivered", at("2026-11-03T00:00:00")), ("promised", None), ("withdrawn", None)):
        await Pledge.insert(
            Pledge(subject_kind="project", subject_id=ids[0], person=person, kind="hours", quantity=2, state=state,
                   created_at=at("2026-10-01T00:00:00"), delivered_at=delivered)
        )  # fmt: skip
    series = {s.key: s for s in (await plan_indicators("safety", now=NOW)).series}
    assert by_month(series["projects_completed"]) == {"2026-10": 1}
    assert by_month(series["pledges_delivered"]) == {"2026-11": 1}
    stuck = [item for item in await stuck_items(dict(STUCK_DAYS), now=NOW) if item.stage == "project"]
    assert [item.object_id for item in stuck] == [ids[1]]
