"""Community offers and needs for the benchmark (after bench/seed_bulk.py and `block-service migrate`, which
adds the offer kinds): an offer on most shops, of one kind or two, with day, evening and overnight hours, so
/offers and /offers?open_now=1 page through what a busy road shows; and needs, a fifth of them met or closed."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

from seed_bulk import _insert_sql  # beside this file, as bench/run.py imports its neighbours

OFFER = (
    "shop", "kind", "description", "conditions", "valid_until", "status", "thanks_count", "created_by",
    "created_at", "updated_at",
)  # fmt: skip
HOURS = ("offer", "weekday", "opens", "closes")
NEED = ("author", "kind", "title", "description", "quantity", "unit", "until", "status", "created_at")
# Day, evening and overnight (22:00 to 02:00 the next day) ranges; minutes from the weekday's midnight.
PATTERNS = [[(540, 1260)], [(360, 600), (1020, 1320)], [(1320, 1560)], [(0, 1440)]]
NEED_KINDS = ("volunteers", "materials", "skill", "space", "other")
NEEDS = 300
COLUMNS = {"offer": OFFER, "offer_hours": HOURS, "need": NEED}


def plan(shops: list[int], kinds: list[int], people: list[int], now: dt.datetime) -> dict[str, list[tuple]]:
    """Rows per table; offer ids start at 1 (a fresh database)."""
    today = now.date()
    offers, hours = [], []
    for index, shop in enumerate(shops):
        if index % 5 == 4:
            continue  # a fifth of the shops offer nothing
        for extra in range(1 + index % 2):
            kind = kinds[(index + extra) % len(kinds)]
            offers.append(
                (shop, kind, f"街坊便民服务{index}-{extra}：随时进店", "", today + dt.timedelta(days=30 + index % 300),
                 "active", index % 7, None, now, now)
            )  # fmt: skip
            for weekday in range(7 if index % 3 else 5):
                for opens, closes in PATTERNS[(index + extra) % len(PATTERNS)]:
                    hours.append((len(offers), weekday, opens, closes))
    needs = [
        (people[index % len(people)], NEED_KINDS[index % len(NEED_KINDS)], f"需要帮忙的事第{index}件",
         "周末上午，工具由工作站提供。", 1 + index % 10, "人", today + dt.timedelta(days=1 + index % 60),
         ("open", "open", "open", "open", "met", "closed")[index % 6], now - dt.timedelta(hours=index))
        for index in range(NEEDS)
    ]  # fmt: skip
    return {"offer": offers, "offer_hours": hours, "need": needs}


SHOPS = "SELECT id FROM shop WHERE status = 'open' ORDER BY id"
KINDS = "SELECT id FROM offer_kind ORDER BY sort_order, id"
PEOPLE = "SELECT id FROM person ORDER BY id LIMIT 200"


def seed_sqlite(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path, timeout=30)
    try:
        shops, kinds, people = ([row[0] for row in connection.execute(sql)] for sql in (SHOPS, KINDS, PEOPLE))
        rows = plan(shops, kinds, people, dt.datetime.now(dt.UTC))
        with connection:
            for table, items in rows.items():
                # Piccolo keeps SQLite timestamps and dates as their str().
                values = [tuple(str(v) if isinstance(v, dt.date) else v for v in item) for item in items]
                connection.executemany(_insert_sql(table, COLUMNS[table], "?"), values)
    finally:
        connection.close()
    return {table: len(rows[table]) for table in ("offer", "need")}


async def seed_postgres(database_url: str) -> dict[str, int]:
    import asyncpg

    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        # A list, not a generator: a generator with await inside is an async generator, which cannot be unpacked.
        shops, kinds, people = [[row[0] for row in await connection.fetch(sql)] for sql in (SHOPS, KINDS, PEOPLE)]
        rows = plan(shops, kinds, people, dt.datetime.now(dt.UTC))
        async with connection.transaction():
            for table, items in rows.items():
                await connection.executemany(_insert_sql(table, COLUMNS[table], "${n}"), items)
    finally:
        await connection.close()
    return {table: len(rows[table]) for table in ("offer", "need")}


def seed(database_url: str) -> dict[str, int]:
    """The offers and needs of a benchmark database (BLOCK_DATABASE_URL style); returns how many of each."""
    if database_url.startswith(("postgresql://", "postgres://")):
        return asyncio.run(seed_postgres(database_url))
    from block_service.settings import sqlite_file

    return seed_sqlite(sqlite_file(database_url))
