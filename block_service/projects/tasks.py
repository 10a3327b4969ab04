"""The projects' scheduled task: every worker closes ended evaluations every few minutes (evaluation.py claims
each project once, so workers running it at once do no harm)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from block_service.projects.evaluation import close_evaluations

INTERVAL_SECONDS = 300
log = logging.getLogger(__name__)


async def _rounds_forever() -> None:
    while True:
        try:
            await close_evaluations()
        except Exception:  # a failed round is retried next time; the task must keep running
            log.exception("closing project evaluations failed")
        await asyncio.sleep(INTERVAL_SECONDS)


@contextlib.asynccontextmanager
async def run_project_tasks(_app: Any) -> AsyncIterator[None]:
    """A lifespan hook of the app."""
    task = asyncio.create_task(_rounds_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
