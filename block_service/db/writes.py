"""Write transactions: one writer at a time per process and per SQLite file; duplicate keys as refusals."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import fcntl
import os
import sqlite3
import weakref
from collections.abc import AsyncIterator

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

from block_service.db.changes import note_local_write
from block_service.db.engines import engine
from block_service.db.sqlite import PooledSQLiteEngine

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
            wrote = await _wrote_something(db)
        if wrote:  # this process's kept pages and values are out of date now, not once the notice comes
            note_local_write()
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


async def _wrote_something(db: Engine) -> bool:
    """Whether this PostgreSQL transaction changed a row: only a transaction that writes is given an id. A round
    that finds nothing to do (a motion not yet due, every half minute) then leaves every kept page kept."""
    rows = await db.run_querystring(QueryString("SELECT txid_current_if_assigned() IS NOT NULL AS wrote"))
    return bool(rows[0]["wrote"])


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
