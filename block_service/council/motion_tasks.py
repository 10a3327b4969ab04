"""The motions' scheduled task: every worker runs a round each half minute (open, remind, close), so a
motion closes within a minute of its deadline. Each step claims its rows itself (motion_closing.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from block_service.clock import now
from block_service.council.motion_closing import run_motion_round

INTERVAL_SECONDS = 30


async def _rounds_forever() -> None:
    while True:
        await run_motion_round(now())
        await asyncio.sleep(INTERVAL_SECONDS)


@contextlib.asynccontextmanager
async def run_motion_tasks(_app: Any) -> AsyncIterator[None]:
    """A lifespan hook of the app."""
    task = asyncio.create_task(_rounds_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
