from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T01:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "person: accepted privacy notice version and time; erased_at for deleted accounts"


def _params(**overrides) -> dict:
    params = {
        "null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
        "choices": None, "db_column_name": None, "secret": False,
    }
    params.update(overrides)
    return params


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Person", tablename="person", column_name="privacy_version",
        db_column_name="privacy_version", column_class_name="Varchar", column_class=Varchar,
        params=_params(length=20, default=""), schema=None,
    )
    for name in ("privacy_accepted_at", "erased_at"):
        manager.add_column(
            table_class_name="Person", tablename="person", column_name=name, db_column_name=name,
            column_class_name="Timestamptz", column_class=Timestamptz,
            params=_params(default=None, null=True), schema=None,
        )
    return manager
