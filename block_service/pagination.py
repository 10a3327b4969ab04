"""Pages of a list: two statements per page (the rows and the count), whatever the page size."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Generic, TypeVar

import msgspec
from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString

from block_service.db import engine, run_frozen

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# A list that can grow without end counts at most this many rows past the start of the page asked for:
# "more than 1,000" reads as well as "10,412", and counting stays a fraction of a millisecond.
COUNT_CAP = 1000


class Page(msgspec.Struct, Generic[T], kw_only=True):
    items: list[T]
    page: int
    per_page: int
    total: int
    # True when counting stopped at the cap: there are more than `total` rows.
    total_capped: bool = False

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


class CappedCount:
    """COUNT(*) over at most `limit` of the rows a one-column select matches: bounded work however many match."""

    def __init__(self, matching: Select, limit: int) -> None:
        inner = matching.limit(limit).querystrings[0]
        self.querystring = QueryString('SELECT COUNT(*) AS "count" FROM ({}) AS "matching"', inner)

    def freeze(self) -> CappedCount:
        self.querystring.freeze(engine_type=engine().engine_type)
        return self

    async def run(self) -> int:
        rows = await engine().run_querystring(self.querystring)
        return rows[0]["count"]

    def __await__(self):
        return self.run().__await__()


async def paginate(
    query: Any, count_query: Any, page: int, per_page: int, convert: Any, cache_key: Hashable | None = None
) -> Page:
    """Run a Piccolo select (already filtered and ordered) for one page plus its count.

    `count_query` is a Piccolo count (exact), or a one-column select of the matching rows, which is
    counted up to COUNT_CAP rows past the page's start (Page.total_capped says when it stopped there).
    With a cache_key that fully describes the query (filters, viewer scope, page), the compiled SQL of
    both statements is kept for next time (db.run_frozen).
    """
    offset = (page - 1) * per_page
    paged = query.limit(per_page).offset(offset)
    cap = offset + COUNT_CAP if isinstance(count_query, Select) else None

    def build_count() -> Any:
        return count_query if cap is None else CappedCount(count_query, cap + 1)

    if cache_key is None:
        rows, total = await paged, await build_count()
    else:
        rows = await run_frozen(("rows", cache_key), lambda: paged)
        total = await run_frozen(("count", cache_key), build_count)
    capped = cap is not None and total > cap
    return Page(
        items=[convert(row) for row in rows],
        page=page,
        per_page=per_page,
        total=cap if capped else total,
        total_capped=capped,
    )
