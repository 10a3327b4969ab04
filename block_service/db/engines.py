"""The process's database engine: SQLite or a PostgreSQL pool, opened and closed with the app."""

from __future__ import annotations

import os

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

from block_service.db.sqlite import PooledSQLiteEngine
from block_service.settings import database_url_from, sqlite_file


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


async def ping_database() -> bool:
    try:
        await engine().run_querystring(QueryString("SELECT 1"))
    except Exception:  # any failure means "not ready"; /readyz reports it, it does not raise
        return False
    return True
