"""Fills a migrated database with a block of a given size in seconds: bulk SQL, one shared password hash.

Run `block-service migrate` first (it makes the schema and the reference data: segments, industries).
Every person is a resident; the first few people are also the merchants of the shops (one per shop,
reused round-robin when there are fewer people than shops). With `election=True` (bench/run.py),
council term 1 has an election in its voting phase with up to 12 accepted candidates (the merchants
of the first shops), so the election page has something to show. Everybody has accepted the privacy
notice in force. Only columns the benchmark needs are written; everything else keeps its column
default, so later migrations that add columns still work.

    python bench/seed_bulk.py --database-url sqlite:///var/bench.db --shops 500 --people 5000
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "bench-password-2026"
FIRST_NUMBER, LAST_NUMBER = 1001, 1299
OWNERS = [
    "老张",
    "凌岩",
    "东明",
    "好邻居",
    "川味",
    "花语",
    "巧手",
    "阿芳",
    "小林",
    "金桥",
    "上南",
    "浦东",
    "三林",
    "阿强",
]
KINDS = [
    "生煎",
    "水果店",
    "便利店",
    "理发店",
    "小面馆",
    "社区药房",
    "花店",
    "裁缝铺",
    "托管班",
    "电动车行",
    "早餐铺",
    "生鲜超市",
    "馄饨店",
    "五金店",
    "洗衣店",
    "茶饮",
    "烘焙坊",
    "书店",
]
HOURS = ["07:00–21:00", "08:00–22:00", "09:00–20:00", "06:30–13:30", "10:00–23:00"]


@dataclass(frozen=True)
class Block:
    """The rows to insert, computed once so both engines get the same data."""

    people: list[tuple]
    roles: list[tuple]
    shops: list[tuple]
    merchants: list[tuple]
    threads: list[tuple]
    messages: list[tuple]
    terms: list[tuple]
    elections: list[tuple]
    nominations: list[tuple]
    proposals: list[tuple] = dataclasses.field(default_factory=list)
    proposal_threads: list[tuple] = dataclasses.field(default_factory=list)
    supports: list[tuple] = dataclasses.field(default_factory=list)


PERSON_COLUMNS = (
    "id",
    "display_name",
    "phone",
    "password_hash",
    "language",
    "is_active",
    "session_version",
    "created_at",
    "privacy_version",
    "privacy_accepted_at",
)
ROLE_COLUMNS = ("person", "role", "granted_at")
SHOP_COLUMNS = (
    "id",
    "name",
    "house_number",
    "street_number",
    "segment",
    "industry",
    "licence_number",
    "phone",
    "opening_hours",
    "description",
    "status",
    "created_at",
)
MERCHANT_COLUMNS = ("shop", "person", "since")
THREAD_COLUMNS = (
    "id",
    "kind",
    "title",
    "body",
    "category",
    "house_number",
    "street_number",
    "segment",
    "shop",
    "author",
    "anonymous",
    "name_to_shop",
    "status",
    "visibility",
    "hidden",
    "metoo_count",
    "message_count",
    "created_at",
    "last_activity_at",
    "due_at",
)
MESSAGE_COLUMNS = ("thread", "author", "kind", "body", "official", "created_at")
TERM_COLUMNS = ("id", "number", "starts_on", "ends_on", "seats", "created_at")
ELECTION_COLUMNS = (
    "id",
    "term",
    "phase",
    "nomination_starts_on",
    "nomination_ends_on",
    "voting_starts_on",
    "voting_ends_on",
    "created_at",
    "voting_opened_at",
)
PROPOSAL_COLUMNS = (
    "id",
    "plan",
    "author",
    "title",
    "body",
    "house_number",
    "street_number",
    "segment",
    "size",
    "status",
    "support_count",
    "shop_count",
    "created_at",
    "submitted_at",
    "changed_at",
)
PROPOSAL_THREAD_COLUMNS = ("proposal", "thread", "linked_at")
SUPPORT_COLUMNS = ("proposal", "person", "created_at")
PROPOSAL_STATUSES = [
    "submitted",
    "deliberation",
    "submitted",
    "declined",
    "on_agenda",
    "passed",
    "rejected",
    "withdrawn",
]
# Proposal 1 (the newest) is the busy one: this many supports and five linked threads.
BUSY_PROPOSAL_SUPPORTS = 40
NOMINATION_COLUMNS = ("election", "nominee", "shop", "statement", "status", "created_at", "accepted_at")
# The election the benchmark opens (/elections/1): voting, with this many accepted candidates at most.
ELECTION_CANDIDATES = 12
PROBLEMS = [
    ("占道", "门口纸箱和货架占了人行道"),
    ("油烟", "晚饭时间油烟飘进居民窗户"),
    ("噪音", "夜里卸货推车声音很大"),
    ("垃圾", "垃圾桶满了没人清运"),
    ("停车", "共享单车堆在盲道上"),
    ("门前三包", "门前积水和烂菜叶没清理"),
    ("安全", "电线垂下来很危险"),
]
STATUSES = ["new", "acknowledged", "in_progress", "resolved", "closed", "closed", "closed", "reopened"]
# The thread the benchmark opens as "a thread page with 20 answers".
BUSY_THREAD_ANSWERS = 20


def password_hash() -> str:
    """One argon2 hash for everybody: hashing 5,000 passwords would take minutes."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(PASSWORD)


def person_name(person_id: int) -> str:
    """Every seeded person's display name (their mobile is 139 and the id in eight digits)."""
    return f"居民{person_id}"


def segment_of(number: int, segments: list[tuple[int, int, int]]) -> int:
    for segment_id, first, last in segments:
        if first <= number <= last:
            return segment_id
    raise ValueError(f"no segment holds house number {number}; run `block-service migrate` first")


def plan_block(
    shop_count: int,
    people_count: int,
    segments: list[tuple[int, int, int]],
    industries: list[int],
    now: dt.datetime,
    thread_count: int = 0,
    categories: list[int] | None = None,
    election: bool = False,
    plans: list[int] | None = None,
) -> Block:
    if people_count < 1:
        raise ValueError("a block with shops needs at least one person")
    if not segments or not industries:
        raise ValueError("no segments or industries: run `block-service migrate` first")
    from block_service.accounts.notice import NOTICE_VERSION  # everybody has accepted the notice in force

    hashed = password_hash()
    people, roles = [], []
    for person_id in range(1, people_count + 1):
        created = now - dt.timedelta(minutes=people_count - person_id)
        name, mobile = person_name(person_id), f"139{person_id:08d}"
        people.append((person_id, name, mobile, hashed, "zh-Hans", True, 1, created, NOTICE_VERSION, created))
        roles.append((person_id, "resident", created))
    span = LAST_NUMBER - FIRST_NUMBER + 1
    shops, merchants, merchant_ids = [], [], set()
    for shop_id in range(1, shop_count + 1):
        index = shop_id - 1
        number = FIRST_NUMBER + (index * 37) % span  # spread along the whole road, every number used
        lane = index // span
        house_number = f"{number}号" if lane == 0 else f"{number}弄{lane}号"
        name = f"{OWNERS[index % len(OWNERS)]}{KINDS[(index // len(OWNERS)) % len(KINDS)]}"
        if index >= len(OWNERS) * len(KINDS):
            name += f"{index // (len(OWNERS) * len(KINDS)) + 1}店"
        created = now - dt.timedelta(hours=shop_count - shop_id)
        description = f"凌岩南路{house_number}的{name}，欢迎街坊邻居光临。"
        shops.append(
            (
                shop_id,
                name,
                house_number,
                number,
                segment_of(number, segments),
                industries[index % len(industries)],
                f"91310115MA{shop_id:08X}",
                f"021-58{shop_id % 1_000_000:06d}",
                HOURS[index % len(HOURS)],
                description,
                "closed" if shop_id % 25 == 0 else "open",
                created,
            )
        )
        merchant = (index % people_count) + 1
        merchants.append((shop_id, merchant, created))
        merchant_ids.add(merchant)
    roles.extend((person_id, "merchant", now) for person_id in sorted(merchant_ids))
    threads, messages = plan_threads(thread_count, people_count, shops, segments, categories or [], now)
    terms, elections, nominations = plan_council(merchants, now) if election else ([], [], [])
    proposals, proposal_threads, supports = plan_proposals(len(threads) // 10, people_count, threads, plans or [], now)
    return Block(
        people=people,
        roles=roles,
        shops=shops,
        merchants=merchants,
        threads=threads,
        messages=messages,
        terms=terms,
        elections=elections,
        nominations=nominations,
        proposals=proposals,
        proposal_threads=proposal_threads,
        supports=supports,
    )


def plan_proposals(
    count: int, people_count: int, threads: list[tuple], plans: list[int], now: dt.datetime
) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """A proposal for every ten threads, under the six plans, each gathering its threads and a few supports."""
    if not count or not plans:
        return [], [], []
    proposals, links, supports = [], [], []
    for proposal_id in range(1, count + 1):
        index = proposal_id - 1
        thread = threads[index * 10]
        created = now - dt.timedelta(hours=3 * index + 1)
        backers = BUSY_PROPOSAL_SUPPORTS if proposal_id == 1 else index % 6
        status = "submitted" if proposal_id == 1 else PROPOSAL_STATUSES[index % len(PROPOSAL_STATUSES)]
        proposals.append(
            (
                proposal_id,
                plans[index % len(plans)],
                thread[9],
                f"提案：{thread[2]}"[:80],
                f"针对“{thread[2]}”，建议由相关商户和工作站一起处理，并定期回访。",
                thread[5],
                thread[6],
                thread[7],
                ("large", "small", "mini")[index % 3],
                status,
                backers,
                0,
                created,
                created,
                created,
            )
        )
        for offset in range(5 if proposal_id == 1 else 1):
            links.append((proposal_id, threads[index * 10 + offset][0], created))
        for backer in range(backers):
            supports.append((proposal_id, (index * 11 + backer * 7) % people_count + 1, created))
    return proposals, links, list(dict.fromkeys((p, person, at) for p, person, at in supports))


def plan_council(merchants: list[tuple], now: dt.datetime) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Term 1 (five seats) and its election in the voting phase; the first shops' merchants stand for them."""
    if not merchants:
        return [], [], []
    today = now.date()
    terms = [(1, 1, today - dt.timedelta(days=30), today + dt.timedelta(days=700), 5, now)]
    elections = [
        (
            1,
            1,
            "voting",
            today - dt.timedelta(days=20),
            today - dt.timedelta(days=6),
            today - dt.timedelta(days=1),
            today + dt.timedelta(days=6),
            now - dt.timedelta(days=21),
            now - dt.timedelta(days=1),
        )
    ]
    nominations, standing = [], set()
    for shop, person, _since in merchants:
        if len(nominations) == ELECTION_CANDIDATES:
            break
        if person in standing:  # one live nomination per person
            continue
        standing.add(person)
        nominations.append(
            (
                1,
                person,
                shop,
                f"第{shop}号店的店主，愿意为街区出力。",
                "accepted",
                now - dt.timedelta(days=15),
                now - dt.timedelta(days=14),
            )
        )
    return terms, elections, nominations


def plan_threads(
    count: int,
    people_count: int,
    shops: list[tuple],
    segments: list[tuple[int, int, int]],
    categories: list[int],
    now: dt.datetime,
) -> tuple[list[tuple], list[tuple]]:
    """Reports spread over the past year; thread 1 is the newest and has 20 answers."""
    if count and not categories:
        raise ValueError("no thread categories: run `block-service migrate` first")
    threads, messages = [], []
    span = LAST_NUMBER - FIRST_NUMBER + 1
    for thread_id in range(1, count + 1):
        index = thread_id - 1
        word, text = PROBLEMS[index % len(PROBLEMS)]
        number = FIRST_NUMBER + (index * 53) % span
        shop = shops[index % len(shops)] if shops and index % 3 == 0 else None
        house_number = shop[2] if shop else f"{number}号"
        street_number = shop[3] if shop else number
        created = now - dt.timedelta(minutes=7 * index + 1)
        status = "new" if thread_id == 1 else STATUSES[index % len(STATUSES)]
        answers = BUSY_THREAD_ANSWERS if thread_id == 1 else index % 4
        threads.append(
            (
                thread_id,
                "report",
                f"{word}：{house_number}{text}"[:80],
                f"{text}，已经持续好几天了，希望尽快处理。",
                categories[index % len(categories)],
                house_number,
                street_number,
                segment_of(street_number, segments),
                shop[0] if shop else None,
                (index * 7) % people_count + 1,
                index % 5 == 0,
                False,
                status,
                "public",
                False,
                index % 6,
                answers,
                created,
                created + dt.timedelta(minutes=answers * 5),
                created + dt.timedelta(hours=24),
            )
        )
        for answer in range(answers):
            messages.append(
                (
                    thread_id,
                    (index + answer * 13) % people_count + 1,
                    "answer",
                    f"第{answer + 1}条回复：我也注意到了，{text}。",
                    answer % 3 == 0,
                    created + dt.timedelta(minutes=5 * (answer + 1)),
                )
            )
    return threads, messages


def _insert_sql(table: str, columns: tuple[str, ...], placeholder: str) -> str:
    names = ", ".join(f'"{column}"' for column in columns)
    marks = ", ".join(placeholder.format(n=n) for n in range(1, len(columns) + 1))
    return f'INSERT INTO "{table}" ({names}) VALUES ({marks})'


def seed_sqlite(
    path: Path, shop_count: int, people_count: int, thread_count: int = 0, election: bool = False
) -> dict[str, int]:
    connection = sqlite3.connect(path, timeout=30)
    try:
        segments = connection.execute("SELECT id, first_number, last_number FROM segment").fetchall()
        industries = [row[0] for row in connection.execute("SELECT id FROM industry ORDER BY sort_order, id")]
        if connection.execute("SELECT count(*) FROM person").fetchone()[0]:
            raise ValueError(f"{path} has people already: seed a fresh database")
        # Piccolo keeps SQLite timestamps as str(datetime) ('2026-11-27 23:27:38+00:00'), booleans as 0/1.
        now = dt.datetime.now(dt.UTC)
        categories = [
            row[0]
            for row in connection.execute("SELECT id FROM category WHERE kind = 'report' ORDER BY sort_order, id")
        ]
        plans = [row[0] for row in connection.execute("SELECT id FROM plan ORDER BY sort_order, id")]
        block = plan_block(
            shop_count, people_count, segments, industries, now, thread_count, categories, election, plans
        )

        def rows(items: list[tuple]) -> list[tuple]:
            return [
                tuple(str(v) if isinstance(v, dt.date) else int(v) if isinstance(v, bool) else v for v in item)
                for item in items
            ]

        with connection:
            connection.executemany(_insert_sql("person", PERSON_COLUMNS, "?"), rows(block.people))
            connection.executemany(_insert_sql("role_grant", ROLE_COLUMNS, "?"), rows(block.roles))
            connection.executemany(_insert_sql("shop", SHOP_COLUMNS, "?"), rows(block.shops))
            connection.executemany(_insert_sql("shop_merchant", MERCHANT_COLUMNS, "?"), rows(block.merchants))
            connection.executemany(_insert_sql("thread", THREAD_COLUMNS, "?"), rows(block.threads))
            connection.executemany(_insert_sql("message", MESSAGE_COLUMNS, "?"), rows(block.messages))
            connection.executemany(_insert_sql("council_term", TERM_COLUMNS, "?"), rows(block.terms))
            connection.executemany(_insert_sql("council_election", ELECTION_COLUMNS, "?"), rows(block.elections))
            connection.executemany(_insert_sql("council_nomination", NOMINATION_COLUMNS, "?"), rows(block.nominations))
            connection.executemany(_insert_sql("proposal", PROPOSAL_COLUMNS, "?"), rows(block.proposals))
            connection.executemany(
                _insert_sql("proposal_thread", PROPOSAL_THREAD_COLUMNS, "?"), rows(block.proposal_threads)
            )
            connection.executemany(_insert_sql("proposal_support", SUPPORT_COLUMNS, "?"), rows(block.supports))
        connection.execute("ANALYZE")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return _counts(block)


def _counts(block: Block) -> dict[str, int]:
    return {
        "person": len(block.people),
        "role_grant": len(block.roles),
        "shop": len(block.shops),
        "shop_merchant": len(block.merchants),
        "thread": len(block.threads),
        "message": len(block.messages),
        "council_election": len(block.elections),
        "council_nomination": len(block.nominations),
        "proposal": len(block.proposals),
        "proposal_support": len(block.supports),
    }


async def seed_postgres(
    database_url: str, shop_count: int, people_count: int, thread_count: int = 0, election: bool = False
) -> dict[str, int]:
    import asyncpg

    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        segment_rows = await connection.fetch("SELECT id, first_number, last_number FROM segment")
        segments = [tuple(row) for row in segment_rows]
        industry_rows = await connection.fetch("SELECT id FROM industry ORDER BY sort_order, id")
        industries = [row["id"] for row in industry_rows]
        if await connection.fetchval("SELECT count(*) FROM person"):
            raise ValueError("the database has people already: seed a fresh database")
        category_rows = await connection.fetch("SELECT id FROM category WHERE kind = 'report' ORDER BY sort_order, id")
        block = plan_block(
            shop_count,
            people_count,
            segments,
            industries,
            dt.datetime.now(dt.UTC),
            thread_count,
            [row["id"] for row in category_rows],
            election,
            [row["id"] for row in await connection.fetch("SELECT id FROM plan ORDER BY sort_order, id")],
        )
        async with connection.transaction():
            # COPY is the fastest way in; ids are given, so the sequences are moved past them after.
            await connection.copy_records_to_table("person", records=block.people, columns=PERSON_COLUMNS)
            await connection.copy_records_to_table("role_grant", records=block.roles, columns=ROLE_COLUMNS)
            await connection.copy_records_to_table("shop", records=block.shops, columns=SHOP_COLUMNS)
            await connection.copy_records_to_table("shop_merchant", records=block.merchants, columns=MERCHANT_COLUMNS)
            await connection.copy_records_to_table("thread", records=block.threads, columns=THREAD_COLUMNS)
            await connection.copy_records_to_table("message", records=block.messages, columns=MESSAGE_COLUMNS)
            await connection.copy_records_to_table("council_term", records=block.terms, columns=TERM_COLUMNS)
            await connection.copy_records_to_table(
                "council_election", records=block.elections, columns=ELECTION_COLUMNS
            )
            await connection.copy_records_to_table(
                "council_nomination", records=block.nominations, columns=NOMINATION_COLUMNS
            )
            await connection.copy_records_to_table("proposal", records=block.proposals, columns=PROPOSAL_COLUMNS)
            await connection.copy_records_to_table(
                "proposal_thread", records=block.proposal_threads, columns=PROPOSAL_THREAD_COLUMNS
            )
            await connection.copy_records_to_table("proposal_support", records=block.supports, columns=SUPPORT_COLUMNS)
            for table in ("person", "shop", "thread", "message", "council_term", "council_election", "proposal"):
                if (table.startswith("council") and not block.elections) or (
                    table == "proposal" and not block.proposals
                ):
                    continue
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return _counts(block)


def seed(
    database_url: str, shop_count: int, people_count: int, thread_count: int = 0, election: bool = False
) -> dict[str, int]:
    """Seed the database of BLOCK_DATABASE_URL-style `database_url`; returns the rows written per table."""
    if database_url.startswith(("postgresql://", "postgres://")):
        return asyncio.run(seed_postgres(database_url, shop_count, people_count, thread_count, election))
    if not database_url.startswith("sqlite:///"):
        raise ValueError(f"not a sqlite:/// or postgresql:// URL: {database_url}")
    # A relative path is taken from the project root, as the app does.
    from block_service.settings import sqlite_file

    return seed_sqlite(sqlite_file(database_url), shop_count, people_count, thread_count, election)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="sqlite:///path or postgresql://… (migrated)")
    parser.add_argument("--shops", type=int, default=500)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=10000)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = seed(args.database_url, args.shops, args.people, args.threads)
    print(f"seeded {counts} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
