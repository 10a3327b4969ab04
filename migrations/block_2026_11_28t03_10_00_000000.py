from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-28T03:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "PostgreSQL: every committed write notifies block_changed"

# The shared page cache (block_service/web/shared_pages.py) must forget its pages when anything is written,
# by any process. NOTIFY is sent at commit, once per transaction and channel, so a statement-level trigger
# on every table is enough. SQLite needs nothing: PRAGMA data_version tells the same. A table created by a
# later migration needs the same trigger (tests/test_shared_pages.py checks that every table has it).
FUNCTION = """
CREATE OR REPLACE FUNCTION block_notify_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('block_changed', '');
    RETURN NULL;
END;
$$
"""
TRIGGERS = """
DO $$
DECLARE name text;
BEGIN
    FOR name IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'migration'
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS block_changed ON %I', name);
        EXECUTE format('CREATE TRIGGER block_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION block_notify_changed()', name);
    END LOOP;
END;
$$
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        if isinstance(engine, PostgresEngine):
            await engine.run_ddl(FUNCTION)
            await engine.run_ddl(TRIGGERS)

    manager.add_raw(run)
    return manager
