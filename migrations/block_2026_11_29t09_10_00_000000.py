from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Text, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T09:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "Meetings edited and cancelled (status, reason, iCalendar sequence); attendance present, absent or excused; "
    "motions withdrawn with a reason"
)


def _params(default, *, index: bool = False) -> dict:
    return {
        "default": default,
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": index,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }


COLUMNS = (
    ("Meeting", "meeting", "status", Varchar, {**_params("scheduled"), "length": 10}),
    ("Meeting", "meeting", "cancel_reason", Text, _params("")),
    ("Meeting", "meeting", "sequence", Integer, _params(0)),
    ("Motion", "council_motion", "withdrawn_reason", Text, _params("")),
    ("Attendance", "meeting_attendance", "status", Varchar, {**_params("present"), "length": 8}),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)
    for class_name, tablename, column, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name=column,
            db_column_name=column,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
