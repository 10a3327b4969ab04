from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-29T07:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "report_draft: one draft per person; the table notifies block_changed"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        await engine.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS report_draft_one_per_person ON report_draft (person)")
        if isinstance(engine, PostgresEngine):
            await engine.run_ddl("DROP TRIGGER IF EXISTS block_changed ON report_draft")
            await engine.run_ddl(
                "CREATE TRIGGER block_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON report_draft "
                "FOR EACH STATEMENT EXECUTE FUNCTION block_notify_changed()"
            )

    manager.add_raw(run)
    return manager
