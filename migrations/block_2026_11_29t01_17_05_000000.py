from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-29T01:17:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "PostgreSQL: the second-factor and account-notice tables notify block_changed"

# Every table tells the shared page cache that something was written (see 2026-11-28T03:10:00). A raw step
# of its own: in the migration that creates the tables, Piccolo runs raw steps before it creates them.
TABLES = ("totp_credential", "totp_recovery_code", "account_notice")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        if isinstance(engine, PostgresEngine):
            for table in TABLES:
                await engine.run_ddl(f"DROP TRIGGER IF EXISTS block_changed ON {table}")
                await engine.run_ddl(
                    f"CREATE TRIGGER block_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION block_notify_changed()"
                )

    manager.add_raw(run)
    return manager
