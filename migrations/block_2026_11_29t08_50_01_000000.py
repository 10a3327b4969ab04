from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-29T08:50:01:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "Notices and inspections: one receipt per person and per shop and kind, one reminder a day, "
    "one result per shop and round; the tables notify block_changed"
)

# A raw step of its own: in the migration that creates the tables, Piccolo runs raw steps before it creates them.
INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS notice_audience_one ON notice_audience (notice, shop)",
    "CREATE UNIQUE INDEX IF NOT EXISTS notice_recipient_one ON notice_recipient (notice, shop, person)",
    "CREATE INDEX IF NOT EXISTS notice_recipient_person ON notice_recipient (person, notice)",
    "CREATE UNIQUE INDEX IF NOT EXISTS notice_read_one ON notice_read (notice, person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS notice_shop_receipt_one ON notice_shop_receipt (notice, shop, kind)",
    "CREATE UNIQUE INDEX IF NOT EXISTS notice_reminder_one_a_day ON notice_reminder (notice, day)",
    "CREATE UNIQUE INDEX IF NOT EXISTS inspection_round_one_a_month ON inspection_round (month)",
    "CREATE UNIQUE INDEX IF NOT EXISTS inspection_result_one ON inspection_result (round, shop)",
)
TABLES = (
    "gov_service",
    "notice",
    "notice_attachment",
    "notice_audience",
    "notice_recipient",
    "notice_read",
    "notice_shop_receipt",
    "notice_reminder",
    "inspection_round",
    "inspection_result",
)


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
