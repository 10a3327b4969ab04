"""Pages of a list: two statements per page (the rows and the count), whatever the page size."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Generic, TypeVar

import msgspec

from block_service.db import run_frozen

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class Page(msgspec.Struct, Generic[T], kw_only=True):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def clamp(page: int | None, per_page: int | None) -> tuple[int, int]:
    page = max(1, page or 1)
    per_page = min(MAX_PAGE_SIZE, max(1, per_page or DEFAULT_PAGE_SIZE))
    return page, per_page


async def paginate(query: Any, count_query: Any, page: int, per_page: int, convert: Any,
                   cache_key: Hashable | None = None) -> Page:
    """Run a Piccolo select (already filtered and ordered) for one page plus its count.

    With a cache_key that fully describes the query (filters, viewer scope, page), the compiled SQL of
    both statements is kept for next time (db.run_frozen).
    """
    paged = query.limit(per_page).offset((page - 1) * per_page)
    if cache_key is None:
        rows, total = await paged, await count_query
    else:
        rows = await run_frozen(("rows", cache_key), lambda: paged)
        total = await run_frozen(("count", cache_key), lambda: count_query)
    return Page(items=[convert(row) for row in rows], page=page, per_page=per_page, total=total)
