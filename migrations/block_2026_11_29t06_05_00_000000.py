from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T06:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "category.emergency: gas, fire, injury — call 119 / 110 / 120 first, urgent for staff"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="block", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Category",
        tablename="category",
        column_name="emergency",
        db_column_name="emergency",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
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
