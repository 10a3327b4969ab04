"""Test fixtures: a fresh database per test on the engine BLOCK_TEST_DATABASE chooses, clients per role.

The suite runs once per engine (scripts/test runs it for SQLite, then for PostgreSQL):
- sqlite: every test gets a copy of a migrated template file;
- postgres: one database per run, migrated once, truncated between tests, dropped at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

ENGINE = os.environ.get("BLOCK_TEST_DATABASE", "sqlite")
PG_ADMIN_URL = os.environ.get("BLOCK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
_TMP = Path(tempfile.mkdtemp(prefix="block-tests-"))
_PG_NAME = f"block_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"

# The engine is chosen from the environment when block_service.piccolo_conf is first imported,
# so these must be set before any block_service module is imported.
os.environ["BLOCK_VAR_DIR"] = str(_TMP / "var")
if ENGINE == "postgres":
    _base = PG_ADMIN_URL.rsplit("/", 1)[0]
    os.environ["BLOCK_DATABASE_URL"] = f"{_base}/{_PG_NAME}"
else:
    os.environ["BLOCK_DATABASE_URL"] = f"sqlite:///{_TMP / 'template.db'}"

import httpx  # noqa: E402

from block_service.db import close_database, engine, open_database  # noqa: E402
from block_service.migrate import apply_migrations  # noqa: E402
from block_service.settings import Settings, read_settings  # noqa: E402
from tests.helpers import Browser  # noqa: E402


def pytest_report_header(config):
    return f"block database engine: {ENGINE}"


async def _pg_admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session", autouse=True)
def _schema():
    """Build the schema once by running the real migrations (never create_db_tables)."""
    var_dir = _TMP / "var"
    if ENGINE == "postgres":
        asyncio.run(_pg_admin(f'CREATE DATABASE "{_PG_NAME}"'))

    async def migrate():
        await open_database(2)
        try:
            await apply_migrations(var_dir)
        finally:
            await close_database()

    asyncio.run(migrate())
    if ENGINE != "postgres":
        import sqlite3

        with sqlite3.connect(_TMP / "template.db") as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    yield
    if ENGINE == "postgres":
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{_PG_NAME}" WITH (FORCE)'))
    shutil.rmtree(_TMP, ignore_errors=True)


@pytest.fixture
async def db(_schema, tmp_path) -> AsyncIterator[None]:
    """A database with the schema and reference data, empty of everything else."""
    async with fresh_database(tmp_path):
        yield


@contextlib.asynccontextmanager
async def fresh_database(tmp_path: Path) -> AsyncIterator[None]:
    """What `db` gives a test, for code that seeds outside a test's own event loop (tests/browser, whose
    Playwright loop occupies the main thread, seeds in a worker thread with asyncio.run)."""
    from block_service.cache import forget
    from block_service.seed import ensure_reference_data

    forget("")  # reference data cached by an earlier test's database
    from block_service.web.shared_pages import forget_all

    forget_all()  # pages an earlier test's anonymous visitors shared
    database = engine()
    if ENGINE == "postgres":
        await open_database(5)
        from block_service.piccolo_app import APP_CONFIG

        tables = ", ".join(table._meta.tablename for table in APP_CONFIG.table_classes)
        await database.run_ddl(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    else:
        test_file = tmp_path / "block.db"
        shutil.copyfile(_TMP / "template.db", test_file)
        database.path = str(test_file)
    await ensure_reference_data()
    try:
        yield
    finally:
        await close_database()


def make_settings(**overrides) -> Settings:
    env = {
        "BLOCK_DATABASE_URL": os.environ["BLOCK_DATABASE_URL"],
        "BLOCK_SECRET_KEY": "test-secret-key-that-is-long-enough-for-csrf-0123456789",
        "BLOCK_VAR_DIR": os.environ["BLOCK_VAR_DIR"],
        "BLOCK_LOGIN_RATE_PER_MINUTE": "1000",
        "BLOCK_MIGRATE_ON_START": "false",
    }
    env.update({f"BLOCK_{key.upper()}": str(value) for key, value in overrides.items()})
    return read_settings(env)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(var_dir=tmp_path / "var")


@pytest.fixture
def app(db, settings):
    from block_service.app import create_app

    return create_app(settings)


@pytest.fixture
async def browser_factory(app) -> AsyncIterator:
    clients: list[httpx.AsyncClient] = []

    def make(language: str = "zh-Hans") -> Browser:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="https://testserver",
            headers={"accept-language": language},
        )
        clients.append(client)
        return Browser(client)

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def browser(browser_factory) -> Browser:
    return browser_factory()


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(monkeypatch):
    """Counts SQL statements the engine runs (to show a page's count does not grow with its size)."""
    counter = QueryCounter()
    engine_class = type(engine())
    original = engine_class.run_querystring

    async def counting(self, querystring, in_pool: bool = False):
        counter.statements.append(str(querystring))
        return await original(self, querystring, in_pool=in_pool)

    # Patched on the class: PostgresEngine has __slots__, so instances take no new attributes.
    monkeypatch.setattr(engine_class, "run_querystring", counting)
    return counter
