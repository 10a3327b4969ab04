"""Projects for the benchmark (after bench/seed_bulk.py with election=True, `block-service migrate` and
bench/seed_motions.py, which seats the council): up to 300 projects, each carrying out a passed motion on a
proposal (the proposal becomes "passed", with its steps), across the plans, the three sizes and the six states;
milestones (some done, some overdue), progress updates, workers, state and stage steps; the year's fund income,
then allocations and spendings of the small projects within the ledger's rules; pledge goals and pledges of the
mini projects; the people served invited and answering for the completed and evaluated ones. Project 1 is a
small project in progress with five milestones, four updates and four spendings, so /projects/1 is a real page.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

from seed_bulk import _insert_sql  # beside this file, as bench/run.py imports its neighbours

MOTION = (
    "id", "term", "title", "text", "kind", "quorum", "rule", "proposal_id", "plan_id", "size", "budget_cap",
    "status", "opens_at", "closes_at", "opened_by", "created_at", "closed_at", "close_reason", "result",
    "eligible_count", "yes_count", "no_count", "abstain_count",
)  # fmt: skip
MEMBER = ("motion", "person", "seat", "status", "reason", "changed_at")
VOTE = ("motion", "person", "choice", "cast_at", "changes")
PROPOSAL_STEP = ("proposal", "status_from", "status_to", "reason", "actor", "motion_id", "at")
PROJECT = (
    "id", "proposal_id", "motion_id", "plan_id", "segment_id", "title", "summary", "size", "budget_cap", "state",
    "state_reason", "stage", "reference_number", "submitted_on", "lead_type", "lead_id", "maintainer_type",
    "maintainer_id", "maintainer_duties", "starts_on", "created_by", "created_at", "changed_at", "completed_at",
    "evaluation_closes_at", "evaluated_at",
)  # fmt: skip
WORKER = ("project", "person", "added_at")
MILESTONE = ("project", "title", "due_on", "weight", "done_on", "done_by", "created_at")
UPDATE = ("project", "author", "body", "created_at")
STEP = ("project", "kind", "status_from", "status_to", "reason", "actor", "at")
INVITEE = ("project", "person", "invited_at")
EVALUATION = ("project", "person", "solved", "satisfaction", "comment", "created_at")
FUND_YEAR = ("year", "created_at")
FUND_ENTRY = (
    "year", "kind", "source", "project_id", "motion_id", "amount_fen", "category", "spent_on", "note",
    "recorded_by", "recorded_at",
)  # fmt: skip
GOAL = ("subject_kind", "subject_id", "kind", "item", "quantity", "unit")
PLEDGE = (
    "subject_kind", "subject_id", "person", "shop", "kind", "item", "quantity", "unit", "note", "show_name",
    "state", "created_at", "delivered_at", "withdrawn_at",
)  # fmt: skip
COLUMNS = {
    "council_motion": MOTION,
    "council_motion_member": MEMBER,
    "council_motion_vote": VOTE,
    "proposal_step": PROPOSAL_STEP,
    "project": PROJECT,
    "project_worker": WORKER,
    "project_milestone": MILESTONE,
    "project_update": UPDATE,
    "project_step": STEP,
    "project_invitee": INVITEE,
    "project_evaluation": EVALUATION,
    "fund_year": FUND_YEAR,
    "fund_entry": FUND_ENTRY,
    "pledge_goal": GOAL,
    "pledge": PLEDGE,
}
PROJECTS = 300  # at most: three proposals in four (not proposal 1, the busy submitted one) get a project
# Project 1 (k = 0) is in progress; then the states turn so that every size meets every state.
STATES = ("in_progress", "planned", "completed", "evaluated", "in_progress", "stalled", "completed", "cancelled",
          "evaluated", "in_progress", "stalled")  # fmt: skip
REASONS = {"stalled": "等待相关部门的书面意见。", "cancelled": "居民意见分歧较大，理事会决定暂缓实施。"}
MILESTONES = ("现场踏勘", "征求居民意见", "方案公示", "采购材料", "施工", "验收")
UPDATES = (
    "已完成现场踏勘，方案初稿在工作站公示。",
    "材料已到，周末开始施工，请街坊注意绕行。",
    "施工过半，夜间不施工，有问题请在帖子里留言。",
    "本周完成收尾，下周请大家一起验收。",
)
CATEGORIES = ("材料采购", "施工人工", "设备租赁", "清运费用")
SPENT_SHARE = {"in_progress": 40, "stalled": 20, "cancelled": 10, "completed": 90, "evaluated": 95}
ANSWERS = (("yes", 5, "问题解决了，谢谢大家！"), ("yes", 4, ""), ("partly", 3, "基本解决，还需要维护。"), ("no", 2, ""))
PLEDGE_KINDS = (("money", "", 100, ""), ("hours", "", 4, ""), ("materials", "工具", 2, "套"), ("skill", "木工", 1, ""),
                ("space", "店门口空地", 1, ""))  # fmt: skip
DAY = dt.timedelta(days=1)


def _age(state: str, k: int) -> int:
    """Days since the project started."""
    if k == 0:
        return 60
    base = {"planned": 5, "in_progress": 20, "stalled": 40, "cancelled": 30, "completed": 60, "evaluated": 90}
    return base[state] + (k * 7) % (20 if state == "planned" else 120)


def _cap(size: str, k: int) -> int:
    if size == "large":
        return 100_000 + (k * 37_000) % 400_000
    if size == "small":
        return 3_000 + (k * 1_000) % 17_000
    return 200 + (k * 100) % 1_800


def _spread(start: dt.datetime, end: dt.datetime, count: int) -> list[dt.datetime]:
    """`count` moments evenly between start and end (both excluded)."""
    return [start + (end - start) * (i + 1) / (count + 1) for i in range(count)]


def _events(size: str, state: str, k: int) -> list[tuple[str, str, str, str]]:
    """The state and stage steps after "planned", in order: (kind, from, to, reason)."""
    stages = {
        "planned": ("submitted",) if k % 2 else (),
        "in_progress": ("submitted", "accepted", "construction"),
        "stalled": ("submitted", "accepted"),
        "completed": ("submitted", "accepted", "construction", "completed"),
        "evaluated": ("submitted", "accepted", "construction", "completed"),
        "cancelled": ("submitted", "declined"),
    }[state]
    states = {
        "planned": (),
        "in_progress": ("in_progress",),
        "stalled": ("in_progress", "stalled"),
        "completed": ("in_progress", "completed"),
        "evaluated": ("in_progress", "completed"),
        "cancelled": ("cancelled",),
    }[state]
    events, current = [], "planned"
    if size == "large":
        previous = "drafted"
        for stage in stages:
            events.append(("stage", previous, stage, REASONS["cancelled"] if stage == "declined" else ""))
            previous = stage
            target = {"construction": "in_progress", "completed": "completed", "declined": "cancelled"}.get(stage)
            if target:
                events.append(("state", current, target, REASONS.get(target, "")))
                current = target
    for target in states:
        if target != current and not (size == "large" and target == "in_progress"):
            events.append(("state", current, target, REASONS.get(target, "")))
            current = target
    return events


def plan(
    proposals: list[tuple],
    served: dict[int, list[int]],
    seats: list[tuple[int, int]],
    merchants: list[tuple[int, int]],
    people_count: int,
    first_motion: int,
    now: dt.datetime,
) -> tuple[dict[str, list[tuple]], list[tuple]]:
    """Rows per table, and the proposal updates (status, motion_id, project_id, created_at, submitted_at,
    changed_at, id). `proposals` are (id, plan, segment, size, author, title); project ids start at 1."""
    rows: dict[str, list[tuple]] = {table: [] for table in COLUMNS}
    moved: list[tuple] = []
    today, chair = now.date(), seats[0][1]
    shop_of = {person: shop for shop, person in merchants}
    chosen = [p for p in proposals if p[0] != 1 and p[0] % 4 != 0][:PROJECTS]
    allocations = []
    for k, (proposal_id, plan_id, segment_id, size, author, title) in enumerate(chosen):
        project_id, motion_id = k + 1, first_motion + k
        state = STATES[k % len(STATES)]
        age, cap = _age(state, k), _cap(size, k)
        start = now - age * DAY
        created = start - DAY
        closed, opened = created - dt.timedelta(hours=1), created - 8 * DAY
        name = title.removeprefix("提案：")[:76]
        rows["council_motion"].append(
            (motion_id, 1, f"关于“{name}”的动议", f"理事会表决是否通过提议“{name}”并立项实施。", "proposal", "half",
             "simple", proposal_id, plan_id, size, cap, "closed", opened, closed, chair, opened, closed, "all_voted",
             "passed", len(seats), len(seats) - 1, 1, 0)
        )  # fmt: skip
        for index, (seat_id, person) in enumerate(seats):
            rows["council_motion_member"].append((motion_id, person, seat_id, "eligible", "", opened))
            choice = "no" if index == len(seats) - 1 else "yes"
            cast = opened + (index + 1) * dt.timedelta(hours=3)
            rows["council_motion_vote"].append((motion_id, person, choice, cast, 0))
        submitted = opened - 10 * DAY
        for status_from, status_to, at, motion in (
            ("", "submitted", submitted, None),
            ("submitted", "deliberation", opened - 5 * DAY, None),
            ("deliberation", "on_agenda", opened, motion_id),
            ("on_agenda", "passed", closed, motion_id),
        ):
            reason = "符合行动计划方向，进入审议。" if status_to == "deliberation" else ""
            rows["proposal_step"].append((proposal_id, status_from, status_to, reason, None, motion, at))
        moved.append(("passed", motion_id, project_id, submitted, submitted, closed, proposal_id))

        completed_at = evaluated_at = closes = None
        if state in ("completed", "evaluated"):
            completed_at = now - (2 + k % 10 if state == "completed" else 20 + k % 40) * DAY
            closes = completed_at + 14 * DAY
            evaluated_at = closes if state == "evaluated" else None
        end = completed_at or now - DAY
        lead_shop, lead_person = merchants[k % len(merchants)]
        lead = ("shop", lead_shop) if k % 3 == 0 else ("person", author)
        maintainer = ("", None, "")
        if completed_at:
            maintainer = ("shop", lead_shop, "每周巡查一次，发现损坏及时报工作站。") if k % 2 else (
                "person", author, "每月检查一次并在帖子里报告。")  # fmt: skip
        stage, reference, submitted_on = ("drafted" if size == "large" else ""), "", None
        events = _events(size, state, k)
        moments = _spread(start, end, len(events))
        steps = [("state", "", "planned", "", chair, created)]
        for (kind, status_from, status_to, reason), at in zip(events, moments, strict=True):
            if status_to == "completed" and completed_at:
                at = completed_at
            steps.append((kind, status_from, status_to, reason, chair, at))
            if kind == "stage":
                stage = status_to
                if status_to == "submitted":
                    reference, submitted_on = f"凌岩街道实事〔{at.year}〕第{k + 1}号", at.date()
        if evaluated_at:
            steps.append(("state", "completed", "evaluated", "", None, evaluated_at))
        rows["project_step"] += [(project_id, *step) for step in steps]
        changed = max(step[-1] for step in steps)
        rows["project"].append(
            (project_id, proposal_id, motion_id, plan_id, segment_id, name,
             f"落实提案“{name}”，按里程碑推进并定期公示。", size, cap, state, REASONS.get(state, ""), stage,
             reference, submitted_on, *lead, *maintainer,
             start.date(), chair, created, changed, completed_at, closes, evaluated_at)
        )  # fmt: skip
        workers = sorted({(k * 13 + i * 7) % people_count + 1 for i in range(1 + k % 3)})
        rows["project_worker"] += [(project_id, person, created) for person in workers]

        count = 5 if k == 0 else 3 + k % 3
        span = (end - start) if completed_at else (now - start) + (30 + k % 30) * DAY
        dues = [(start + span * (j + 1) / count).date() for j in range(count)]
        past = [j for j, due in enumerate(dues) if due < today - dt.timedelta(days=2)]
        overdue = None
        if state == "planned" or not past:
            done = set()
        elif completed_at:
            done = set(range(count))
        else:
            overdue = past[-1] if state != "in_progress" or k % 2 == 0 else None
            done = {j for j in past if j != overdue}
        for j, due in enumerate(dues):
            done_on = min(due - DAY, today) if j in done else None
            rows["project_milestone"].append(
                (project_id, MILESTONES[j % len(MILESTONES)], due, 1 + j % 3, done_on, chair if done_on else None,
                 created)
            )  # fmt: skip

        updates = 4 if k == 0 else (1 if state not in ("planned", "cancelled") and k % 2 == 0 else 0)
        for i, at in enumerate(_spread(start, end, updates)):
            writer = lead_person if lead[0] == "shop" else author
            rows["project_update"].append((project_id, writer, UPDATES[i], at))

        if completed_at:
            invited = served.get(proposal_id, [])
            rows["project_invitee"] += [(project_id, person, completed_at) for person in invited]
            for i, person in enumerate(invited):
                if i % 3 != 2:
                    solved, score, comment = ANSWERS[(k + i) % len(ANSWERS)]
                    answered = completed_at + (1 + i % 10) * DAY
                    rows["project_evaluation"].append((project_id, person, solved, score, comment, answered))

        if size == "small" and state != "planned":
            allocated = cap * 100 * (7 + k % 4) // 10
            spent = allocated * SPENT_SHARE[state] // 100
            allocations.append((project_id, motion_id, allocated, start))
            parts = 4 if k == 0 else 1 + k % 3
            moments = _spread(start, end, parts)
            for i in range(parts):
                amount = spent // parts + (spent % parts if i == 0 else 0)
                if amount > 0:
                    rows["fund_entry"].append(
                        (today.year, "spending", "", project_id, None, amount, CATEGORIES[(k + i) % len(CATEGORIES)],
                         min(moments[i].date(), today), "", lead_person, moments[i])
                    )  # fmt: skip
        if size == "mini":
            _pledges(rows, project_id, state, k, cap, people_count, shop_of, start, end)
    _income(rows, allocations, today, now)
    return rows, moved


def _pledges(rows, project_id, state, k, cap, people_count, shop_of, start, end) -> None:
    """Goals of money, materials and hours; pledges of every kind, some for the pledger's shop."""
    rows["pledge_goal"] += [
        ("project", project_id, "money", "", cap, ""),
        ("project", project_id, "materials", "工具", 10 + k % 10, "套"),
        ("project", project_id, "hours", "", 20 + k % 30, ""),
    ]
    count = 3 + k % 6
    for i, at in enumerate(_spread(start, end, count)):
        person = (k * 17 + i * 29) % people_count + 1
        kind, item, quantity, unit = PLEDGE_KINDS[(k + i) % len(PLEDGE_KINDS)]
        quantity *= 1 + i % 3
        pledged = "delivered" if state in ("completed", "evaluated") or i % 3 == 1 else "promised"
        if state == "cancelled" or (i == count - 1 and i % 2):
            pledged = "withdrawn"
        shop = shop_of.get(person) if i % 2 == 0 else None
        rows["pledge"].append(
            ("project", project_id, person, shop, kind, item, quantity, unit, "街坊出份力。" if i % 2 else "",
             i % 3 == 0, pledged, at, at + DAY if pledged == "delivered" else None,
             at + DAY if pledged == "withdrawn" else None)
        )  # fmt: skip


def _income(rows, allocations: list[tuple], today: dt.date, now: dt.datetime) -> None:
    """The year's income first (the street's allocation covering every allocation, and two donations), then
    the allocations; checks the ledger's rules: allocations and spending within income, each project's
    spending within its allocation."""
    year = today.year
    allocated = sum(amount for *_ids, amount, _at in allocations)
    street = -(-allocated * 12 // 10 // 1_000_000) * 1_000_000 or 1_000_000  # fen, whole 10,000 yuan
    opened = min([dt.datetime(year, 1, 5, 1, tzinfo=dt.UTC)] + [at - DAY for *_rest, at in allocations])
    rows["fund_year"].append((year, opened))
    income = [
        (year, "income", "street", None, None, street, "", None, f"凌岩街道{year}年度自治金拨款", None, opened),
        (year, "income", "donation", None, None, 880_000, "", None, "沿街商户联谊会捐赠", None, opened + DAY),
        (year, "income", "donation", None, None, 300_000, "", None, "居民众筹", None, opened + 2 * DAY),
    ]
    spending = rows["fund_entry"]
    entries = [
        (year, "allocation", "", project_id, motion_id, amount, "", None, "按理事会决议拨付", None, at)
        for project_id, motion_id, amount, at in allocations
    ]
    rows["fund_entry"] = income + entries + spending
    by_project = {project_id: amount for project_id, _motion, amount, _at in allocations}
    for entry in spending:
        by_project[entry[3]] -= entry[5]
    total_income = sum(entry[5] for entry in income)
    if min(by_project.values(), default=0) < 0 or sum(entry[5] for entry in spending) > total_income:
        raise AssertionError("the seeded ledger breaks its own rules")
    if allocated > total_income:
        raise AssertionError("the seeded ledger allocates more than its income")


PROPOSALS = "SELECT id, plan, segment, size, author, title FROM proposal ORDER BY id"
SERVED = (
    "SELECT pt.proposal, t.author FROM proposal_thread pt JOIN thread t ON t.id = pt.thread "
    "UNION SELECT proposal, person FROM proposal_support"
)
SEATS = "SELECT id, person FROM council_seat WHERE term = 1 ORDER BY id"
MERCHANTS = "SELECT shop, person FROM shop_merchant ORDER BY shop"
PEOPLE = "SELECT count(*) FROM person"
FIRST_MOTION = "SELECT COALESCE(MAX(id), 0) + 1 FROM council_motion"
MOVE = (
    "UPDATE proposal SET status = {}, motion_id = {}, project_id = {}, created_at = {}, submitted_at = {}, "
    "changed_at = {} WHERE id = {}"
)


def _served(pairs) -> dict[int, list[int]]:
    served: dict[int, set[int]] = {}
    for proposal, person in pairs:
        served.setdefault(proposal, set()).add(person)
    return {proposal: sorted(people) for proposal, people in served.items()}


def _counts(rows: dict[str, list[tuple]]) -> dict[str, int]:
    return {table: len(rows[table]) for table in ("project", "project_milestone", "fund_entry", "pledge")}


def seed_sqlite(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path, timeout=30)
    try:
        fetch = lambda sql: connection.execute(sql).fetchall()  # noqa: E731
        rows, moved = plan(
            fetch(PROPOSALS), _served(fetch(SERVED)), fetch(SEATS), fetch(MERCHANTS), fetch(PEOPLE)[0][0],
            fetch(FIRST_MOTION)[0][0], dt.datetime.now(dt.UTC),
        )  # fmt: skip

        def text(items):  # Piccolo keeps SQLite timestamps and dates as their str(), booleans as 0/1
            return [
                tuple(str(v) if isinstance(v, dt.date) else int(v) if isinstance(v, bool) else v for v in item)
                for item in items
            ]

        with connection:
            for table, items in rows.items():
                connection.executemany(_insert_sql(table, COLUMNS[table], "?"), text(items))
            connection.executemany(MOVE.replace("{}", "?"), text(moved))
        connection.execute("ANALYZE")
    finally:
        connection.close()
    return _counts(rows)


async def seed_postgres(database_url: str) -> dict[str, int]:
    import asyncpg

    connection = await asyncpg.connect(database_url, timeout=10)
    try:

        async def fetch(sql):
            return [tuple(row) for row in await connection.fetch(sql)]

        rows, moved = plan(
            await fetch(PROPOSALS), _served(await fetch(SERVED)), await fetch(SEATS), await fetch(MERCHANTS),
            (await fetch(PEOPLE))[0][0], (await fetch(FIRST_MOTION))[0][0], dt.datetime.now(dt.UTC),
        )  # fmt: skip
        async with connection.transaction():
            for table, items in rows.items():
                await connection.executemany(_insert_sql(table, COLUMNS[table], "${n}"), items)
            marks = iter(range(1, 8))
            await connection.executemany(MOVE.replace("{}", "$%d") % tuple(marks), moved)
            for table in ("council_motion", "project"):  # ids were given: move the sequences past them
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return _counts(rows)


def seed(database_url: str) -> dict[str, int]:
    """The projects of a benchmark database (BLOCK_DATABASE_URL style); returns how many rows of the main tables."""
    if database_url.startswith(("postgresql://", "postgres://")):
        return asyncio.run(seed_postgres(database_url))
    from block_service.settings import sqlite_file

    return seed_sqlite(sqlite_file(database_url))
