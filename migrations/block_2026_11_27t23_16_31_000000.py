from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T23:16:31:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique pairs and partial indexes"

# Composite and partial unique indexes are raw SQL: Piccolo's Unique([...]) emits
# ALTER TABLE ... ADD CONSTRAINT, which SQLite does not have. These work on both engines.
STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS role_grant_person_role ON role_grant (person, role)",
    "CREATE UNIQUE INDEX IF NOT EXISTS shop_merchant_shop_person ON shop_merchant (shop, person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS shop_application_one_pending "
    "ON shop_application (applicant, licence_number) WHERE status = 'pending'",
    "CREATE INDEX IF NOT EXISTS audit_entry_object ON audit_entry (object_type, object_id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
