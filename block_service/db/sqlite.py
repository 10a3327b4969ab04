"""SQLite with reused connections: pooled readers, one direct writer connection, WAL."""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory


class PooledSQLiteTransaction(SQLiteTransaction):
    """Piccolo's SQLite transaction, but on a pooled connection that is never leaked."""

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.engine.get_connection()
        try:
            await self.begin()
        except BaseException:
            # A failed BEGIN IMMEDIATE would otherwise leave a live connection thread behind.
            await self.connection.close()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._release()
        return exception is None

    async def _release(self) -> None:
        await self.engine.release_connection(self.connection)


class _DirectConnection:
    """Just enough of aiosqlite's Connection for Piccolo's transaction, run in the event-loop thread."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    async def execute(self, sql: str, parameters=()) -> sqlite3.Cursor:
        return self.raw.execute(sql, parameters)

    async def execute_fetchall(self, sql: str, parameters=()) -> list:
        return self.raw.execute(sql, parameters).fetchall()

    async def close(self) -> None:
        self.raw.close()


class _DirectWriteTransaction(PooledSQLiteTransaction):
    """A write transaction on the engine's one direct connection, for a writer that holds the writer locks.

    With both locks held, BEGIN IMMEDIATE never waits, and each statement takes a fraction of a
    millisecond: cheaper done here than handed to a thread and back, ten times per answer posted.
    """

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = self.engine.direct_writer()
        await self.begin()
        self.context = self.engine.current_transaction.set(self)
        return self

    async def _release(self) -> None:
        # The connection stays with the engine; after a failed COMMIT it must not stay mid-transaction.
        if self.connection.in_transaction:
            self.connection.raw.rollback()


_reader_numbers = itertools.count(1)


class PooledSQLiteEngine(SQLiteEngine):
    """SQLiteEngine that reuses connections and reads without a thread hop.

    Piccolo's engine opens a new aiosqlite connection (and thread) for every statement; on a list
    page that cost more than the queries. Here writes and transactions use a small pool of open
    aiosqlite connections, and single SELECTs outside a transaction run directly on one plain
    read-only connection: in WAL mode a reader never waits for a writer, and an indexed read takes
    less time than handing it to another thread and back.
    """

    def __init__(self, path: str, pool_size: int = 8, **kwargs: Any) -> None:
        super().__init__(path=path, timeout=30, **kwargs)
        self.pool_size = pool_size
        self._idle: list[aiosqlite.Connection] = []
        self._reader: sqlite3.Connection | None = None
        self._reader_path: str | None = None
        self._reader_number = 0
        self._writer: _DirectConnection | None = None
        self._writer_path: str | None = None

    def direct_writer(self) -> _DirectConnection:
        if self._writer is None or self._writer_path != self.path:
            if self._writer is not None:
                self._writer.raw.close()
            raw = sqlite3.connect(
                self.path,
                detect_types=self.connection_kwargs["detect_types"],
                isolation_level=None,
                check_same_thread=False,
                timeout=5,
            )
            raw.row_factory = dict_factory
            raw.execute("PRAGMA foreign_keys = ON")
            raw.execute("PRAGMA synchronous = NORMAL")
            self._writer, self._writer_path = _DirectConnection(raw), self.path
        return self._writer

    def data_version(self) -> tuple[int, int]:
        """Changes whenever another connection (the writer here, or any other process) commits."""
        reader = self._read_connection()
        return self._reader_number, reader.execute("PRAGMA data_version").fetchone()["data_version"]

    def direct_write_transaction(self) -> SQLiteTransaction:
        return _DirectWriteTransaction(engine=self, transaction_type=TransactionType.immediate)

    def _read_connection(self) -> sqlite3.Connection:
        if self._reader is None or self._reader_path != self.path:
            if self._reader is not None:
                self._reader.close()
            reader = sqlite3.connect(
                self.path,
                detect_types=self.connection_kwargs["detect_types"],
                isolation_level=None,
                check_same_thread=False,
                timeout=1,
            )
            reader.row_factory = dict_factory
            reader.execute("PRAGMA query_only = ON")
            self._reader, self._reader_path = reader, self.path
            # data_version counts per connection: a new reader (another file) starts a new series.
            self._reader_number = next(_reader_numbers)
        return self._reader

    async def _open(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute("PRAGMA synchronous = NORMAL")
        return connection

    async def get_connection(self) -> aiosqlite.Connection:
        if self._idle:
            return self._idle.pop()
        return await self._open()

    async def release_connection(self, connection: aiosqlite.Connection) -> None:
        if connection.in_transaction or len(self._idle) >= self.pool_size:
            await connection.close()
        else:
            self._idle.append(connection)

    async def close_pool(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._writer is not None:
            self._writer.raw.close()
            self._writer = None

    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        if query.lstrip()[:6].upper() == "SELECT":
            try:
                return self._read_connection().execute(query, args or []).fetchall()
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                # A rare lock (WAL recovery, a checkpoint): wait for it off the event loop instead.
        connection = await self.get_connection()
        try:
            rows = await connection.execute_fetchall(query, args or [])
        except BaseException:
            await connection.close()
            raise
        await self.release_connection(connection)
        return list(rows)

    async def _run_in_existing_connection(self, connection, query, args=None, query_type="generic", table=None):
        return list(await connection.execute_fetchall(query, args or []))

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> SQLiteTransaction:
        return PooledSQLiteTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)


def enable_wal(path: str) -> None:
    """WAL lets readers run beside a writer; the setting persists in the file, so once is enough."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
