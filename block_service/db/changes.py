"""The change listener: PostgreSQL's block_changed notices or SQLite's data version, for caches of shared pages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Hashable
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from block_service.db.engines import engine
from block_service.db.sqlite import PooledSQLiteEngine

logger = logging.getLogger(__name__)


class ChangeListener:
    """Counts PostgreSQL's block_changed notices: every committed write sends one (a trigger on every table,
    see the migration of 2026-11-28T03:10). While the listening connection is down, version() is None."""

    CHANNEL = "block_changed"
    RETRY_SECONDS = 5

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.connection: Any = None
        self.count = 0
        self.last_payload = ""

    def version(self) -> int | None:
        connection = self.connection
        return self.count if connection is not None and not connection.is_closed() else None

    def _changed(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        self.count += 1
        self.last_payload = payload

    def _lost(self, *_args: Any) -> None:
        self.connection = None
        self.count += 1

    async def keep_listening(self) -> None:
        """Runs for the app's lifetime: (re)connects whenever the listening connection is gone."""
        import asyncpg

        while True:
            if self.version() is None:
                try:
                    connection = await asyncpg.connect(self.dsn, timeout=10)
                    await connection.add_listener(self.CHANNEL, self._changed)
                    connection.add_termination_listener(self._lost)
                    # Whatever was written while nobody listened: start from a new version.
                    self.count += 1
                    self.connection = connection
                except (TimeoutError, OSError, asyncpg.PostgresError) as error:
                    logger.warning("not listening for changes (%s); shared pages are not cached", error)
            await asyncio.sleep(self.RETRY_SECONDS)

    async def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None and not connection.is_closed():
            await connection.close()


_listener: ChangeListener | None = None


@contextlib.asynccontextmanager
async def listening_for_changes() -> AsyncIterator[None]:
    """On PostgreSQL, follow other processes' writes for data_version(); nothing to do on SQLite."""
    global _listener
    db = engine()
    if not isinstance(db, PostgresEngine):
        yield
        return
    _listener = ChangeListener(db.config["dsn"])
    task = asyncio.create_task(_listener.keep_listening())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await _listener.close()
        _listener = None


_local_writes = 0


def note_local_write() -> None:
    """This process has just committed something (a request that may write is over): on PostgreSQL its own
    next read must not wait for the notice of it to come round."""
    global _local_writes
    _local_writes += 1


def data_version() -> Hashable | None:
    """A value that differs after any process commits a write; None when that cannot be known (then
    nothing may be cached on it)."""
    db = engine()
    if isinstance(db, PooledSQLiteEngine):
        return db.data_version()
    if isinstance(db, PostgresEngine) and _listener is not None:
        version = _listener.version()
        return None if version is None else (version, _local_writes)
    return None
