"""The database: engines (engines.py), SQLite's connections (sqlite.py), write turns (writes.py), the change
listener (changes.py) and query helpers (queries.py). The names every domain uses are imported from here."""

from block_service.db.changes import data_version, listening_for_changes, note_local_write
from block_service.db.engines import close_database, engine, is_sqlite, make_engine, open_database, ping_database
from block_service.db.queries import contains, run_frozen
from block_service.db.sqlite import enable_wal
from block_service.db.writes import duplicate_means, is_unique_violation, write_transaction

__all__ = [
    "close_database",
    "contains",
    "data_version",
    "duplicate_means",
    "enable_wal",
    "engine",
    "is_sqlite",
    "is_unique_violation",
    "listening_for_changes",
    "make_engine",
    "note_local_write",
    "open_database",
    "ping_database",
    "run_frozen",
    "write_transaction",
]
