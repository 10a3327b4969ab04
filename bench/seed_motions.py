"""Council motions and meetings for the benchmark (after bench/seed_bulk.py with election=True): five seats of
term 1 for the first candidates' merchants, motion 1 closed with its roll-call, motion 2 open with some votes
cast, so /council/motions and /motions/1 have what a real council shows; and four meetings (a past hearing on
proposal 1 with its minutes, an upcoming coordination meeting on thread 1, a council meeting putting motion 2 on
its agenda, an evaluation), with answers, so /meetings and /meetings/{id} have what a busy month shows."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

from seed_bulk import _insert_sql  # beside this file, as bench/run.py imports its neighbours

SEAT = ("term", "person", "shop", "position", "source", "started_at")
MOTION = (
    "term", "title", "text", "kind", "quorum", "rule", "status", "opens_at", "closes_at", "created_at",
    "closed_at", "close_reason", "result", "eligible_count", "yes_count", "no_count", "abstain_count",
)  # fmt: skip
MEMBER = ("motion", "person", "seat", "status", "reason", "changed_at")
VOTE = ("motion", "person", "choice", "cast_at", "changes")
CLOSED_CHOICES = ("yes", "yes", "no", "abstain")  # the fifth member recused
MEETING = (
    "kind", "title", "description", "starts_at", "ends_at", "place", "convener", "open_to_residents", "capacity",
    "going", "proposal_id", "thread_id", "created_at", "minutes_published_at", "minutes_published_by",
)  # fmt: skip
AGENDA_ITEM = ("meeting", "position", "title", "target_type", "target_id", "minutes", "minutes_at")
RSVP = ("meeting", "person", "answer", "answered_at")
PLACE = "凌岩南路1141弄"
MEETING_ANSWERS = 12  # people answering each meeting open to residents, two of them "no"


def plan(candidates: list[tuple[int, int]], now: dt.datetime) -> dict[str, list[tuple]]:
    """Rows per table from (person, shop) of the first candidates; seat and motion ids start at 1."""
    chosen = candidates[:5]
    seats = [
        (1, person, shop, "chair" if index == 0 else "member", "election", now - dt.timedelta(days=20))
        for index, (person, shop) in enumerate(chosen)
    ]
    opened, closes = now - dt.timedelta(days=10), now - dt.timedelta(days=3)
    yes, no, abstain = (CLOSED_CHOICES.count(choice) for choice in ("yes", "no", "abstain"))
    motions = [
        (1, "夜间外摆统一在22:00前收摊", "沿街外摆每晚22:00前收摊并清扫门前。", "rule", "half", "two_thirds", "closed",
         opened, closes, opened, closes, "deadline", "passed", len(chosen) - 1, yes, no, abstain),
        (1, "使用自治金在1141弄口增设共享充电桩", "增设4个电动自行车共享充电桩。", "funds", "half", "simple", "open",
         now - dt.timedelta(days=1), now + dt.timedelta(days=6), now - dt.timedelta(days=1), None, "", "", 0, 0, 0, 0),
    ]  # fmt: skip
    members, votes = [], []
    for motion in (1, 2):
        for index, (person, _shop) in enumerate(chosen):
            recused = motion == 1 and index == len(chosen) - 1
            members.append((motion, person, index + 1, "recused" if recused else "eligible",
                            "利益相关，申请回避。" if recused else "", opened))  # fmt: skip
            if motion == 1 and index < len(CLOSED_CHOICES):
                votes.append((1, person, CLOSED_CHOICES[index], opened + dt.timedelta(hours=index + 1), 0))
            elif motion == 2 and index < 3:
                votes.append((2, person, "yes", now - dt.timedelta(hours=index + 1), 0))
    return {"council_seat": seats, "council_motion": motions, "council_motion_member": members,
            "council_motion_vote": votes, **plan_meetings(chosen[0][0], now)}  # fmt: skip


def plan_meetings(convener: int, now: dt.datetime) -> dict[str, list[tuple]]:
    """Four meetings convened by the chair (ids 1-4), their agenda items and the residents' answers."""
    day = dt.timedelta(days=1)
    past, hour = now - 3 * day, dt.timedelta(hours=1)
    no = MEETING_ANSWERS - 2
    meetings = [
        ("hearing", "分类垃圾桶听证会", "听取居民对增设分类垃圾桶的意见。", past, past + 2 * hour, PLACE, convener,
         True, 40, no, 1, None, past - 7 * day, past + 3 * hour, convener),
        ("coordination", "夜间外摆噪声协调会", "商户与楼上居民协商外摆时间。", now + 2 * day, now + 2 * day + 2 * hour,
         PLACE, convener, True, 30, no, None, 1, now - day, None, None),
        ("council", "理事会月度会议", "审议本月议案。", now + 5 * day, now + 5 * day + 2 * hour, PLACE, convener,
         False, None, 0, None, None, now - day, None, None),
        ("evaluation", "充电桩使用评议会", "评议共享充电桩三个月的使用情况。", now + 9 * day, now + 9 * day + hour,
         PLACE, convener, True, None, no, None, None, now - day, None, None),
    ]  # fmt: skip
    items = [
        (1, 1, "是否增加分类垃圾桶", "proposal", 1, "到会居民同意增加两个分类垃圾桶。", past + 2 * hour),
        (1, 2, "清运时间", "", None, "物业每晚九点加一次清运。", past + 2 * hour),
        (1, 3, "后续安排", "", None, "工作站一个月后回访。", past + 2 * hour),
        (2, 1, "外摆收摊时间", "thread", 1, "", None),
        (3, 1, "自治金增设充电桩", "motion", 2, "", None),
        (3, 2, "夜间外摆统一收摊", "motion", 1, "", None),
        (4, 1, "充电桩使用情况", "", None, "", None),
    ]  # fmt: skip
    answers = [
        (meeting, person, "no" if person > no else "yes", now - day)
        for meeting in (1, 2, 4)
        for person in range(1, MEETING_ANSWERS + 1)
    ]
    return {"meeting": meetings, "meeting_agenda_item": items, "meeting_rsvp": answers}


COLUMNS = {
    "council_seat": SEAT,
    "council_motion": MOTION,
    "council_motion_member": MEMBER,
    "council_motion_vote": VOTE,
    "meeting": MEETING,
    "meeting_agenda_item": AGENDA_ITEM,
    "meeting_rsvp": RSVP,
}
CANDIDATES = "SELECT nominee, shop FROM council_nomination WHERE election = 1 AND status = 'accepted' ORDER BY id"


def seed_sqlite(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path, timeout=30)
    try:
        rows = plan(connection.execute(CANDIDATES).fetchall(), dt.datetime.now(dt.UTC))
        with connection:
            for table, items in rows.items():
                # Piccolo keeps SQLite timestamps as str(datetime).
                values = [tuple(str(v) if isinstance(v, dt.datetime) else v for v in item) for item in items]
                connection.executemany(_insert_sql(table, COLUMNS[table], "?"), values)
    finally:
        connection.close()
    return {table: len(rows[table]) for table in ("council_motion", "meeting")}


async def seed_postgres(database_url: str) -> dict[str, int]:
    import asyncpg

    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        candidates = [tuple(row) for row in await connection.fetch(CANDIDATES)]
        rows = plan(candidates, dt.datetime.now(dt.UTC))
        async with connection.transaction():
            for table, items in rows.items():
                await connection.executemany(_insert_sql(table, COLUMNS[table], "${n}"), items)
    finally:
        await connection.close()
    return {table: len(rows[table]) for table in ("council_motion", "meeting")}


def seed(database_url: str) -> dict[str, int]:
    """The motions and meetings of a benchmark database (BLOCK_DATABASE_URL style); returns how many of each."""
    if database_url.startswith(("postgresql://", "postgres://")):
        return asyncio.run(seed_postgres(database_url))
    from block_service.settings import sqlite_file

    return seed_sqlite(sqlite_file(database_url))
