from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T01:40:31:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index the photos awaiting approval (a raw step runs before a migration's columns, so apart)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def index():
        await engine_finder().run_ddl("CREATE INDEX IF NOT EXISTS photo_approved ON photo (approved)")

    manager.add_raw(index)
    return manager
