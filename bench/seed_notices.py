"""Notices for the benchmark (after bench/seed_bulk.py): 50 notices from the workstation to every open shop,
half asking for an acknowledgement, with their audience, their merchants and an inbox entry for each, so a
merchant's /inbox and /notices show what a busy year of notices gives (50 notices, unread and read)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

from seed_bulk import _insert_sql  # beside this file, as bench/run.py imports its neighbours

NOTICES = 50
NOTICE = (
    "title",
    "body",
    "audience_kind",
    "audience_label",
    "ack_required",
    "published_by",
    "published_at",
    "shop_count",
)
AUDIENCE = ("notice", "shop")
RECIPIENT = ("notice", "shop", "person")
READ = ("notice", "person", "read_at")
ENTRY = ("person", "kind", "object_id", "event", "actor_name", "actor_alias", "detail", "created_at")
SHOPS = "SELECT s.id, m.person FROM shop s JOIN shop_merchant m ON m.shop = s.id WHERE s.status = 'open' ORDER BY s.id"
STAFF = "SELECT person FROM role_grant WHERE role = 'staff' ORDER BY id LIMIT 1"


def plan(shops: list[tuple[int, int]], staff: int, now: dt.datetime) -> dict[str, list[tuple]]:
    """Rows per table from (shop, merchant) pairs; notice ids start at 1. Every merchant has read the older
    half of the notices."""
    shop_ids = sorted({shop for shop, _person in shops})
    notices, audience, recipients, reads, entries = [], [], [], [], []
    for number in range(1, NOTICES + 1):
        published = now - dt.timedelta(days=NOTICES - number)
        notices.append(
            (f"工作站通知第{number}号", "各位商户：\n\n请关注本周的街区安排。", "all", "", number % 2 == 0, staff,
             published, len(shop_ids))
        )  # fmt: skip
        audience += [(number, shop) for shop in shop_ids]
        for shop, person in shops:
            recipients.append((number, shop, person))
            entries.append((person, "notice", number, "published", "工作站", "", "", published))
            if number <= NOTICES // 2:
                reads.append((number, person, published + dt.timedelta(hours=2)))
    return {
        "notice": notices,
        "notice_audience": audience,
        "notice_recipient": recipients,
        "notice_read": sorted(set(reads)),
        "inbox_entry": entries,
    }


COLUMNS = {
    "notice": NOTICE,
    "notice_audience": AUDIENCE,
    "notice_recipient": RECIPIENT,
    "notice_read": READ,
    "inbox_entry": ENTRY,
}


def seed_sqlite(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path, timeout=30)
    try:
        staff = (connection.execute(STAFF).fetchone() or (1,))[0]
        rows = plan(connection.execute(SHOPS).fetchall(), staff, dt.datetime.now(dt.UTC))
        with connection:
            for table, items in rows.items():
                values = [tuple(str(v) if isinstance(v, dt.datetime) else v for v in item) for item in items]
                connection.executemany(_insert_sql(table, COLUMNS[table], "?"), values)
    finally:
        connection.close()
    return {"notice": NOTICES, "notice_recipient": len(rows["notice_recipient"])}


async def seed_postgres(database_url: str) -> dict[str, int]:
    import asyncpg

    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        staff = (await connection.fetchval(STAFF)) or 1
        shops = [tuple(row) for row in await connection.fetch(SHOPS)]
        rows = plan(shops, staff, dt.datetime.now(dt.UTC))
        async with connection.transaction():
            for table, items in rows.items():
                await connection.executemany(_insert_sql(table, COLUMNS[table], "${n}"), items)
    finally:
        await connection.close()
    return {"notice": NOTICES, "notice_recipient": len(rows["notice_recipient"])}


def seed(database_url: str) -> dict[str, int]:
    """The notices of a benchmark database (BLOCK_DATABASE_URL style); returns how many notices and recipients."""
    if database_url.startswith(("postgresql://", "postgres://")):
        return asyncio.run(seed_postgres(database_url))
    from block_service.settings import sqlite_file

    return seed_sqlite(sqlite_file(database_url))
