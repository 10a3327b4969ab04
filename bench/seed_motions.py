"""Council motions for the benchmark (after bench/seed_bulk.py with election=True): five seats of term 1 for
the first candidates' merchants, motion 1 closed with its roll-call, motion 2 open with some votes cast, so
/council/motions and /motions/1 have what a real council shows."""

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
            "council_motion_vote": votes}  # fmt: skip


COLUMNS = {"council_seat": SEAT, "council_motion": MOTION, "council_motion_member": MEMBER, "council_motion_vote": VOTE}
CANDIDATES = "SELECT nominee, shop FROM council_nomination WHERE election = 1 AND status = 'accepted' ORDER BY id"


def seed_sqlite(path: Path) -> int:
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
    return len(rows["council_motion"])


async def seed_postgres(database_url: str) -> int:
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
    return len(rows["council_motion"])


def seed(database_url: str) -> int:
    """The motions of a benchmark database (BLOCK_DATABASE_URL style); returns how many motions."""
    if database_url.startswith(("postgresql://", "postgres://")):
        return asyncio.run(seed_postgres(database_url))
    from block_service.settings import sqlite_file

    return seed_sqlite(sqlite_file(database_url))
