import datetime as dt
import secrets
from zoneinfo import ZoneInfo

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

ID = "2026-11-29T01:18:12:000000"
VERSION = "1.38.0"
DESCRIPTION = "secret ballots: approvals under random keys, tallies at the close, ballot audit rows without shop"

# What this migration does to an existing database (every row is kept):
# 1. SQLite: council_approval (empty, made by the previous migration) becomes a WITHOUT ROWID table, so its
#    rows are stored in the order of their random keys and no rowid tells the order they were written in.
#    PostgreSQL: the table gets the block_changed trigger every table has.
# 2. Each candidate's counted or running tally becomes that many approval rows under random keys (inserted
#    in key order), so the count at the close reads the same numbers. Elections still in voting have their
#    tallies set back to zero: they are counted from the approvals when voting closes.
# 3. The audit rows of ballots lose what linked them to a shop: the actor, the shop and the time of day
#    (kept: the election and the day in the block's calendar, as new ballot rows have it).
# PostgreSQL keeps the old row versions until VACUUM (autovacuum runs within minutes); SQLite overwrites
# what it frees during this migration (secure_delete).
SQLITE_TABLE = (
    'CREATE TABLE "council_approval" ("id" VARCHAR(32) PRIMARY KEY NOT NULL, '
    '"election" INTEGER REFERENCES "council_election" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, '
    '"nomination" INTEGER REFERENCES "council_nomination" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null'
    ") WITHOUT ROWID"
)
SQLITE_INDEXES = [
    'CREATE INDEX IF NOT EXISTS council_approval_election ON "council_approval" ("election")',
    'CREATE INDEX IF NOT EXISTS council_approval_nomination ON "council_approval" ("nomination")',
]
PG_TRIGGER = [
    "DROP TRIGGER IF EXISTS block_changed ON council_approval",
    "CREATE TRIGGER block_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON council_approval "
    "FOR EACH STATEMENT EXECUTE FUNCTION block_notify_changed()",
]
BLOCK_TIMEZONE = ZoneInfo("Asia/Shanghai")
BATCH = 300


def _block_day_start(moment) -> dt.datetime:
    """Midnight of the block's calendar day (the same rule as council.services.ballot_audit_time)."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(BLOCK_TIMEZONE)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        postgres = isinstance(engine, PostgresEngine)

        async def query(sql: str, *values):
            return await engine.run_querystring(QueryString(sql, *values))

        if postgres:
            for statement in PG_TRIGGER:
                await engine.run_ddl(statement)
        else:
            await engine.run_ddl('DROP TABLE IF EXISTS "council_approval"')
            await engine.run_ddl(SQLITE_TABLE)
            for statement in SQLITE_INDEXES:
                await engine.run_ddl(statement)
            await engine.run_ddl("PRAGMA secure_delete = ON")

        tallies = await query("SELECT election, nomination, votes FROM council_tally WHERE votes > 0")
        approvals = sorted((secrets.token_hex(16), row["election"], row["nomination"])
                           for row in tallies for _ in range(row["votes"]))
        for start in range(0, len(approvals), BATCH):
            chunk = approvals[start:start + BATCH]
            marks = ", ".join("({}, {}, {})" for _ in chunk)
            await query(f'INSERT INTO council_approval ("id", election, nomination) VALUES {marks}',
                        *[value for row in chunk for value in row])
        await query("UPDATE council_tally SET votes = 0 "
                    "WHERE election IN (SELECT id FROM council_election WHERE phase = 'voting')")

        ballots = await query('SELECT id, "at" FROM audit_entry WHERE action = {}', "election.ballot_cast")
        for row in ballots:
            await query('UPDATE audit_entry SET actor = NULL, "before" = {}, "after" = {}, "at" = {} WHERE id = {}',
                        "", "", _block_day_start(row["at"]), row["id"])
        if not postgres:
            await engine.run_ddl("PRAGMA secure_delete = OFF")

    manager.add_raw(run)
    return manager
