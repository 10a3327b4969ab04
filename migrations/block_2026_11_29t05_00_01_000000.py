from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

ID = "2026-11-29T05:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "inbox_entry: indexes, trigger, every notification and account notice copied in; old tables dropped"

# What this migration does to an existing database (every entry is kept, read or not):
# 1. inbox_entry gets its indexes ("my entries newest first", "my unread count", "entries naming an actor")
#    and, on PostgreSQL, the block_changed trigger every table has (see 2026-11-28T03:10:00).
# 2. Every notification row becomes a "thread" entry under the same id; every account_notice row an
#    "account" entry (object: the person) under its id plus the highest notification id, so no two collide.
#    Rows without a person or a thread (never written by the service) have nobody to show them to and go.
# 3. notification and account_notice are dropped (Piccolo drops tables after the raw steps): nothing reads
#    them any more, and an empty table left behind would be one more place erasure and export must know about.
INDEXES = [
    "CREATE INDEX IF NOT EXISTS inbox_entry_person_newest ON inbox_entry (person, created_at, id)",
    "CREATE INDEX IF NOT EXISTS inbox_entry_person_unread ON inbox_entry (person) WHERE read_at IS NULL",
    "CREATE INDEX IF NOT EXISTS inbox_entry_actor ON inbox_entry (actor) WHERE actor IS NOT NULL",
]
PG_TRIGGER = [
    "DROP TRIGGER IF EXISTS block_changed ON inbox_entry",
    "CREATE TRIGGER block_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON inbox_entry "
    "FOR EACH STATEMENT EXECUTE FUNCTION block_notify_changed()",
]
COLUMNS = "id, person, kind, object_id, event, actor_name, actor_alias, actor, detail, created_at, read_at"
COPY_NOTIFICATIONS = (
    f"INSERT INTO inbox_entry ({COLUMNS}) "
    "SELECT id, person, 'thread', thread, event, actor_name, actor_alias, NULL, detail, created_at, read_at "
    "FROM notification WHERE person IS NOT NULL AND thread IS NOT NULL"
)
COPY_ACCOUNT_NOTICES = (
    f"INSERT INTO inbox_entry ({COLUMNS}) "
    "SELECT id + {}, person, 'account', person, event, '', '', NULL, detail, created_at, read_at "
    "FROM account_notice WHERE person IS NOT NULL"
)
PG_SEQUENCE = (
    "SELECT setval(pg_get_serial_sequence('inbox_entry', 'id'), "
    "(SELECT COALESCE(MAX(id), 0) + 1 FROM inbox_entry), false)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        postgres = isinstance(engine, PostgresEngine)
        for statement in INDEXES + (PG_TRIGGER if postgres else []):
            await engine.run_ddl(statement)
        highest = await engine.run_querystring(QueryString("SELECT COALESCE(MAX(id), 0) AS n FROM notification"))
        await engine.run_querystring(QueryString(COPY_NOTIFICATIONS))
        await engine.run_querystring(QueryString(COPY_ACCOUNT_NOTICES, highest[0]["n"]))
        if postgres:
            await engine.run_querystring(QueryString(PG_SEQUENCE))

    manager.add_raw(run)
    manager.drop_table(class_name="AccountNotice", tablename="account_notice", schema=None)
    manager.drop_table(class_name="Notification", tablename="notification", schema=None)
    return manager
