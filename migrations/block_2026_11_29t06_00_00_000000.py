from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Categories: the two seeded 'Other' categories get distinct English names"

# Only rows still carrying the seeded name: a name staff have since changed stays as they set it.
RENAMES = (
    "UPDATE category SET name_en = 'Other problem' WHERE slug = 'other-report' AND name_en = 'Other'",
    "UPDATE category SET name_en = 'Other matter' WHERE slug = 'other-issue' AND name_en = 'Other'",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in RENAMES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
