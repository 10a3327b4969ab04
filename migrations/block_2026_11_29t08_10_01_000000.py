from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-29T08:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Pledges and funds: indexes by subject and by year; the tables notify block_changed"

# A raw step of its own: in the migration that creates the tables, Piccolo runs raw steps before it creates them.
INDEXES = (
    "CREATE INDEX IF NOT EXISTS pledge_goal_subject ON pledge_goal (subject_kind, subject_id)",
    "CREATE INDEX IF NOT EXISTS pledge_subject ON pledge (subject_kind, subject_id, created_at)",
    "CREATE INDEX IF NOT EXISTS fund_entry_year_newest ON fund_entry (year, recorded_at, id)",
)
TABLES = ("pledge_goal", "pledge", "fund_year", "fund_entry")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)
        if isinstance(engine, PostgresEngine):
            for table in TABLES:
                await engine.run_ddl(f"DROP TRIGGER IF EXISTS block_changed ON {table}")
                await engine.run_ddl(
                    f"CREATE TRIGGER block_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION block_notify_changed()"
                )

    manager.add_raw(run)
    return manager
