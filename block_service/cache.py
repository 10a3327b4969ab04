"""A small time-limited cache for reference data read on every page (segments, industries, categories).

Staff change these rarely; a save clears this process's copy at once, other processes see the change
within TTL_SECONDS.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

TTL_SECONDS = 30.0
_entries: dict[str, tuple[float, Any]] = {}


async def cached(key: str, load: Callable[[], Awaitable[Any]]) -> Any:
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    value = await load()
    _entries[key] = (now + TTL_SECONDS, value)
    return value


def forget(*prefixes: str) -> None:
    for key in list(_entries):
        if key.startswith(prefixes):
            del _entries[key]
