"""Open reports a person may be about to duplicate, ranked by place, shop, category and like titles."""

from __future__ import annotations

import msgspec

from block_service.accounts.schemas import Viewer
from block_service.threads.schemas import OPEN_STATUSES
from block_service.threads.tables import MeToo, Thread

CANDIDATES = 100  # the most recently active open reports of the place or shop; ranked here
SAME_HOUSE, SAME_SEGMENT, SAME_SHOP, SAME_CATEGORY, PER_BIGRAM, MAX_TEXT = 8, 3, 6, 3, 2, 6


class Suggestion(msgspec.Struct, kw_only=True):
    id: int
    title: str
    status: str
    house_number: str
    metoo_count: int
    score: int
    joined: bool = False  # the viewer already said "me too"
    reasons: list[str] = []  # same_house | same_segment | same_shop | same_category | similar_title


def bigrams(text: str) -> set[str]:
    """Pairs of neighbouring characters, spaces and punctuation dropped: Chinese titles share them when alike."""
    kept = "".join(ch for ch in text.lower() if ch.isalnum())
    return {kept[i : i + 2] for i in range(len(kept) - 1)}


def score_candidate(
    row: dict, *, house_number: str, segment_id: int | None, shop_id: int | None, category_id: int | None, title: str
) -> tuple[int, list[str]]:
    """Same house number beats same segment; a same shop, same category and shared title bigrams add up."""
    score, reasons = 0, []
    if house_number and row["house_number"] == house_number:
        score, reasons = score + SAME_HOUSE, [*reasons, "same_house"]
    elif segment_id is not None and row["segment"] == segment_id:
        score, reasons = score + SAME_SEGMENT, [*reasons, "same_segment"]
    if shop_id is not None and row["shop"] == shop_id:
        score, reasons = score + SAME_SHOP, [*reasons, "same_shop"]
    if category_id is not None and row["category"] == category_id:
        score, reasons = score + SAME_CATEGORY, [*reasons, "same_category"]
    shared = len(bigrams(title) & bigrams(row["title"])) if title else 0
    if shared:
        score, reasons = score + min(shared * PER_BIGRAM, MAX_TEXT), [*reasons, "similar_title"]
    return score, reasons


def _as_int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


async def suggest_duplicates(viewer: Viewer, fields: dict[str, str], limit: int = 4) -> list[Suggestion]:
    """Once a place or shop is known: the open public reports there, best match first, never the viewer's own
    nor (for a merchant) complaints about their own shop. Two statements, whatever the number of candidates."""
    segment_id, shop_id = _as_int(fields.get("segment_id")), _as_int(fields.get("shop_id"))
    if segment_id is None and shop_id is None:
        return []
    where_place = None
    if segment_id is not None:
        where_place = Thread.segment == segment_id
    if shop_id is not None:
        same_shop = Thread.shop == shop_id
        where_place = same_shop if where_place is None else where_place | same_shop
    condition = (
        Thread.status.is_in(list(OPEN_STATUSES))
        & (Thread.hidden == False)  # noqa: E712
        & (Thread.visibility == "public")
        & (Thread.kind == "report")
        & where_place
    )
    if viewer.is_signed_in:
        condition = condition & (Thread.author != viewer.person_id)
    rows = (
        await Thread.select(
            Thread.id,
            Thread.title,
            Thread.status,
            Thread.house_number,
            Thread.metoo_count,
            Thread.segment,
            Thread.shop,
            Thread.category,
        )
        .where(condition)
        .order_by(Thread.last_activity_at, ascending=False)
        .limit(CANDIDATES)
    )
    if not viewer.is_staff:
        rows = [row for row in rows if row["shop"] is None or not viewer.acts_for(row["shop"])]
    ranked = []
    for row in rows:
        score, reasons = score_candidate(
            row,
            house_number=fields.get("house_number", ""),
            segment_id=segment_id,
            shop_id=shop_id,
            category_id=_as_int(fields.get("category_id")),
            title=fields.get("title", ""),
        )
        ranked.append((score, row["metoo_count"], row, reasons))
    ranked.sort(key=lambda item: (item[0], item[1], item[2]["id"]), reverse=True)
    best = ranked[:limit]
    joined: set[int] = set()
    if best and viewer.is_signed_in:
        ids = [row["id"] for _score, _count, row, _reasons in best]
        joined = {
            r["thread"]
            for r in await MeToo.select(MeToo.thread).where(
                MeToo.thread.is_in(ids) & (MeToo.person == viewer.person_id)
            )
        }
    return [
        Suggestion(
            id=row["id"],
            title=row["title"],
            status=row["status"],
            house_number=row["house_number"],
            metoo_count=row["metoo_count"],
            score=score,
            joined=row["id"] in joined,
            reasons=reasons,
        )
        for score, _count, row, reasons in best
    ]
