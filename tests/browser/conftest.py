"""Real-browser fixtures: the real server as its own process (block-service serve) and Debian's Chromium.

The server gets its own database: a SQLite file in a temporary folder, or, when
BLOCK_TEST_DATABASE=postgres, a PostgreSQL database created here and dropped WITH (FORCE) at the end.
Without Chromium or the playwright package the suite is skipped, except under CI=true where it fails.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.servers import Server as RunningServer
from bench.servers import start_server
from tests.browser.steps import (
    PASSWORD,
    STAFF_EMAIL,
    STAFF_NAME,
    STAFF_PASSWORD,
    Person,
    log_in,
    unique_mobile,
)
from tests.browser.test_accessibility_browser import axe  # noqa: F401 (a module-scoped fixture every browser test may use)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BLOCK_SERVICE = Path(sys.executable).parent / "block-service"
PG_ADMIN_URL = os.environ.get("BLOCK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# Playwright waits this long (ms) for an element, a navigation or an expectation before a test fails.
ACTION_TIMEOUT_MS = 10_000


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium fonts-noto-cjk)"
    return None


def _require_browser() -> None:
    reason = _missing_browser()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


def _pg_admin(statement: str) -> None:
    """One statement on the admin database, in a thread: Playwright's sync API keeps an event loop
    running in this one, where asyncio.run() is refused."""
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(PG_ADMIN_URL, timeout=10)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result(timeout=60)


@dataclass(frozen=True)
class Server:
    base_url: str
    log_path: Path


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """`block-service serve` on a free loopback port, with a staff account made by `create-staff`."""
    engine = os.environ.get("BLOCK_TEST_DATABASE", "sqlite")
    work_dir = Path(tempfile.mkdtemp(prefix="block-browser-"))
    pg_name = f"block_browser_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    # Inherited BLOCK_* values belong to the in-process tests (tests/conftest.py sets some at import).
    env = {key: value for key, value in os.environ.items() if not key.startswith("BLOCK_")}
    env.update(
        {
            "BLOCK_DEBUG": "true",
            "BLOCK_VAR_DIR": str(work_dir / "var"),
            # Every test logs in a few times from 127.0.0.1; the default of 10 a minute would refuse some.
            "BLOCK_LOGIN_RATE_PER_MINUTE": "1000",
        }
    )
    if engine == "postgres":
        env["BLOCK_DATABASE_URL"] = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{pg_name}"
    else:
        env["BLOCK_DATABASE_URL"] = f"sqlite:///{work_dir / 'browser.db'}"
    log_path = work_dir / "server.log"
    running: RunningServer | None = None
    try:
        if engine == "postgres":
            _pg_admin(f'CREATE DATABASE "{pg_name}"')
        created = subprocess.run(
            [str(BLOCK_SERVICE), "create-staff", STAFF_EMAIL, "--name", STAFF_NAME],
            env={**env, "BLOCK_STAFF_PASSWORD": STAFF_PASSWORD},
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert created.returncode == 0, f"create-staff failed:\n{created.stdout}\n{created.stderr}"
        running = start_server(env, log_path=log_path)
        base_url = running.base_url
        yield Server(base_url=base_url, log_path=log_path)
    finally:
        if running is not None:
            running.stop()
        if engine == "postgres":
            _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        shutil.rmtree(work_dir, ignore_errors=True)


@pytest.fixture(scope="package")
def chromium():
    """Chromium through Playwright's sync API, for this package only: while Playwright runs, its event
    loop counts as running in this thread, which would break the in-process async tests after it."""
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    # The machine may be busy (2 cores shared with the server and other runs): give assertions time too.
    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_context(chromium, server) -> Iterator[Callable]:
    """Makes browser contexts (one person's browser each), Chinese unless told otherwise; closes them."""
    contexts = []

    def make(locale: str = "zh-CN", **options):
        context = chromium.new_context(base_url=server.base_url, locale=locale, **options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def resident(page) -> Person:
    """A resident (not yet signed up) using the test's first browser context."""
    return Person(page, name=f"居民{uuid.uuid4().hex[:4]}", mobile=unique_mobile(), password=PASSWORD)


@pytest.fixture(scope="package")
def staff_session(chromium, server) -> dict:
    """The staff account logged in once (setting up its authenticator app at the first log-in, as staff
    must), kept as browser storage: one authenticator code every test would otherwise wait for."""
    context = chromium.new_context(base_url=server.base_url, locale="zh-CN")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        log_in(context.new_page(), STAFF_EMAIL, STAFF_PASSWORD)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def staff_page(new_context, staff_session):
    """A second browser, logged in as the workstation staff account."""
    return new_context(storage_state=staff_session).new_page()
