from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-29T05:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Plans and proposals: one support per person, one link per thread, one lead and category per plan"

# Composite unique indexes are raw steps (Piccolo's composite Unique breaks on SQLite), and a raw step of a
# migration runs before its tables are created: hence a migration of its own after the tables.
INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS plan_lead_once ON plan_lead (plan, person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS plan_category_once ON plan_category (plan, category)",
    "CREATE UNIQUE INDEX IF NOT EXISTS proposal_thread_once ON proposal_thread (proposal, thread)",
    "CREATE UNIQUE INDEX IF NOT EXISTS proposal_support_once ON proposal_support (proposal, person)",
    "CREATE INDEX IF NOT EXISTS proposal_plan_status ON proposal (plan, status)",
)
# Every table tells the shared page cache that something was written (see 2026-11-28T03:10:00).
TABLES = ("plan", "plan_lead", "plan_category", "proposal", "proposal_thread", "proposal_support", "proposal_step")


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
