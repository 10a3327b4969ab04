"""Work the service does by itself, at start-up and every hour: closing resolved threads nobody answered,
deleting photos and inbox entries past their retention period."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator

from litestar import Litestar

from block_service.inbox.services import delete_old_entries
from block_service.settings import Settings
from block_service.threads.drafts import delete_expired_drafts
from block_service.threads.retention import delete_expired_photos
from block_service.threads.workflow import close_stale_resolved

logger = logging.getLogger("block_service")
INTERVAL_SECONDS = 3600
STORE_CLEANUP_SECONDS = 600


async def run_housekeeping(settings: Settings, now: dt.datetime | None = None) -> None:
    """One round; each part is idempotent and safe while another worker runs the same round."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        closed = await close_stale_resolved(now)
        if closed:
            logger.info("closed %s resolved threads the reporter did not answer within 7 days", closed)
    except Exception:  # a failed part is retried next hour; the others still run
        logger.exception("auto-closing resolved threads failed")
    try:
        photos = await delete_expired_photos(settings.var_dir, settings.photo_retention_days, now)
        notices = await delete_old_entries(settings.inbox_retention_days, now)
        drafts = await delete_expired_drafts(settings.var_dir, now)
        if photos or notices or drafts:
            logger.info("retention: deleted %s photos, %s inbox entries and %s report drafts", photos, notices, drafts)
    except Exception:
        logger.exception("deleting photos and inbox entries past their retention failed")


async def _housekeeping_forever(settings: Settings) -> None:
    while True:
        await run_housekeeping(settings)
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
    """Every worker runs them; each is idempotent (each row is re-checked inside its transaction)."""
    tasks = [
        asyncio.create_task(_housekeeping_forever(app.state.settings)),
        asyncio.create_task(_delete_expired_entries_forever(app)),
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
