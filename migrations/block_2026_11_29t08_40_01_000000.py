from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-29T08:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "Offers and needs: one thanks per person, offer and month; the hours' lookup index; the category for offers "
    "not honoured on a block that has its categories; the tables notify block_changed"
)

# A raw step of its own: in the migration that creates the tables, Piccolo runs raw steps before it creates them.
INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS offer_thanks_one ON offer_thanks (person, offer, month)",
    "CREATE INDEX IF NOT EXISTS offer_hours_when ON offer_hours (weekday, opens, closes)",
    "CREATE INDEX IF NOT EXISTS offer_by_kind ON offer (kind)",
    "CREATE INDEX IF NOT EXISTS need_open_until ON need (status, until)",
)
# Only into a block that already has its categories: an empty table is filled by the reference data
# (block_service/seed.py), which adds all of them, this one included (block_service/offers/kinds.py).
CATEGORY = (
    "INSERT INTO category (slug, kind, name_zh, name_en, response_hours, sort_order, active, photos_need_approval, "
    "emergency) SELECT 'offer-not-honoured', 'report', '便民服务未兑现', 'Offer not honoured', 72, 60, {true}, {false}, "
    "{false} WHERE EXISTS (SELECT 1 FROM category) "
    "AND NOT EXISTS (SELECT 1 FROM category WHERE slug = 'offer-not-honoured')"
)
TABLES = ("offer_kind", "offer", "offer_hours", "offer_thanks", "need")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)
        postgres = isinstance(engine, PostgresEngine)
        truth = ("true", "false") if postgres else ("1", "0")
        await engine.run_ddl(CATEGORY.format(true=truth[0], false=truth[1]))
        if postgres:
            for table in TABLES:
                await engine.run_ddl(f"DROP TRIGGER IF EXISTS block_changed ON {table}")
                await engine.run_ddl(
                    f"CREATE TRIGGER block_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION block_notify_changed()"
                )

    manager.add_raw(run)
    return manager
