from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Person(Table, tablename="person", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-11-29T07:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "report_draft: a report written step by step, kept across steps, errors and signing in"


def _params(**extra):
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="block", description=DESCRIPTION)
    manager.add_table(class_name="ReportDraft", tablename="report_draft", schema=None, columns=None)
    columns = (
        ("token", Varchar, _params(length=64, default="", unique=True)),
        (
            "person",
            ForeignKey,
            _params(
                references=Person,
                on_delete=OnDelete.cascade,
                on_update=OnUpdate.cascade,
                target_column=None,
                null=True,
                default=None,
                index=True,
            ),
        ),
        ("fields", Text, _params(default="{}")),
        ("photos", Text, _params(default="[]")),
        ("updated_at", Timestamptz, _params(default=TimestamptzNow(), index=True)),
    )
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="ReportDraft",
            tablename="report_draft",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
