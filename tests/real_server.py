"""The real server (`block-service serve`, N workers) on the database the `db` fixture prepared.

Tests seed what they need in-process (tests/helpers.py), then talk HTTP to real worker processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

from bench.servers import Server, server_env, start_server
from tests.conftest import ENGINE


def test_database_url() -> str:
    from block_service.db import engine

    if ENGINE == "postgres":
        return os.environ["BLOCK_DATABASE_URL"]
    return f"sqlite:///{engine().path}"


@contextlib.asynccontextmanager
async def real_server(work_dir: Path, *, workers: int = 1, **settings: str) -> AsyncIterator[Server]:
    """Started once the seeded rows are committed; stopped (SIGTERM, then SIGKILL) at the end."""
    settings.setdefault("login_rate_per_minute", "1000")
    env = server_env(test_database_url(), work_dir / "server-var", migrate_on_start="false", **settings)
    server = await asyncio.to_thread(start_server, env, log_path=work_dir / "server.log", workers=workers)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)
