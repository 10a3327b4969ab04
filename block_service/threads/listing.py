"""Thread lists: the public list, the triage queue, a person's own threads, a group's discussion, similar reports."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from piccolo.columns.combination import WhereRaw
from piccolo.query import OrderByRaw

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.db import contains, is_sqlite
from block_service.errors import Forbidden, Invalid
from block_service.pagination import Page, clamp, paginate
from block_service.shops.segments import parse_house_number
from block_service.threads.access import _visible_to, author_columns, author_label, is_overdue, viewer_group_ids
from block_service.threads.schemas import (
    AWAITING_RESPONSE,
    OPEN_STATUSES,
    SimilarThread,
    ThreadFilter,
    ThreadSummary,
)
from block_service.threads.tables import (
    MeToo,
    Thread,
)

NEARBY_NUMBERS = 10


@functools.cache
def _summary_columns() -> tuple:
    """Built once: Piccolo's joined columns cost about as much to build as the query takes to run."""
    return (
        Thread.id,
        Thread.kind,
        Thread.title,
        Thread.status,
        Thread.category.name_zh.as_alias("category_name_zh"),
        Thread.category.name_en.as_alias("category_name_en"),
        Thread.category.emergency.as_alias("urgent"),
        Thread.house_number,
        Thread.segment.name_zh.as_alias("segment_name_zh"),
        Thread.segment.name_en.as_alias("segment_name_en"),
        *author_columns(),
        Thread.metoo_count,
        Thread.message_count,
        Thread.photo_count,
        Thread.created_at,
        Thread.last_activity_at,
        Thread.due_at,
        Thread.hidden,
    )


def _summary(viewer: Viewer, row: dict, now: dt.datetime) -> ThreadSummary:
    label = author_label(
        viewer,
        author_id=row.pop("author_id"),
        author_name=row.pop("author_name"),
        anonymous=row.pop("anonymous"),
        name_to_shop=row.pop("name_to_shop"),
        shop_id=row["shop_id"],
        of_thread=True,
    )
    return ThreadSummary(**row, author_label=label, overdue=is_overdue(row["status"], row["due_at"], now))


def _search_condition(text: str):
    """Substring search that works for Chinese: the trigram index for 3+ characters, LIKE below that."""
    text = text.strip()[:60]
    if is_sqlite() and len(text) >= 3:
        phrase = '"' + text.replace('"', '""') + '"'
        return WhereRaw("thread.id IN (SELECT rowid FROM thread_search WHERE thread_search MATCH {})", phrase)
    return contains(Thread.title, text) | contains(Thread.body, text)


def _filter_conditions(
    viewer: Viewer, filters: ThreadFilter, now: dt.datetime, group_ids: frozenset[int] = frozenset()
) -> list:
    conditions = []
    visible = _visible_to(viewer, group_ids)
    if visible is not None:
        conditions.append(visible)
    if filters.q and filters.q.strip():
        conditions.append(_search_condition(filters.q))
    if filters.kind in ("report", "issue"):
        conditions.append(Thread.kind == filters.kind)
    if filters.status == "open":
        conditions.append(Thread.status.is_in(list(OPEN_STATUSES)))
    elif filters.status:
        conditions.append(Thread.status == filters.status)
    if filters.category:
        conditions.append(Thread.category == filters.category)
    if filters.shop:
        conditions.append(Thread.shop == filters.shop)
    if filters.segment:
        conditions.append(Thread.segment == filters.segment)
    if filters.overdue:
        conditions.append(Thread.status.is_in(list(AWAITING_RESPONSE)) & (Thread.due_at < now))
    return conditions


async def _thread_page(
    viewer: Viewer, conditions: Iterable, filters: ThreadFilter, order=None, cache_key=None
) -> Page[ThreadSummary]:
    page, per_page = clamp(filters.page, filters.per_page)
    now = clock.now()
    query = Thread.select(*_summary_columns())
    count = Thread.select(Thread.id)  # counted up to a cap: the list of all threads grows without end
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    if order is not None:
        query = query.order_by(order)
    query = query.order_by(Thread.last_activity_at, ascending=False).order_by(Thread.id, ascending=False)
    return await paginate(query, count, page, per_page, lambda row: _summary(viewer, row, now), cache_key=cache_key)


def _list_cache_key(viewer: Viewer, filters: ThreadFilter, group_ids: frozenset[int]) -> tuple | None:
    """What makes the list query what it is; None when it depends on the clock (overdue)."""
    if filters.overdue:
        return None
    # The groups are part of the scope: a shop that opens, moves or closes changes them for the same person.
    scope = "staff" if viewer.is_staff else (viewer.person_id, tuple(sorted(group_ids)))
    return (
        "threads",
        scope,
        filters.q,
        filters.kind,
        filters.status,
        filters.category,
        filters.shop,
        filters.segment,
        *clamp(filters.page, filters.per_page),
    )


async def list_threads(viewer: Viewer, filters: ThreadFilter) -> Page[ThreadSummary]:
    """The list: public threads and the discussions of the viewer's groups; two statements per page (rows
    with joins, and the count) whatever the size, plus one for a merchant's groups."""
    group_ids = await viewer_group_ids(viewer)
    return await _thread_page(
        viewer,
        _filter_conditions(viewer, filters, clock.now(), group_ids),
        filters,
        cache_key=_list_cache_key(viewer, filters, group_ids),
    )


async def triage_queue(viewer: Viewer, filters: ThreadFilter) -> Page[ThreadSummary]:
    """Staff's queue: emergencies awaiting a response first (gas, fire, injury), then overdue, then new and
    reopened by deadline, then the rest by activity."""
    conditions = _filter_conditions(viewer, filters, clock.now())
    if not filters.status:
        conditions.append(Thread.status.is_in(list(OPEN_STATUSES) + ["resolved"]))
    urgency = OrderByRaw(
        "CASE WHEN thread.status IN ('new', 'reopened') AND EXISTS "
        "(SELECT 1 FROM category WHERE category.id = thread.category AND category.emergency = {}) THEN 0 "
        "WHEN thread.status IN ('new', 'reopened') AND thread.due_at < {} THEN 1 "
        "WHEN thread.status IN ('new', 'reopened') THEN 2 ELSE 3 END, thread.due_at",
        True,
        clock.now(),
    )
    return await _thread_page(viewer, conditions, filters, order=urgency)


async def my_threads(viewer: Viewer, filters: ThreadFilter) -> Page[ThreadSummary]:
    """Threads I reported, joined with me-too, or that concern a shop I act for."""
    mine = (Thread.author == viewer.person_id) | Thread.id.is_in(
        MeToo.select(MeToo.thread).where(MeToo.person == viewer.person_id)
    )
    if viewer.shop_ids:
        mine = mine | Thread.shop.is_in(list(viewer.shop_ids))
    conditions = [*_filter_conditions(viewer, filters, clock.now(), await viewer_group_ids(viewer)), mine]
    return await _thread_page(viewer, conditions, filters)


async def count_overdue() -> int:
    return await Thread.count().where(Thread.status.is_in(list(AWAITING_RESPONSE)) & (Thread.due_at < clock.now()))


async def list_group_threads(viewer: Viewer, group_id: int, page: int = 1) -> Page[ThreadSummary]:
    """A group's discussion, for its members and staff: two statements per page, plus one for a merchant's groups."""
    if not viewer.is_staff and group_id not in await viewer_group_ids(viewer):
        raise Forbidden("Only the merchants of the group's open shops and staff take part in its discussion.")
    conditions = [(Thread.visibility == "group") & (Thread.group_id == group_id)]
    if not viewer.is_staff:
        conditions.append((Thread.hidden == False) | (Thread.author == viewer.person_id))  # noqa: E712
    return await _thread_page(viewer, conditions, ThreadFilter(page=page))


async def similar_threads(
    shop_id: int | None, category_id: int | None, house_number: str | None, title: str | None, limit: int = 5
) -> list[SimilarThread]:
    """Open threads a person is about to duplicate: same shop, same category nearby, or a like title."""
    candidates = (
        (Thread.status.is_in(list(OPEN_STATUSES)) | (Thread.status == "resolved"))
        & (Thread.hidden == False)  # noqa: E712
        & (Thread.visibility == "public")
    )  # noqa: E712
    reasons = []
    if shop_id:
        reasons.append(("same_shop", Thread.shop == shop_id))
    number = None
    if house_number:
        try:
            number = parse_house_number(house_number)[1]
        except Invalid:
            number = None
    if category_id and number is not None:
        reasons.append(
            (
                "same_category_nearby",
                (Thread.category == category_id)
                & (Thread.street_number >= number - NEARBY_NUMBERS)
                & (Thread.street_number <= number + NEARBY_NUMBERS),
            )
        )
    if title and len(title.strip()) >= 2:
        reasons.append(("similar_title", _search_condition(title.strip()[:20])))
    if not reasons:
        return []
    combined = reasons[0][1]
    for _why, condition in reasons[1:]:
        combined = combined | condition
    rows = (
        await Thread.select(
            Thread.id,
            Thread.title,
            Thread.status,
            Thread.house_number,
            Thread.metoo_count,
            Thread.shop,
            Thread.category,
            Thread.street_number,
        )
        .where(candidates & combined)
        .order_by(Thread.metoo_count, ascending=False)
        .order_by(Thread.last_activity_at, ascending=False)
        .limit(limit)
    )
    out = []
    for row in rows:
        if shop_id and row["shop"] == shop_id:
            why = "same_shop"
        elif (
            category_id
            and row["category"] == category_id
            and number is not None
            and abs(row["street_number"] - number) <= NEARBY_NUMBERS
        ):
            why = "same_category_nearby"
        else:
            why = "similar_title"
        out.append(
            SimilarThread(
                id=row["id"],
                title=row["title"],
                status=row["status"],
                house_number=row["house_number"],
                metoo_count=row["metoo_count"],
                why=why,
            )
        )
    return out
