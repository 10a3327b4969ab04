"""Query helpers: literal text search and frozen (prepared once) queries."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from piccolo.query.proxy import Proxy

from block_service.db.engines import is_sqlite


def contains(column, text: str):
    """A case-insensitive substring condition (works for Chinese too).

    Piccolo has no LIKE ... ESCAPE, so a typed % is dropped rather than used as a wildcard; a typed _
    still matches any one character, which only ever widens a search.
    """
    pattern = "%" + text.replace("%", "").replace("\\", "") + "%"
    return column.like(pattern) if is_sqlite() else column.ilike(pattern)


_frozen_queries: OrderedDict[Hashable, Any] = OrderedDict()


FROZEN_QUERIES = 1024


async def run_frozen(key: Hashable, build: Callable[[], Any]) -> Any:
    """Run a query whose compiled SQL is kept under `key` (which must say everything it depends on).

    Piccolo spends longer building a select with joins than SQLite or PostgreSQL spend running it;
    hot pages ask the same few queries again and again.
    """
    frozen = _frozen_queries.get(key)
    if frozen is None:
        query = build()
        if isinstance(query, Proxy):
            # Proxy.freeze() (behind .first(), .output(as_list=True)...) freezes a copy and throws it away,
            # so the SQL would be built again on every run.
            raise TypeError("run_frozen needs a plain query: use .limit(1) rather than .first()")
        frozen = _frozen_queries[key] = query.freeze()
        if len(_frozen_queries) > FROZEN_QUERIES:
            _frozen_queries.popitem(last=False)
    else:
        _frozen_queries.move_to_end(key)
    return await frozen.run()
