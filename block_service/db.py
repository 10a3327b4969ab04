"""Database engines: SQLite with reused connections, PostgreSQL with a pool; write transactions."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import fcntl
import itertools
import logging
import os
import sqlite3
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable
from typing import Any

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.query.proxy import Proxy
from piccolo.querystring import QueryString

from block_service.settings import database_url_from, sqlite_file

logger = logging.getLogger(__name__)


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


def make_engine(database_url: str, sqlite_path: str | None = None, pool_size: int = 10) -> Engine:
    """The engine for BLOCK_DATABASE_URL; the PostgreSQL pool itself opens in the app lifespan."""
    if database_url.startswith(("postgresql://", "postgres://")):
        return PostgresEngine(config={"dsn": database_url})
    assert sqlite_path is not None
    return PooledSQLiteEngine(path=sqlite_path, pool_size=pool_size)


_engine: Engine | None = None


def engine() -> Engine:
    """The process's one engine, chosen from BLOCK_DATABASE_URL when first asked for (piccolo_conf asks first)."""
    global _engine
    if _engine is None:
        url = database_url_from(dict(os.environ))
        _engine = make_engine(
            url,
            sqlite_path=None if url.startswith("postgres") else str(sqlite_file(url)),
            pool_size=int(os.environ.get("BLOCK_DB_POOL_SIZE") or 10),
        )
    return _engine


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


_inside_write: contextvars.ContextVar[bool] = contextvars.ContextVar("inside_write", default=False)
_write_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def _write_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _write_locks.get(loop)
    if lock is None:
        lock = _write_locks[loop] = asyncio.Lock()
    return lock


@contextlib.asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """One transaction for a multi-step write; IMMEDIATE on SQLite so read-then-write never deadlocks.

    SQLite has one writer at a time anyway. Writers of this process queue here, in order, instead of
    all polling the file lock with SQLite's growing back-off sleeps (which made the slowest of 16
    concurrent answers wait seconds); only the other worker processes still meet at the file lock.
    """
    db = engine()
    if not isinstance(db, SQLiteEngine):
        async with db.transaction():
            yield
        return
    if _inside_write.get():
        async with db.transaction(transaction_type=TransactionType.immediate):
            yield
        return
    async with _write_lock():
        token = _inside_write.set(True)
        try:
            async with _writer_file_lock(db.path):
                transaction = (
                    db.direct_write_transaction()
                    if isinstance(db, PooledSQLiteEngine)
                    else db.transaction(transaction_type=TransactionType.immediate)
                )
                async with transaction:
                    yield
        finally:
            _inside_write.reset(token)


WRITER_WAIT_SECONDS = 30
# Threads that wait for the file lock; the in-process queue above sends at most one at a time.
_lock_waiters = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="sqlite-writer-lock")


@contextlib.asynccontextmanager
async def _writer_file_lock(database_path: str) -> AsyncIterator[None]:
    """Worker processes take turns through a file lock beside the database.

    Without it they meet at SQLite's own lock, whose busy handler sleeps in growing steps up to 100 ms:
    one process could keep the lock while the other slept, and the slowest answers waited seconds.
    Each turn opens the lock file anew, tries it at once, else waits for it in a thread, so the kernel
    hands it over the moment the other process closes its turn (polling left it idle meanwhile). A turn
    given up while waiting (a cancelled request) is closed, and so released, by its thread when it comes.
    """
    descriptor = os.open(database_path + "-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        waiting = asyncio.get_running_loop().run_in_executor(_lock_waiters, fcntl.flock, descriptor, fcntl.LOCK_EX)
        try:
            await asyncio.wait_for(asyncio.shield(waiting), WRITER_WAIT_SECONDS)
        except BaseException as error:
            waiting.add_done_callback(lambda _waited: os.close(descriptor))
            if isinstance(error, asyncio.TimeoutError):
                raise TimeoutError("another process held the database writer lock for 30 s") from None
            raise
    try:
        yield
    finally:
        os.close(descriptor)  # closing the file gives the lock back


async def _keep_session(connection) -> None:
    """asyncpg still rolls back an unfinished transaction; what this skips is its default reset query
    (unlock advisory locks, close cursors, UNLISTEN, RESET ALL), one more round trip after every single
    query. The service sets no session state, takes no advisory locks and listens on no pooled connection."""


async def open_database(pool_size: int) -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.start_connection_pool(min_size=1, max_size=pool_size, reset=_keep_session)


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


@contextlib.contextmanager
def duplicate_means(refusal: Exception):
    """Turn a unique-index refusal inside the block into this refusal; any other error passes unchanged.

    The database, not a check before the write, is what keeps one row per voter, supporter or applicant:
    of two requests racing each other, the loser lands here.
    """
    try:
        yield
    except Exception as error:
        if is_unique_violation(error):
            raise refusal from None
        raise


async def ping_database() -> bool:
    try:
        await engine().run_querystring(QueryString("SELECT 1"))
    except Exception:  # any failure means "not ready"; /readyz reports it, it does not raise
        return False
    return True


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


def data_version() -> Hashable | None:
    """A value that differs after any process commits a write; None when that cannot be known (then
    nothing may be cached on it)."""
    db = engine()
    if isinstance(db, PooledSQLiteEngine):
        return db.data_version()
    if isinstance(db, PostgresEngine) and _listener is not None:
        return _listener.version()
    return None


def contains(column, text: str):
    """A case-insensitive substring condition (works for Chinese too).

    Piccolo has no LIKE ... ESCAPE, so a typed % is dropped rather than used as a wildcard; a typed _
    still matches any one character, which only ever widens a search.
    """
    pattern = "%" + text.replace("%", "").replace("\\", "") + "%"
    return column.like(pattern) if is_sqlite() else column.ilike(pattern)


_frozen_queries: OrderedDict[Hashable, Any] = OrderedDict()
FROZEN_QUERIES = 1024


async def run_frozen(key: Hashable, build: Callable[[], Any]) -> Any:
    """Run a query whose compiled SQL is kept under `key` (which must say everything it depends on).

    Piccolo spends longer building a select with joins than SQLite or PostgreSQL spend running it;
    hot pages ask the same few queries again and again.
    """
    frozen = _frozen_queries.get(key)
    if frozen is None:
        query = build()
        if isinstance(query, Proxy):
            # Proxy.freeze() (behind .first(), .output(as_list=True)...) freezes a copy and throws it away,
            # so the SQL would be built again on every run.
            raise TypeError("run_frozen needs a plain query: use .limit(1) rather than .first()")
        frozen = _frozen_queries[key] = query.freeze()
        if len(_frozen_queries) > FROZEN_QUERIES:
            _frozen_queries.popitem(last=False)
    else:
        _frozen_queries.move_to_end(key)
    return await frozen.run()
