"""Real-browser fixtures: the real server as its own process (block-service serve) and Debian's Chromium.

The server gets its own database: a SQLite file in a temporary folder, or, when
BLOCK_TEST_DATABASE=postgres, a PostgreSQL database created here and dropped WITH (FORCE) at the end.
Without Chromium or the playwright package the suite is skipped, except under CI=true where it fails.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.servers import database, run_cli, server_env, start_server
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


@dataclass(frozen=True)
class Server:
    base_url: str
    log_path: Path


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """`block-service serve` on a free loopback port, with a staff account made by `create-staff`."""
    engine = os.environ.get("BLOCK_TEST_DATABASE", "sqlite")
    work_dir = Path(tempfile.mkdtemp(prefix="block-browser-"))
    try:
        with database(engine, work_dir, f"block_browser_{os.getpid()}_{uuid.uuid4().hex[:6]}") as database_url:
            # Every test logs in a few times from 127.0.0.1; the default of 10 a minute would refuse some.
            env = server_env(database_url, work_dir / "var", login_rate_per_minute="1000")
            staff_env = {**env, "BLOCK_STAFF_PASSWORD": STAFF_PASSWORD}
            run_cli(staff_env, "create-staff", STAFF_EMAIL, "--name", STAFF_NAME, timeout=60)
            log_path = work_dir / "server.log"
            with start_server(env, log_path=log_path) as running:
                yield Server(base_url=running.base_url, log_path=log_path)
    finally:
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
