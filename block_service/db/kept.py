"""Values kept until any process writes anything (data_version()) or for about a minute, whichever comes first
(a value only too old is still given to others while one caller builds it again).

For what many requests read alike and nobody's request changes without writing: a group's shops and
strip map, a page of the JSON API. The key must name everything the value depends on besides the
database (the viewer's scope, the language, the page); the value must not be changed by its users
(copy it, e.g. with msgspec.structs.replace, before adding anything personal).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from block_service.db.changes import data_version

T = TypeVar("T")
MAX_AGE_SECONDS = 60
MAX_VALUES = 2000

_values: OrderedDict[Hashable, tuple[Hashable, float, Any]] = OrderedDict()
_enabled = True


def keep_values(enabled: bool) -> None:
    """Set by the app from BLOCK_SHARED_PAGES: off, every value is read afresh."""
    global _enabled
    _enabled = enabled
    _values.clear()


# Values being built, by key: (the data version, the build's outcome). Whoever needs the same value meanwhile
# awaits that build instead of starting another: after a write or the minute, a busy value is built once.
_building: dict[Hashable, tuple[Hashable, asyncio.Future]] = {}
_FAILED = object()


async def kept(key: Hashable, build: Callable[[], Awaitable[T]]) -> T:
    """The value kept under key since the last write, else what build() returns (kept when nothing was
    written while it was being built)."""
    version = data_version() if _enabled else None
    if version is None:
        return await build()
    entry = _values.get(key)
    current = entry is not None and entry[0] == version
    if current and time.monotonic() < entry[1]:
        _values.move_to_end(key)
        return entry[2]
    pending = _building.get(key)
    if pending is not None and pending[0] == version:
        if current:  # only too old: served while it is built again
            return entry[2]
        value = await asyncio.shield(pending[1])
        return await build() if value is _FAILED else value  # the other build failed: its error is its own
    future = asyncio.get_running_loop().create_future()
    _building[key] = (version, future)
    outcome: Any = _FAILED
    try:
        outcome = value = await build()
    finally:
        future.set_result(outcome)
        if _building.get(key, (None, None))[1] is future:
            del _building[key]
    if data_version() == version:
        fresh_for = MAX_AGE_SECONDS * random.uniform(0.75, 1.0)  # noqa: S311 (values kept together fall due apart)
        _values[key] = (version, time.monotonic() + fresh_for, value)
        while len(_values) > MAX_VALUES:
            _values.popitem(last=False)
    return value


def forget_kept() -> None:
    _values.clear()
    _building.clear()
