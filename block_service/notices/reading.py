"""Reading notices: a merchant's own (unread first), staff's all with receipt counts, one notice, the follow-up
of staff (who read, who acknowledged, who has not) and its CSV; how a notice shows in the inbox."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.errors import Forbidden, NotFound
from block_service.inbox import KindView
from block_service.notices.receipts import NOT_ADDRESSED, addressed_shops, record_read
from block_service.notices.schemas import Attachment, FollowUp, NoticeDetail, NoticeSummary, ShopReceipt
from block_service.notices.tables import Notice, NoticeAttachment, NoticeRecipient, NoticeReminder
from block_service.pagination import Page, clamp

PER_PAGE = 20

_MINE = (
    "SELECT n.id, n.title, n.published_at, n.deadline, n.ack_required, n.shop_count, "
    "EXISTS (SELECT 1 FROM notice_read r WHERE r.notice = n.id AND r.person = {}) AS is_read, "
    "EXISTS (SELECT 1 FROM notice_shop_receipt s JOIN notice_recipient c ON c.notice = s.notice AND c.shop = s.shop "
    "WHERE s.notice = n.id AND s.kind = 'ack' AND c.person = {}) AS is_acknowledged "
    "FROM notice n WHERE n.id IN (SELECT notice FROM notice_recipient WHERE person = {}) "
    "ORDER BY is_read, n.published_at DESC, n.id DESC LIMIT {} OFFSET {}"
)
_ALL = (
    "SELECT n.id, n.title, n.published_at, n.deadline, n.ack_required, n.shop_count, "
    "(SELECT COUNT(*) FROM notice_shop_receipt s WHERE s.notice = n.id AND s.kind = 'read') AS shops_read, "
    "(SELECT COUNT(*) FROM notice_shop_receipt s WHERE s.notice = n.id AND s.kind = 'ack') AS shops_acknowledged "
    "FROM notice n ORDER BY n.published_at DESC, n.id DESC LIMIT {} OFFSET {}"
)


async def list_notices(viewer: Viewer, page: int = 1, per_page: int = PER_PAGE) -> Page[NoticeSummary]:
    """Staff: every notice with its receipt counts, newest first. Anyone else: the notices addressed to them,
    unread first. Two statements whatever the page size."""
    page, per_page = clamp(page, per_page)
    offset = (page - 1) * per_page
    if viewer.is_staff:
        rows = await Notice.raw(_ALL, per_page, offset)
        total = await Notice.count()
        items = [
            NoticeSummary(**_common(row), shops_read=row["shops_read"], shops_acknowledged=row["shops_acknowledged"])
            for row in rows
        ]
    else:
        person = viewer.person_id or 0
        rows = await Notice.raw(_MINE, person, person, person, per_page, offset)
        total = await NoticeRecipient.count(distinct=[NoticeRecipient.notice]).where(NoticeRecipient.person == person)
        items = [
            NoticeSummary(**_common(row), read=bool(row["is_read"]), acknowledged=bool(row["is_acknowledged"]))
            for row in rows
        ]
    return Page(items=items, page=page, per_page=per_page, total=total)


def _common(row: dict) -> dict[str, Any]:
    return {
        "id": row["id"],
        "title": row["title"],
        "published_at": _aware(row["published_at"]),
        "deadline": _aware(row["deadline"]) if row["deadline"] else None,
        "ack_required": bool(row["ack_required"]),
        "shop_count": row["shop_count"],
    }


async def _detail_row(notice_id: int) -> dict:
    row = (
        await Notice.select(
            Notice.id,
            Notice.title,
            Notice.body,
            Notice.audience_kind,
            Notice.audience_label,
            Notice.ack_required,
            Notice.deadline,
            Notice.published_at,
            Notice.published_by.display_name.as_alias("published_by"),
            Notice.shop_count,
            Notice.service.as_alias("service_id"),
            Notice.service.title.as_alias("service_title"),
        )
        .where(Notice.id == notice_id)
        .first()
    )
    if row is None:
        raise NotFound("No such notice.")
    return row


async def _attachments(notice_id: int) -> list[Attachment]:
    rows = (
        await NoticeAttachment.select(
            NoticeAttachment.id,
            NoticeAttachment.original_name,
            NoticeAttachment.media_type,
            NoticeAttachment.size_bytes,
        )
        .where(NoticeAttachment.notice == notice_id)
        .order_by(NoticeAttachment.id)
    )
    return [Attachment(**row) for row in rows]


def _detail(row: dict, attachments: list[Attachment], my_shops: list[ShopReceipt] = ()) -> NoticeDetail:
    return NoticeDetail(
        **{**row, "service_title": row["service_title"] or "", "published_by": row["published_by"] or ""},
        attachments=attachments,
        my_shops=list(my_shops),
    )


async def open_notice(viewer: Viewer, notice_id: int) -> NoticeDetail:
    """A notice for staff or a merchant it was addressed to; the merchant's opening is their read receipt."""
    row = await _detail_row(notice_id)
    if viewer.is_staff:
        return _detail(row, await _attachments(notice_id))
    shop_ids = await addressed_shops(viewer, notice_id)
    if not shop_ids:
        raise Forbidden(NOT_ADDRESSED)
    await record_read(viewer, notice_id, shop_ids)
    receipts = [r for r in await shop_receipts(notice_id) if r.shop_id in shop_ids]
    return _detail(row, await _attachments(notice_id), receipts)


async def attachment_for(viewer: Viewer, notice_id: int, attachment_id: int) -> dict:
    """An attachment's stored name, name and type: for staff, or a merchant the notice was addressed to."""
    await _detail_row(notice_id)
    if not viewer.is_staff and not await addressed_shops(viewer, notice_id):
        raise Forbidden(NOT_ADDRESSED)
    row = (
        await NoticeAttachment.select(
            NoticeAttachment.file_name, NoticeAttachment.original_name, NoticeAttachment.media_type
        )
        .where((NoticeAttachment.id == attachment_id) & (NoticeAttachment.notice == notice_id))
        .first()
    )
    if row is None:
        raise NotFound("No such attachment.")
    return row


_RECEIPTS = (
    "SELECT a.shop AS shop_id, s.name AS shop_name, s.house_number, "
    "rd.at AS read_at, pr.display_name AS read_by, ak.at AS acknowledged_at, pa.display_name AS acknowledged_by "
    "FROM notice_audience a JOIN shop s ON s.id = a.shop "
    "LEFT JOIN notice_shop_receipt rd ON rd.notice = a.notice AND rd.shop = a.shop AND rd.kind = 'read' "
    "LEFT JOIN person pr ON pr.id = rd.person "
    "LEFT JOIN notice_shop_receipt ak ON ak.notice = a.notice AND ak.shop = a.shop AND ak.kind = 'ack' "
    "LEFT JOIN person pa ON pa.id = ak.person "
    "WHERE a.notice = {} ORDER BY s.street_number, s.id"
)


async def shop_receipts(notice_id: int) -> list[ShopReceipt]:
    """Every addressed shop with who read and who acknowledged it for the shop, and when; one statement."""
    rows = await Notice.raw(_RECEIPTS, notice_id)
    return [
        ShopReceipt(
            shop_id=row["shop_id"],
            shop_name=row["shop_name"],
            house_number=row["house_number"],
            read_at=_aware(row["read_at"]) if row["read_at"] else None,
            read_by=row["read_by"] or "",
            acknowledged_at=_aware(row["acknowledged_at"]) if row["acknowledged_at"] else None,
            acknowledged_by=row["acknowledged_by"] or "",
        )
        for row in rows
    ]


async def follow_up(viewer: Viewer, notice_id: int) -> FollowUp:
    if not viewer.is_staff:
        raise Forbidden("Only the workstation follows up notices.")
    row = await _detail_row(notice_id)
    receipts = await shop_receipts(notice_id)
    people = await Notice.raw("SELECT COUNT(*) AS n FROM notice_read WHERE notice = {}", notice_id)
    reminders = (
        await NoticeReminder.select(NoticeReminder.day, NoticeReminder.sent_at)
        .where(NoticeReminder.notice == notice_id)
        .order_by(NoticeReminder.sent_at, ascending=False)
    )
    return FollowUp(
        notice=_detail(row, await _attachments(notice_id)),
        shops_read=sum(1 for r in receipts if r.read_at),
        shops_acknowledged=sum(1 for r in receipts if r.acknowledged_at),
        people_read=people[0]["n"],
        receipts=receipts,
        reminded_today=any(r["day"] == clock.block_today() for r in reminders),
        last_reminded_at=_aware(reminders[0]["sent_at"]) if reminders else None,
    )


def receipts_csv(receipts: list[ShopReceipt], header: list[str]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel on a Chinese Windows opens it right."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(header)
    for r in receipts:
        writer.writerow(
            [
                r.shop_id,
                _cell(r.shop_name),
                _cell(r.house_number),
                _when(r.read_at),
                _cell(str(r.read_by)),
                _when(r.acknowledged_at),
                _cell(str(r.acknowledged_by)),
            ]
        )
    return ("\ufeff" + output.getvalue()).encode("utf-8")


def _aware(value) -> dt.datetime:
    """A timestamp as read by a raw statement: SQLite may hand back text or a naive UTC time."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _when(value) -> str:
    return value.astimezone(clock.BLOCK_TIMEZONE).strftime("%Y-%m-%d %H:%M") if value else ""


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def describe_notices(object_ids: list[int], viewer: Viewer) -> dict[int, KindView]:
    """For the inbox: the notices this viewer may open (staff: all; a merchant: those addressed to them), in
    one statement."""
    condition = Notice.id.is_in(object_ids)
    if not viewer.is_staff:
        mine = NoticeRecipient.select(NoticeRecipient.notice).where(NoticeRecipient.person == (viewer.person_id or 0))
        condition = condition & Notice.id.is_in(mine)
    rows = await Notice.select(Notice.id, Notice.title).where(condition)
    return {row["id"]: KindView(title=row["title"], url=f"/notices/{row['id']}") for row in rows}
