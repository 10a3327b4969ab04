"""Work the service does by itself: closing resolved threads nobody answered, at start-up and every hour."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from litestar import Litestar

from block_service.threads.services import close_stale_resolved

logger = logging.getLogger("block_service")
INTERVAL_SECONDS = 3600
STORE_CLEANUP_SECONDS = 600


async def _auto_close_forever() -> None:
    while True:
        try:
            closed = await close_stale_resolved()
            if closed:
                logger.info("closed %s resolved threads the reporter did not answer within 7 days", closed)
        except Exception:  # a failed round is retried next hour; the task itself must live on
            logger.exception("auto-closing resolved threads failed")
        await asyncio.sleep(INTERVAL_SECONDS)


async def delete_expired_entries(app: Litestar) -> int:
    """Ended sessions and old rate-limit counters of the shared SQLite store (Redis expires its own)."""
    deleted = 0
    for name in ("sessions", "rate_limit"):
        store = app.stores.get(name)
        if hasattr(store, "delete_expired"):
            deleted += await store.delete_expired() or 0
    return deleted


async def _delete_expired_entries_forever(app: Litestar) -> None:
    while True:
        try:
            await delete_expired_entries(app)
        except Exception:  # a busy store is tried again next round
            logger.exception("deleting expired sessions and counters failed")
        await asyncio.sleep(STORE_CLEANUP_SECONDS)


@contextlib.asynccontextmanager
async def run_periodic_tasks(app: Litestar) -> AsyncIterator[None]:
    """Every worker runs them; both are idempotent (each row is re-checked inside its transaction)."""
    tasks = [asyncio.create_task(_auto_close_forever()), asyncio.create_task(_delete_expired_entries_forever(app))]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
