from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-29T09:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "Every table tells of its changes: the projects' tables (and any other created without it) get the "
    "block_changed trigger, so pages kept by the workers are not served past a write on PostgreSQL"
)

MISSING = (
    "SELECT tablename FROM pg_tables t WHERE schemaname = current_schema() AND tablename <> 'migration' "
    "AND NOT EXISTS (SELECT 1 FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
    "WHERE c.relname = t.tablename AND g.tgname = 'block_changed')"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        if not isinstance(engine, PostgresEngine):
            return  # SQLite: PRAGMA data_version sees every commit
        for row in await engine.run_ddl(MISSING):
            table = row["tablename"]
            await engine.run_ddl(
                f'CREATE TRIGGER block_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION block_notify_changed()"
            )

    manager.add_raw(run)
    return manager
