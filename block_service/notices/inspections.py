"""门前三包 inspections: rounds (monthly by default), one result per shop per round, a failed item opening a
thread only the shop's merchants and staff see; a shop's own record; per-segment results for everyone else.

Each shop's duty zone is the pavement in front of its house number (the shop's page says so): the results are
filed under the shop, and the public sees them summed per segment and month (`segment_results`), never per shop.
"""

from __future__ import annotations

import datetime as dt

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.notices.schemas import InspectionRoundItem, ResultForm, RoundForm, SegmentMonth, ShopResult
from block_service.notices.tables import InspectionResult, InspectionRound
from block_service.shops.tables import Shop
from block_service.threads.shop_threads import open_shop_thread

# The thread's own words are content (the block writes in Chinese), not interface text.
ITEM_NAMES = {"clean": "整洁", "green": "绿化", "orderly": "有序"}


def may_inspect(viewer: Viewer) -> bool:
    return viewer.is_staff or viewer.has("council")


def _must_inspect(viewer: Viewer) -> None:
    if not may_inspect(viewer):
        raise Forbidden("Only the workstation and council members record inspections.")


def month_of(text: str) -> dt.date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        raise Invalid("Enter a month as YYYY-MM.", field="month") from None


async def start_round(viewer: Viewer, form: RoundForm) -> int:
    """A round for one month; a second round for the same month is refused (the unique index decides)."""
    _must_inspect(viewer)
    month = month_of(form.month)
    if month > clock.block_today():
        raise Invalid("A round cannot be for a month still to come.", field="month")
    title = form.title or f"{month.year}年{month.month}月门前三包检查"
    now = clock.now()
    async with write_transaction():
        with duplicate_means(Conflict("There is already a round for this month.", field="month")):
            rows = await InspectionRound.insert(
                InspectionRound(month=month, title=title[:80], started_by=viewer.person_id, created_at=now)
            ).returning(InspectionRound.id)
        round_id = rows[0]["id"]
        await record_change(
            actor_id=viewer.person_id,
            action="inspection.round_started",
            object_type="inspection_round",
            object_id=round_id,
            after={"month": month.isoformat()},
            at=now,
        )
    return round_id


async def list_rounds(limit: int = 24) -> list[InspectionRoundItem]:
    rows = await InspectionRound.raw(
        "SELECT r.id, r.month, r.title, r.created_at, COUNT(x.id) AS results, "
        "SUM(CASE WHEN x.id IS NOT NULL AND NOT (x.clean AND x.green AND x.orderly) THEN 1 ELSE 0 END) AS failed "
        "FROM inspection_round r LEFT JOIN inspection_result x ON x.round = r.id "
        "GROUP BY r.id, r.month, r.title, r.created_at ORDER BY r.month DESC LIMIT {}",
        limit,
    )
    return [
        InspectionRoundItem(
            id=row["id"],
            month=_date(row["month"]),
            title=row["title"],
            created_at=_aware(row["created_at"]),
            results=row["results"] or 0,
            failed=row["failed"] or 0,
        )
        for row in rows
    ]


async def get_round(viewer: Viewer, round_id: int) -> dict:
    _must_inspect(viewer)
    row = (
        await InspectionRound.select(InspectionRound.id, InspectionRound.month, InspectionRound.title)
        .where(InspectionRound.id == round_id)
        .first()
    )
    if row is None:
        raise NotFound("No such inspection round.")
    return row


async def record_result(
    viewer: Viewer, round_id: int, form: ResultForm, photo_names: list[tuple[str, int, int, int]] = ()
) -> int | None:
    """One shop's result; a failed item opens the shop's 门前三包 thread (with the photo), in the same write.
    Returns the thread's id, or None when every item passed."""
    round_row = await get_round(viewer, round_id)
    shop = (
        await Shop.select(Shop.id, Shop.name, Shop.house_number, Shop.segment, Shop.status)
        .where(Shop.id == form.shop_id)
        .first()
    )
    if shop is None or shop["status"] != "open":
        raise Invalid("Choose an open shop from the list.", field="shop_id")
    failed = [name for key, name in ITEM_NAMES.items() if not getattr(form, key)]
    if failed and not form.note.strip():
        raise Invalid("Say what failed in the note, so the shop knows what to fix.", field="note")
    now = clock.now()
    month = _date(round_row["month"])
    async with write_transaction():
        if await InspectionResult.exists().where(
            (InspectionResult.round == round_id) & (InspectionResult.shop == form.shop_id)
        ):
            raise Conflict("This shop's result is already recorded in this round.", field="shop_id")
        thread_id = None
        if failed:
            thread_id = await open_shop_thread(
                author_id=viewer.person_id,
                author_name=viewer.display_name,
                shop_id=form.shop_id,
                title=f"门前三包检查（{month.year}年{month.month}月）：{'、'.join(failed)}未通过",
                body=(
                    f"{shop['name']}（{shop['house_number']}）门前责任区检查结果："
                    + "，".join(
                        f"{name}{'通过' if getattr(form, key) else '未通过'}" for key, name in ITEM_NAMES.items()
                    )
                    + f"。\n\n{form.note.strip()}\n\n请整改后在此回复，工作站将复查。"
                ),
                photo_names=list(photo_names),
                now=now,
            )
        with duplicate_means(Conflict("This shop's result is already recorded in this round.", field="shop_id")):
            await InspectionResult.insert(
                InspectionResult(
                    round=round_id,
                    shop=form.shop_id,
                    segment=shop["segment"],
                    clean=form.clean,
                    green=form.green,
                    orderly=form.orderly,
                    note=form.note.strip(),
                    photo=photo_names[0][0] if photo_names else "",
                    thread_id=thread_id,
                    inspector=viewer.person_id,
                    recorded_at=now,
                )
            )
        await record_change(
            actor_id=viewer.person_id,
            action="inspection.recorded",
            object_type="inspection_round",
            object_id=round_id,
            after={"shop": form.shop_id, "clean": form.clean, "green": form.green, "orderly": form.orderly},
            at=now,
        )
    return thread_id


async def round_results(viewer: Viewer, round_id: int) -> list[ShopResult]:
    """Every result of a round, for those who inspect."""
    round_row = await get_round(viewer, round_id)
    return await _results(InspectionResult.round == round_id, _date(round_row["month"]))


async def open_shops_to_inspect(viewer: Viewer, round_id: int) -> list[dict]:
    """The open shops without a result in this round yet (for the recording form)."""
    await get_round(viewer, round_id)
    done = await InspectionResult.select(InspectionResult.shop).where(InspectionResult.round == round_id)
    done_ids = {row["shop"] for row in done}
    rows = (
        await Shop.select(Shop.id, Shop.name, Shop.house_number)
        .where(Shop.status == "open")
        .order_by(Shop.street_number)
    )
    return [row for row in rows if row["id"] not in done_ids]


async def shop_record(viewer: Viewer, shop_id: int) -> list[ShopResult]:
    """A shop's own results, newest first: for its merchants and staff only."""
    if not (viewer.is_staff or viewer.acts_for(shop_id)):
        raise Forbidden("A shop's inspection record is for its merchants and the workstation only.")
    return await _results(InspectionResult.shop == shop_id)


async def _results(condition, month: dt.date | None = None) -> list[ShopResult]:
    rows = (
        await InspectionResult.select(
            InspectionResult.round.as_alias("round_id"),
            InspectionResult.round.month.as_alias("month"),
            InspectionResult.shop.as_alias("shop_id"),
            InspectionResult.shop.name.as_alias("shop_name"),
            InspectionResult.shop.house_number.as_alias("house_number"),
            InspectionResult.clean,
            InspectionResult.green,
            InspectionResult.orderly,
            InspectionResult.note,
            InspectionResult.photo,
            InspectionResult.thread_id,
            InspectionResult.recorded_at,
        )
        .where(condition)
        .order_by(InspectionResult.recorded_at, ascending=False)
        .limit(200)
    )
    return [ShopResult(**{**row, "month": _date(row["month"])}) for row in rows]


async def segment_results(first_month: dt.date, last_month: dt.date) -> list[SegmentMonth]:
    """Per segment and month, from `first_month` to `last_month` (first days of months, inclusive): shops
    inspected and how many passed each item and all three. The public figure of 门前三包, and what the
    环境共治 plan's figures read. One statement."""
    rows = await InspectionResult.raw(
        "SELECT x.segment AS segment_id, g.name_zh, g.name_en, g.sort_order, r.month, COUNT(*) AS shops, "
        "SUM(CASE WHEN x.clean THEN 1 ELSE 0 END) AS clean, SUM(CASE WHEN x.green THEN 1 ELSE 0 END) AS green, "
        "SUM(CASE WHEN x.orderly THEN 1 ELSE 0 END) AS orderly, "
        "SUM(CASE WHEN x.clean AND x.green AND x.orderly THEN 1 ELSE 0 END) AS all_passed "
        "FROM inspection_result x JOIN inspection_round r ON r.id = x.round JOIN segment g ON g.id = x.segment "
        "WHERE r.month >= {} AND r.month <= {} "
        "GROUP BY x.segment, g.name_zh, g.name_en, g.sort_order, r.month ORDER BY r.month DESC, g.sort_order",
        first_month,
        last_month,
    )
    return [
        SegmentMonth(
            segment_id=row["segment_id"],
            segment_name_zh=row["name_zh"],
            segment_name_en=row["name_en"],
            month=_date(row["month"]),
            shops_inspected=row["shops"],
            clean_passed=row["clean"] or 0,
            green_passed=row["green"] or 0,
            orderly_passed=row["orderly"] or 0,
            all_passed=row["all_passed"] or 0,
        )
        for row in rows
    ]


async def recent_segment_results(months: int = 6) -> list[SegmentMonth]:
    today = clock.block_today()
    first = dt.date(today.year, today.month, 1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return await segment_results(first, today)


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def _aware(value) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
