"""Values kept until any process writes anything (data_version()) or for a minute, whichever comes first.

For what many requests read alike and nobody's request changes without writing: a group's shops and
strip map, a page of the JSON API. The key must name everything the value depends on besides the
database (the viewer's scope, the language, the page); the value must not be changed by its users
(copy it, e.g. with msgspec.structs.replace, before adding anything personal).
"""

from __future__ import annotations

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


async def kept(key: Hashable, build: Callable[[], Awaitable[T]]) -> T:
    """The value kept under key since the last write, else what build() returns (kept when nothing was
    written while it was being built)."""
    version = data_version() if _enabled else None
    if version is None:
        return await build()
    entry = _values.get(key)
    if entry is not None and entry[0] == version and time.monotonic() - entry[1] < MAX_AGE_SECONDS:
        _values.move_to_end(key)
        return entry[2]
    value = await build()
    if data_version() == version:
        _values[key] = (version, time.monotonic(), value)
        while len(_values) > MAX_VALUES:
            _values.popitem(last=False)
    return value


def forget_kept() -> None:
    _values.clear()
