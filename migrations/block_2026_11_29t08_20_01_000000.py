from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T08:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Projects: one worker row, one invitation and one evaluation per person and project (unique indexes)"

# Composite unique indexes as raw steps: Piccolo's Unique([...]) breaks on SQLite.
INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS project_worker_once ON project_worker (project, person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS project_invitee_once ON project_invitee (project, person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS project_evaluation_once ON project_evaluation (project, person)",
    "CREATE INDEX IF NOT EXISTS project_state_changed ON project (state, changed_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
