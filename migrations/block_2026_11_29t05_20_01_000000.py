from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-29T05:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "council motions: one roll entry and one current vote per member and motion; block_changed triggers"

# A raw step of its own: in the migration that creates the tables, Piccolo runs raw steps before it creates them.
UNIQUE = (
    "CREATE UNIQUE INDEX IF NOT EXISTS council_motion_member_once ON council_motion_member (motion, person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS council_motion_vote_once ON council_motion_vote (motion, person)",
)
TABLES = ("council_motion", "council_motion_member", "council_motion_vote", "council_motion_vote_change")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in UNIQUE:
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
