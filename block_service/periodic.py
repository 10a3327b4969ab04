"""Work a domain does by itself, every so often, in every worker: one lifespan hook per kind of round.

A round must be idempotent and safe while another worker runs the same round (each claims its rows with a
conditional UPDATE or inside the transaction that records the work). A failed round is logged and retried
at the next one; the app's shutdown cancels the loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

logger = logging.getLogger("block_service")


def every(seconds: float, round_: Callable[[], Awaitable[Any]], what: str) -> Callable[[Any], Any]:
    """A lifespan hook running `round_` now and then every `seconds`; `what` names it in the log."""

    async def forever() -> None:
        while True:
            try:
                done = await round_()
                if done:
                    logger.info("%s: %s", what, done)
            except Exception:  # retried next round
                logger.exception("%s failed", what)
            await asyncio.sleep(seconds)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(forever())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan
