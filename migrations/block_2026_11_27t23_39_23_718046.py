from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T23:39:23:718046"
VERSION = "1.38.0"
DESCRIPTION = "organisation and council unique pairs and indexes"

# Composite and partial unique indexes are raw SQL (Piccolo's Unique([...]) breaks on SQLite).
# council_shop_voted_election_shop is what keeps one ballot per shop under concurrent submits.
STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS group_leader_backing_group_shop ON group_leader_backing (\"group\", shop)",
    "CREATE UNIQUE INDEX IF NOT EXISTS council_shop_voted_election_shop ON council_shop_voted (election, shop)",
    "CREATE UNIQUE INDEX IF NOT EXISTS council_nomination_live_nominee "
    "ON council_nomination (election, nominee) WHERE status IN ('proposed', 'accepted')",
    "CREATE UNIQUE INDEX IF NOT EXISTS council_nomination_live_shop "
    "ON council_nomination (election, shop) WHERE status IN ('proposed', 'accepted')",
    "CREATE UNIQUE INDEX IF NOT EXISTS council_seat_sitting_person "
    "ON council_seat (term, person) WHERE ceased_at IS NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS council_seat_single_position "
    "ON council_seat (term, position) WHERE ceased_at IS NULL AND position IN ('chair', 'secretary')",
    "CREATE UNIQUE INDEX IF NOT EXISTS council_interest_active "
    "ON council_interest (person, object_type, object_id) WHERE withdrawn_at IS NULL",
    "CREATE INDEX IF NOT EXISTS council_interest_object ON council_interest (object_type, object_id)",
    "CREATE INDEX IF NOT EXISTS shop_segment_status ON shop (segment, status)",
    "CREATE INDEX IF NOT EXISTS shop_industry_status ON shop (industry, status)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
