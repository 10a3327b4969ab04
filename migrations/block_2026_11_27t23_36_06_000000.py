from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-27T23:36:06:000000"
VERSION = "1.38.0"
DESCRIPTION = "thread unique pairs, list indexes and Chinese text search"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS me_too_thread_person ON me_too (thread, person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS thread_mute_thread_person ON thread_mute (thread, person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS evaluation_thread_person ON evaluation (thread, person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS flag_object_person ON flag (object_type, object_id, person)",
    "CREATE INDEX IF NOT EXISTS notification_person_unread ON notification (person, read_at)",
    "CREATE INDEX IF NOT EXISTS message_thread_created ON message (thread, created_at)",
    "CREATE INDEX IF NOT EXISTS thread_public_activity ON thread (hidden, visibility, last_activity_at)",
    "CREATE INDEX IF NOT EXISTS thread_status_due ON thread (status, due_at)",
]

# Chinese has no spaces between words, so search is by substring: trigram indexes on both engines.
SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS thread_search USING fts5("
    "title, body, content='thread', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS thread_search_insert AFTER INSERT ON thread BEGIN "
    "INSERT INTO thread_search(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS thread_search_delete AFTER DELETE ON thread BEGIN "
    "INSERT INTO thread_search(thread_search, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS thread_search_update AFTER UPDATE OF title, body ON thread BEGIN "
    "INSERT INTO thread_search(thread_search, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO thread_search(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]
POSTGRES_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS thread_title_trgm ON thread USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS thread_body_trgm ON thread USING gin (body gin_trgm_ops)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        search = POSTGRES_SEARCH if isinstance(engine, PostgresEngine) else SQLITE_SEARCH
        for statement in STATEMENTS + search:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
