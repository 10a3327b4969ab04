from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-29T05:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Meetings: one answer per person, one row per invitee and attendee; the tables notify block_changed"

# A raw step of its own: in the migration that creates the tables, Piccolo runs raw steps before it creates them.
INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS meeting_rsvp_one ON meeting_rsvp (meeting, person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS meeting_invitee_one ON meeting_invitee (meeting, invitee_type, invitee_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS meeting_attendance_one "
    "ON meeting_attendance (meeting, attendee_type, attendee_id)",
    "CREATE INDEX IF NOT EXISTS meeting_agenda_target ON meeting_agenda_item (target_type, target_id)",
    "CREATE INDEX IF NOT EXISTS meeting_invitee_who ON meeting_invitee (invitee_type, invitee_id)",
)
TABLES = ("meeting", "meeting_agenda_item", "meeting_invitee", "meeting_rsvp", "meeting_attendance")


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
