from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T01:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notification.actor_alias: an anonymous reporter is named by an alias, never by name"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Notification",
        tablename="notification",
        column_name="actor_alias",
        db_column_name="actor_alias",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
