from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T01:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Inbox entries that named an anonymous reporter acting on their own report now say 'a resident'"

# Before 2026-11-29 an anonymous reporter's answers and status changes reached the shop's merchants and the
# me-too people with the reporter's real name. The entries the reporter's own actions caused are the ones
# whose actor name is the reporter's display name, on an anonymous thread; both engines take this statement.
FORGET_NAMES = """
UPDATE notification SET actor_name = '', actor_alias = 'resident'
WHERE event IN ('answer', 'status') AND actor_name <> '' AND EXISTS (
    SELECT 1 FROM thread JOIN person ON person.id = thread.author
    WHERE thread.id = notification.thread AND thread.anonymous
      AND substr(person.display_name, 1, 40) = notification.actor_name
)
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(FORGET_NAMES)

    manager.add_raw(run)
    return manager
