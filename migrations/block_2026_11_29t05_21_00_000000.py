from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T05:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "council_motion.plan_id: the plan of a motion's proposal, for the plan pages"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="block", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Motion",
        tablename="council_motion",
        column_name="plan_id",
        db_column_name="plan_id",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
