from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-29T07:50:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "staff desk: queue indexes; PostgreSQL: the new tables notify block_changed"

# Every table tells the shared page cache that something was written (see 2026-11-28T03:10:00). A raw step
# of its own: in the migration that creates the tables, Piccolo runs raw steps before it creates them.
TABLES = ("staff_note", "thread_intake", "password_reset_code")
# The desk's queues filter by status and assignee and sort by due time.
INDEXES = (
    "CREATE INDEX IF NOT EXISTS thread_status_due ON thread (status, due_at)",
    "CREATE INDEX IF NOT EXISTS thread_assignee_status ON thread (assigned_to, status)",
)


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
