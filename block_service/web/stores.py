"""Sessions and rate-limit counters shared by every worker on this machine: one SQLite file under var/."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path

from litestar.stores.base import Store

FILE_NAME = "shared-state.db"
BUSY_TIMEOUT_MS = 5000


def _seconds(value: int | timedelta | None) -> float | None:
    if value is None:
        return None
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class _Connection:
    """One connection per process (opened on first use, again after a fork), used from the event loop.

    Every statement touches one row of a small table by its key: tens of microseconds, less than
    handing the work to a thread would cost. Writers of other workers are waited for by SQLite's busy
    timeout; their transactions are a single statement."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def get(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            with self._lock:
                if self._connection is None or self._pid != os.getpid():
                    self._connection = self._open()
                    self._pid = os.getpid()
        return self._connection

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Session ids are credentials: the file (and SQLite's -wal and -shm beside it, which take its
        # permissions) is readable by the service's user only.
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        connection = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            connection.execute("PRAGMA journal_mode = WAL")
        # Losing the last moments of sessions on a power cut only signs people out; no fsync per login.
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS entries (namespace TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,"
            " expires_at REAL, PRIMARY KEY (namespace, key)) WITHOUT ROWID"
        )
        connection.execute(
            "CREATE INDEX IF NOT EXISTS entries_expiry ON entries (expires_at) WHERE expires_at IS NOT NULL"
        )
        return connection

    def close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None


class SQLiteStore(Store):
    """A Litestar store in one SQLite file that all worker processes open, namespaced like RedisStore.

    Expired entries are never returned; a read that meets one deletes it, and `delete_expired()` (run by
    the periodic tasks) removes the rest, so abandoned sessions do not pile up."""

    def __init__(self, path: Path, namespace: str = "block", *, _connection: _Connection | None = None) -> None:
        self.path = path
        self.namespace = namespace
        self._db = _connection or _Connection(path)

    def with_namespace(self, namespace: str) -> SQLiteStore:
        return SQLiteStore(self.path, f"{self.namespace}:{namespace}", _connection=self._db)

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        seconds = _seconds(expires_in)
        data = value.encode() if isinstance(value, str) else value
        self._db.get().execute(
            "INSERT INTO entries (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
            (self.namespace, key, data, None if seconds is None else time.time() + seconds),
        )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        connection = self._db.get()
        row = connection.execute(
            "SELECT value, expires_at FROM entries WHERE namespace = ? AND key = ?", (self.namespace, key)
        ).fetchone()
        if row is None:
            return None
        value, expires_at = row
        now = time.time()
        if expires_at is not None and expires_at <= now:
            connection.execute(
                "DELETE FROM entries WHERE namespace = ? AND key = ? AND expires_at <= ?", (self.namespace, key, now)
            )
            return None
        renew = _seconds(renew_for)
        if renew is not None and expires_at is not None:
            connection.execute(
                "UPDATE entries SET expires_at = ? WHERE namespace = ? AND key = ?", (now + renew, self.namespace, key)
            )
        return value

    async def delete(self, key: str) -> None:
        self._db.get().execute("DELETE FROM entries WHERE namespace = ? AND key = ?", (self.namespace, key))

    async def delete_all(self) -> None:
        self._db.get().execute(
            "DELETE FROM entries WHERE namespace = ? OR namespace LIKE ?", (self.namespace, f"{self.namespace}:%")
        )

    async def delete_expired(self) -> int:
        cursor = self._db.get().execute(
            "DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ?", (time.time(),)
        )
        return cursor.rowcount

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = (
            self._db.get()
            .execute("SELECT expires_at FROM entries WHERE namespace = ? AND key = ?", (self.namespace, key))
            .fetchone()
        )
        if row is None or row[0] is None:
            return None
        return max(0, int(row[0] - time.time()))

    def close(self) -> None:
        self._db.close()


def shared_store(var_dir: Path) -> SQLiteStore:
    return SQLiteStore(var_dir / FILE_NAME)
