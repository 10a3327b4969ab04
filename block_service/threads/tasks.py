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


async def _auto_close_forever() -> None:
    while True:
        try:
            closed = await close_stale_resolved()
            if closed:
                logger.info("closed %s resolved threads the reporter did not answer within 7 days", closed)
        except Exception:  # a failed round is retried next hour; the task itself must live on
            logger.exception("auto-closing resolved threads failed")
        await asyncio.sleep(INTERVAL_SECONDS)


@contextlib.asynccontextmanager
async def run_periodic_tasks(app: Litestar) -> AsyncIterator[None]:
    """Every worker runs it; the close is idempotent (each row is re-checked inside its transaction)."""
    task = asyncio.create_task(_auto_close_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
