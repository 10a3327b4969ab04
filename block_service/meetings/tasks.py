"""Work meetings do by themselves: the reminder a day before, every few minutes in every worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from litestar import Litestar

from block_service.meetings.records import send_reminders

logger = logging.getLogger("block_service")
INTERVAL_SECONDS = 300


async def _remind_forever() -> None:
    while True:
        try:
            reminded = await send_reminders()
            if reminded:
                logger.info("reminded those coming to %s meetings", reminded)
        except Exception:  # retried next round
            logger.exception("meeting reminders failed")
        await asyncio.sleep(INTERVAL_SECONDS)


@contextlib.asynccontextmanager
async def run_meeting_tasks(app: Litestar) -> AsyncIterator[None]:
    """Every worker runs it; a meeting is claimed inside the transaction that records its reminders."""
    task = asyncio.create_task(_remind_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
