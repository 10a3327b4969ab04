from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "inbox_entry: an index per person and subject (the inbox grouped per thread, reading one subject)"

# The inbox page groups a person's entries by (kind, object_id) and opening an object marks its entries
# read: both filter on person, kind and object_id. Rows are untouched.
INDEX = "CREATE INDEX IF NOT EXISTS inbox_entry_person_subject ON inbox_entry (person, kind, object_id, created_at)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(INDEX)

    manager.add_raw(run)
    return manager
