"""Ballot secrecy against whoever holds the database: after the count, no stored row links a shop to its choices;
and a database filled before this promise upgrades with every row kept."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import sqlite3
import uuid
from pathlib import Path

import msgspec
import pytest
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.querystring import QueryString

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.council import ballots
from block_service.council.schemas import BallotForm
from block_service.council.tables import Approval, ShopVoted, Tally
from block_service.db import close_database, engine, is_sqlite, open_database
from tests import conftest
from tests.council_helpers import make_election, make_term, merchant, shop_of, staff_viewer, stand
from tests.helpers import text_of
from tests.test_council_routes import _fresh_database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
FIRST_SECRET_BALLOT_MIGRATION = "2026-11-29T01:18:07:096878"


async def _query(sql: str, *values) -> list[dict]:
    return [dict(row) for row in await engine().run_querystring(QueryString(sql, *values))]


async def _keys_in_storage_order() -> list[str]:
    """The approvals' keys in the order the table itself stores its rows (a table scan, no index)."""
    if is_sqlite():
        return [row["id"] for row in await _query("SELECT * FROM council_approval NOT INDEXED")]
    return [row["id"] for row in await _query("SELECT id FROM council_approval ORDER BY ctid")]


async def _table_names() -> list[str]:
    if is_sqlite():
        rows = await _query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return sorted(row["name"] for row in rows)
    rows = await _query("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(row["name"] for row in rows)


# Values that differ between two runs of the same story whatever the ballots say: times, password hashes
# (argon2 salts), random tokens and staff authenticator secrets (base32). The approvals' random key is left out
# by name.
RANDOM = re.compile(r"^(\$argon2.*|[0-9a-f]{32,}|[A-Z2-7]{32})$")
TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _stable(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return "<time>"
    if isinstance(value, str) and (RANDOM.match(value) or TIME.search(value)):
        return TIME.sub("<time>", value) if not RANDOM.match(value) else "<random>"
    return value


async def _raw_database() -> dict[str, list[tuple]]:
    """Every row of every table, as a copy of the database holds it (random keys of approvals left out)."""
    tables = {}
    for name in await _table_names():
        rows = await _query(f'SELECT * FROM "{name}"')
        kept = [
            tuple(
                sorted(
                    (column, _stable(value))
                    for column, value in row.items()
                    if not (name == "council_approval" and column == "id")
                )
            )
            for row in rows
        ]
        tables[name] = sorted(kept, key=repr)
    return tables


async def _count_after(first_choice: str, second_choice: str) -> tuple[dict[str, list[tuple]], dict]:
    """Chen's shop votes first, Zhao's second; then the election is closed and counted."""
    staff = await staff_viewer("staff@test.example")
    zhang = await merchant("张师傅", "1143号", "老张生煎", contact="13800000001")
    li = await merchant("李老板", "1021号", "凌岩水果店", contact="13800000002")
    chen = await merchant("陈经理", "1152号", "好邻居便利店", contact="13800000003")
    zhao = await merchant("赵老师", "1235号", "小书童托管班", contact="13800000004")
    election = await make_election(staff, await make_term(staff, seats=1))
    candidates = {"zhang": await stand(zhang, election), "li": await stand(li, election)}
    await ballots.open_voting(staff, election)
    for voter, choice in ((chen, first_choice), (zhao, second_choice)):
        await ballots.cast_ballot(voter, election, BallotForm(shop_id=shop_of(voter), candidates=[candidates[choice]]))
    await ballots.close_election(staff, election)
    return await _raw_database(), {"election": election, "candidates": candidates}


async def test_after_the_count_no_row_of_any_table_links_a_shop_to_its_choices(db, tmp_path):
    """Chen votes Zhang and Zhao votes Li, or the reverse: every table of the database, the audit log
    and the voter roll included, holds the same rows either way once the votes are counted."""
    first, story = await _count_after("zhang", "li")
    # Storage order carries nothing but the random key: the close wrote the approvals in key order, and on
    # PostgreSQL all of them in one transaction, none of a ballot's.
    keys = await _keys_in_storage_order()
    assert len(keys) == 2 and keys == sorted(keys)
    if is_sqlite():  # no rowid to tell the order rows were written in
        with pytest.raises(sqlite3.OperationalError, match="no such column: rowid"):
            await _query("SELECT rowid FROM council_approval")
    if not is_sqlite():
        approval_xids = {row["x"] for row in await _query("SELECT DISTINCT xmin::text AS x FROM council_approval")}
        roll_xids = {row["x"] for row in await _query("SELECT DISTINCT xmin::text AS x FROM council_shop_voted")}
        audit_xids = {
            row["x"]
            for row in await _query(
                "SELECT DISTINCT xmin::text AS x FROM audit_entry WHERE action = 'election.ballot_cast'"
            )
        }
        assert len(approval_xids) == 1 and len(roll_xids) == 2 and len(audit_xids) == 2
        assert not approval_xids & (roll_xids | audit_xids)
    # What the counted tallies say: one vote each.
    assert sorted(row["votes"] for row in await Tally.select(Tally.votes)) == [1, 1]
    await _fresh_database(tmp_path, "swapped.db")
    swapped, _ = await _count_after("li", "zhang")
    assert first.keys() == swapped.keys() and "council_approval" in first and "audit_entry" in first
    different = [name for name in first if first[name] != swapped[name]]
    assert not different, {name: (first[name], swapped[name]) for name in different}
    # The voter roll still says who voted, as the turnout needs.
    assert await ShopVoted.count().where(ShopVoted.election == story["election"]) == 2


# ---- upgrade of a database filled under the previous migrations -------------------------------------


def _previous_migration() -> str:
    ids = []
    for path in MIGRATIONS.glob("block_*.py"):
        match = re.search(r'^ID = "([^"]+)"', path.read_text(), re.M)
        if match:
            ids.append(match.group(1))
    return max(migration for migration in ids if migration < FIRST_SECRET_BALLOT_MIGRATION)


async def _migrate(to: str) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        result = await run_forwards(app_name="block", migration_id=to)
    assert result.success, result.message


@contextlib.asynccontextmanager
async def _empty_database(tmp_path):
    """A database with no schema at all, on the engine under test, in place of the test database."""
    database = engine()
    if conftest.ENGINE == "postgres":
        name = f"block_upgrade_{uuid.uuid4().hex[:8]}"
        await conftest._pg_admin(f'CREATE DATABASE "{name}"')
        saved = database.config
        database.config = {"dsn": f"{conftest.PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"}
        try:
            await open_database(2)
            yield
        finally:
            await close_database()
            database.config = saved
            await conftest._pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        saved = database.path
        database.path = str(tmp_path / "old.db")
        try:
            yield
        finally:
            await close_database()
            database.path = saved


OLD_ROWS = [
    # People: staff, four merchants; their shops; two terms with an election each.
    "INSERT INTO person (id, display_name, phone) VALUES (1, '工作站', '13800000000'), (2, '张师傅', '13800000001'), "
    "(3, '李老板', '13800000002'), (4, '陈经理', '13800000003'), (5, '赵老师', '13800000004')",
    "INSERT INTO shop (id, name, house_number, street_number, licence_number) VALUES "
    "(1, '老张生煎', '1143号', 1143, 'L1'), (2, '凌岩水果店', '1021号', 1021, 'L2'), "
    "(3, '好邻居便利店', '1152号', 1152, 'L3'), (4, '小书童托管班', '1235号', 1235, 'L4')",
    "INSERT INTO shop_merchant (shop, person) VALUES (1, 2), (2, 3), (3, 4), (4, 5)",
    "INSERT INTO council_term (id, number, starts_on, ends_on, seats) VALUES "
    "(1, 1, '2024-01-01', '2025-12-31', 1), (2, 2, '2026-01-01', '2099-12-31', 1)",
    (
        "INSERT INTO council_election (id, term, phase, results) VALUES (1, 1, 'closed', {}), (2, 2, 'voting', '')",
        '{"seats":1,"elected":[{"candidate_id":1,"votes":3,"segment_id":null,"reserved_segment_id":null}],'
        '"runners_up":[{"candidate_id":2,"votes":1,"segment_id":null,"reserved_segment_id":null}],"excluded":[]}',
    ),
    "INSERT INTO council_nomination (id, election, nominee, shop, nominated_by, status, accepted_at) VALUES "
    "(1, 1, 2, 1, 2, 'accepted', '2024-01-01 08:00:00+00:00'), "
    "(2, 1, 3, 2, 3, 'accepted', '2024-01-01 09:00:00+00:00'), "
    "(3, 2, 2, 1, 2, 'accepted', '2026-01-01 08:00:00+00:00'), "
    "(4, 2, 3, 2, 3, 'accepted', '2026-01-01 09:00:00+00:00')",
    # The old way: running tallies, the voter roll, and audit rows naming the shop and the person, to the second.
    "INSERT INTO council_tally (election, nomination, votes) VALUES (1, 1, 3), (1, 2, 1), (2, 3, 2), (2, 4, 1)",
    "INSERT INTO council_shop_voted (election, shop) VALUES (1, 1), (1, 3), (1, 4), (2, 3), (2, 4)",
    (
        'INSERT INTO audit_entry ("at", actor, action, object_type, object_id, "after") VALUES '
        "('2024-06-01 02:13:14+00:00', 2, 'election.ballot_cast', 'election', 1, {}), "
        "('2024-06-01 03:14:15+00:00', 4, 'election.ballot_cast', 'election', 1, {}), "
        "('2024-06-02 17:15:16+00:00', 5, 'election.ballot_cast', 'election', 1, {}), "
        "('2026-06-01 04:16:17+00:00', 4, 'election.ballot_cast', 'election', 2, {}), "
        "('2026-06-01 05:17:18+00:00', 5, 'election.ballot_cast', 'election', 2, {}), "
        "('2026-06-01 06:00:00+00:00', 1, 'election.voting_opened', 'election', 2, {})",
        '{"shop":1}',
        '{"shop":3}',
        '{"shop":4}',
        '{"shop":3}',
        '{"shop":4}',
        '{"phase":"voting"}',
    ),
]
KEPT_TABLES = [
    "person",
    "shop",
    "shop_merchant",
    "council_term",
    "council_election",
    "council_nomination",
    "council_tally",
    "council_shop_voted",
    "audit_entry",
]


async def _approvals_per_candidate() -> dict[tuple[int, int], int]:
    counts: dict[tuple[int, int], int] = {}
    for row in await Approval.select(Approval.election, Approval.nomination):
        key = (row["election"], row["nomination"])
        counts[key] = counts.get(key, 0) + 1
    return counts


async def test_a_database_filled_under_the_previous_migrations_upgrades_with_every_row_kept(_schema, tmp_path):
    from block_service.cache import forget

    forget("")
    async with _empty_database(tmp_path):
        await _migrate(_previous_migration())
        for statement in OLD_ROWS:
            await _query(*statement) if isinstance(statement, tuple) else await _query(statement)
        before = {name: (await _query(f'SELECT COUNT(*) AS n FROM "{name}"'))[0]["n"] for name in KEPT_TABLES}
        await _migrate("all")

        after = {name: (await _query(f'SELECT COUNT(*) AS n FROM "{name}"'))[0]["n"] for name in KEPT_TABLES}
        assert after == before
        # Every vote became an approval under a random key; the closed election keeps its counted tallies,
        # the one still voting waits for its close.
        assert await _approvals_per_candidate() == {(1, 1): 3, (1, 2): 1, (2, 3): 2, (2, 4): 1}
        tallies = {row["nomination"]: row["votes"] for row in await Tally.select(Tally.nomination, Tally.votes)}
        assert tallies == {1: 3, 2: 1, 3: 0, 4: 0}
        keys = await _keys_in_storage_order()
        assert keys == sorted(keys) and len(set(keys)) == 7
        # The ballots' audit rows keep their election and day, and lose the shop, the person and the time.
        rows = await _query(
            'SELECT actor, "before", "after", object_id, "at" FROM audit_entry '
            "WHERE action = 'election.ballot_cast' ORDER BY id"
        )
        assert [(row["actor"], row["before"], row["after"], row["object_id"]) for row in rows] == [
            (None, "", "", 1)
        ] * 3 + [(None, "", "", 2)] * 2
        days = [ballots.ballot_audit_time(_as_datetime(row["at"])) for row in rows]
        assert [_as_datetime(row["at"]) for row in rows] == days
        assert [day.astimezone(clock.BLOCK_TIMEZONE).date().isoformat() for day in days] == [
            "2024-06-01",
            "2024-06-01",
            "2024-06-03",
            "2026-06-01",
            "2026-06-01",
        ]
        other = await _query("SELECT actor, \"after\" FROM audit_entry WHERE action = 'election.voting_opened'")
        assert other == [{"actor": 1, "after": '{"phase":"voting"}'}]

        # The election still voting goes on under the new rules, and its count reads the old votes too.
        zhang = Viewer(person_id=2, roles=frozenset({"merchant"}), shop_ids=frozenset({1}))
        await ballots.cast_ballot(zhang, 2, BallotForm(shop_id=1, candidates=[3]))
        result = await ballots.close_election(Viewer(person_id=1, roles=frozenset({"staff"})), 2)
        assert [(p.candidate_id, p.votes) for p in result.elected + result.runners_up] == [(3, 3), (4, 1)]
        stored = msgspec.json.decode((await _query("SELECT turnout FROM council_election WHERE id = 2"))[0]["turnout"])
        assert stored["voted"] == 3
    forget("")


def _as_datetime(value) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def test_the_election_page_says_whom_voters_trust_for_their_secrecy_in_both_languages(db, browser_factory):
    staff = await staff_viewer()
    election = await make_election(staff, await make_term(staff, seats=5))
    chinese = text_of((await browser_factory("zh-Hans").get(f"/elections/{election}")).text)
    assert "谁能知道一家店铺投给了谁" in chinese
    assert "投票进行期间，一家店铺的名册记录和它的批准记录是同时写入的" in chinese
    assert "工作站的系统管理员、托管服务商" in chinese
    assert "计票之后制作的数据库备份或副本无法把任何店铺与其选择对应起来" in chinese
    assert "包括工作站）都无法" not in chinese
    english = text_of((await browser_factory("en").get(f"/elections/{election}")).text)
    assert "Who can learn how a shop voted" in english
    assert (
        "Whoever can read the database server's live files, or copies of the database made during voting "
        "(the workstation's system administrator, the hosting provider), could match a ballot to the shop that "
        "voted at that moment from the order of the writes."
    ) in english
    assert "A backup or copy of the database made after the count therefore links no shop to its choices." in english
    assert "Voters trust the workstation staff who run the service for a correct count" in english
    assert "not even the workstation" not in english
