"""Database engines: SQLite with reused connections, PostgreSQL with a pool; write transactions."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString
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
            await self.engine.release_connection(self.connection)
        return exception is None


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

    def _read_connection(self) -> sqlite3.Connection:
        if self._reader is None or self._reader_path != self.path:
            if self._reader is not None:
                self._reader.close()
            reader = sqlite3.connect(
                self.path, detect_types=self.connection_kwargs["detect_types"], isolation_level=None,
                check_same_thread=False, timeout=1,
            )
            reader.row_factory = dict_factory
            reader.execute("PRAGMA query_only = ON")
            self._reader, self._reader_path = reader, self.path
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


def make_engine(database_url: str, sqlite_path: str | None = None, pool_size: int = 10) -> Engine:
    """The engine for BLOCK_DATABASE_URL; the PostgreSQL pool itself opens in the app lifespan."""
    if database_url.startswith(("postgresql://", "postgres://")):
        return PostgresEngine(config={"dsn": database_url})
    assert sqlite_path is not None
    return PooledSQLiteEngine(path=sqlite_path, pool_size=pool_size)


def engine() -> Engine:
    from block_service.piccolo_conf import DB

    return DB


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


@contextlib.asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """One transaction for a multi-step write; IMMEDIATE on SQLite so read-then-write never deadlocks."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with db.transaction():
            yield


async def open_database(pool_size: int) -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.start_connection_pool(min_size=1, max_size=pool_size)


async def close_database() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()
    elif isinstance(db, PooledSQLiteEngine):
        await db.close_pool()


def enable_wal(path: str) -> None:
    """WAL lets readers run beside a writer; the setting persists in the file, so once is enough."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode = WAL")


def is_unique_violation(error: BaseException) -> bool:
    """True for a unique-index refusal on either engine (a race the service lost fairly)."""
    import asyncpg

    if isinstance(error, asyncpg.exceptions.UniqueViolationError):
        return True
    return isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error)


async def ping_database() -> bool:
    try:
        await engine().run_querystring(QueryString("SELECT 1"))
    except Exception:  # any failure means "not ready"; /readyz reports it, it does not raise
        return False
    return True


def contains(column, text: str):
    """A case-insensitive substring condition (works for Chinese too).

    Piccolo has no LIKE ... ESCAPE, so a typed % is dropped rather than used as a wildcard; a typed _
    still matches any one character, which only ever widens a search.
    """
    pattern = "%" + text.replace("%", "").replace("\\", "") + "%"
    return column.like(pattern) if is_sqlite() else column.ilike(pattern)
