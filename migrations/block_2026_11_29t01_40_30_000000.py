from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T01:40:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Photos approved by staff before the public sees them, per category"


def _boolean(default: bool) -> dict:
    return {
        "default": default,
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Category",
        tablename="category",
        column_name="photos_need_approval",
        db_column_name="photos_need_approval",
        column_class_name="Boolean",
        column_class=Boolean,
        params=_boolean(False),
        schema=None,
    )
    # Every photo stored so far was shown at once: it stays approved.
    manager.add_column(
        table_class_name="Photo",
        tablename="photo",
        column_name="approved",
        db_column_name="approved",
        column_class_name="Boolean",
        column_class=Boolean,
        params=_boolean(True),
        schema=None,
    )
    return manager
