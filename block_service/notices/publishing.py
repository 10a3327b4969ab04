"""Publishing a notice: the audience (open shops and their merchants) fixed in the same write, the inbox told."""

from __future__ import annotations

import datetime as dt

from block_service import clock, inbox
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import write_transaction
from block_service.errors import Forbidden, Invalid
from block_service.groups.tables import OrgGroup
from block_service.notices.schemas import NoticeForm
from block_service.notices.tables import GovService, Notice, NoticeAttachment, NoticeAudience, NoticeRecipient
from block_service.shops.tables import Shop

KIND = "notice"  # the inbox kind
# (stored file name, name as uploaded, media type, bytes) of each checked and stored attachment.
StoredFile = tuple[str, str, str, int]


def subject(notice_id: int) -> inbox.Subject:
    return inbox.Subject(KIND, notice_id)


def deadline_of(day: str | None, today: dt.date) -> dt.datetime | None:
    """The end of the chosen day on the block's clock; a day already past is refused."""
    if not day:
        return None
    try:
        chosen = dt.date.fromisoformat(day)
    except ValueError:
        raise Invalid("Enter a date as YYYY-MM-DD.", field="deadline") from None
    if chosen < today:
        raise Invalid("The deadline cannot be in the past.", field="deadline")
    return dt.datetime.combine(chosen, dt.time(23, 59), tzinfo=clock.BLOCK_TIMEZONE)


async def form_choices() -> tuple[list[dict], list[dict]]:
    """What the publishing form offers: the groups (regional first, then industry) and the open shops."""
    rows = await OrgGroup.select(
        OrgGroup.id,
        OrgGroup.kind,
        OrgGroup.segment.name_zh,
        OrgGroup.segment.name_en,
        OrgGroup.industry.name_zh,
        OrgGroup.industry.name_en,
    ).order_by(OrgGroup.id)
    groups = [
        {
            "id": row["id"],
            "kind": row["kind"],
            "name_zh": row["segment.name_zh"] or row["industry.name_zh"] or "",
            "name_en": row["segment.name_en"] or row["industry.name_en"] or "",
        }
        for row in rows
    ]
    groups.sort(key=lambda g: (g["kind"] != "regional", g["id"]))
    shops = (
        await Shop.select(Shop.id, Shop.name, Shop.house_number)
        .where(Shop.status == "open")
        .order_by(Shop.street_number)
    )
    return groups, shops


async def audience_shops(form: NoticeForm) -> tuple[list[int], str]:
    """The open shops the form addresses, and the chosen groups' names (for the follow-up page)."""
    is_open = Shop.status == "open"
    if form.audience_kind == "all":
        rows = await Shop.select(Shop.id).where(is_open)
        return [row["id"] for row in rows], ""
    if form.audience_kind == "groups":
        if not form.group_ids:
            raise Invalid("Choose at least one group.", field="group_ids")
        groups = await OrgGroup.select(
            OrgGroup.segment, OrgGroup.industry, OrgGroup.segment.name_zh, OrgGroup.industry.name_zh
        ).where(OrgGroup.id.is_in(form.group_ids))
        segments = sorted({g["segment"] for g in groups if g["segment"] is not None})
        industries = sorted({g["industry"] for g in groups if g["industry"] is not None})
        if not segments and not industries:
            raise Invalid("Choose at least one group.", field="group_ids")
        matches = None
        if segments:
            matches = Shop.segment.is_in(segments)
        if industries:
            by_industry = Shop.industry.is_in(industries)
            matches = by_industry if matches is None else matches | by_industry
        rows = await Shop.select(Shop.id).where(is_open & matches)
        names = [g["segment.name_zh"] or g["industry.name_zh"] or "" for g in groups]
        return [row["id"] for row in rows], "、".join(name for name in names if name)[:300]
    if not form.shop_ids:
        raise Invalid("Choose at least one shop.", field="shop_ids")
    rows = await Shop.select(Shop.id).where(is_open & Shop.id.is_in(form.shop_ids))
    return [row["id"] for row in rows], ""


async def publish_notice(viewer: Viewer, form: NoticeForm, files: list[StoredFile] = ()) -> int:
    """Publish to the addressed open shops; each of their merchants gets it in the inbox. One write."""
    if not viewer.is_staff:
        raise Forbidden("Only the workstation publishes notices.")
    now = clock.now()
    deadline = deadline_of(form.deadline, clock.block_today())
    if form.service_id is not None and not await GovService.exists().where(GovService.id == form.service_id):
        raise Invalid("Choose an entry of the directory from the list.", field="service_id")
    async with write_transaction():
        # Read inside the write: the audience is the shops open at the moment of publication.
        shop_ids, label = await audience_shops(form)
        if not shop_ids:
            raise Invalid("This audience has no open shop: choose other groups or shops.", field="audience_kind")
        rows = await Notice.insert(
            Notice(
                title=form.title,
                body=form.body,
                audience_kind=form.audience_kind,
                audience_label=label,
                ack_required=form.ack_required,
                deadline=deadline,
                service=form.service_id,
                published_by=viewer.person_id,
                published_at=now,
                shop_count=len(shop_ids),
            )
        ).returning(Notice.id)
        notice_id = rows[0]["id"]
        await NoticeAudience.insert(*[NoticeAudience(notice=notice_id, shop=shop) for shop in shop_ids])
        await NoticeRecipient.raw(
            "INSERT INTO notice_recipient (notice, shop, person) "
            "SELECT a.notice, a.shop, m.person FROM notice_audience a "
            "JOIN shop_merchant m ON m.shop = a.shop WHERE a.notice = {}",
            notice_id,
        )
        if files:
            await NoticeAttachment.insert(
                *[
                    NoticeAttachment(
                        notice=notice_id, file_name=name, original_name=original, media_type=kind, size_bytes=size
                    )
                    for name, original, kind, size in files
                ]
            )
        people = await NoticeRecipient.select(NoticeRecipient.person).where(NoticeRecipient.notice == notice_id)
        await inbox.deliver(
            [row["person"] for row in people],
            subject(notice_id),
            "published",
            now=now,
            actor_name=viewer.display_name,
            actor_id=viewer.person_id,
        )
        await record_change(
            actor_id=viewer.person_id,
            action="notice.published",
            object_type="notice",
            object_id=notice_id,
            after={
                "title": form.title,
                "audience": form.audience_kind,
                "shops": len(shop_ids),
                "ack_required": form.ack_required,
                "attachments": len(files),
            },
            at=now,
        )
    return notice_id
