"""Receipts: a merchant opening a notice (a person's read, and their shop's if first), acknowledging it for the
shop, and staff reminding the shops that have not (at most once a day).

Every receipt is an INSERT that a unique index guards, with ON CONFLICT DO NOTHING: two merchants of one shop
opening a notice at the same moment write two person receipts and one shop receipt, on either engine.
"""

from __future__ import annotations

import datetime as dt

from block_service import clock, inbox
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.i18n import N_
from block_service.notices.publishing import subject
from block_service.notices.tables import Notice, NoticeRead, NoticeRecipient, NoticeReminder, NoticeShopReceipt

NOT_ADDRESSED = N_("This notice is not addressed to a shop you act for.")


async def notice_row(notice_id: int) -> dict:
    row = await Notice.select(Notice.id, Notice.ack_required, Notice.title).where(Notice.id == notice_id).first()
    if row is None:
        raise NotFound("No such notice.")
    return row


async def addressed_shops(viewer: Viewer, notice_id: int) -> list[int]:
    """The shops this person was a merchant of, among those addressed, when the notice was published."""
    if not viewer.is_signed_in:
        return []
    rows = await NoticeRecipient.select(NoticeRecipient.shop).where(
        (NoticeRecipient.notice == notice_id) & (NoticeRecipient.person == viewer.person_id)
    )
    return sorted({row["shop"] for row in rows})


async def _insert_receipts(notice_id: int, person_id: int, shop_ids: list[int], kind: str, now: dt.datetime) -> None:
    """The person's read and each shop's receipt of this kind, each kept only if it is the first."""
    await NoticeRead.raw(
        "INSERT INTO notice_read (notice, person, read_at) VALUES ({}, {}, {}) ON CONFLICT DO NOTHING",
        notice_id,
        person_id,
        now,
    )
    kinds = ("read", "ack") if kind == "ack" else ("read",)
    for shop_id in shop_ids:
        for each in kinds:
            await NoticeShopReceipt.raw(
                "INSERT INTO notice_shop_receipt (notice, shop, kind, person, at) VALUES ({}, {}, {}, {}, {}) "
                "ON CONFLICT DO NOTHING",
                notice_id,
                shop_id,
                each,
                person_id,
                now,
            )


async def record_read(viewer: Viewer, notice_id: int, shop_ids: list[int]) -> None:
    """Opening the notice's page: the person's receipt and, for each of their addressed shops, the shop's
    receipt if they are its first. Nothing is written when the person has read it before."""
    if not shop_ids:
        return
    already = await NoticeRead.exists().where(
        (NoticeRead.notice == notice_id) & (NoticeRead.person == viewer.person_id)
    )
    if already:
        return
    now = clock.now()
    async with write_transaction():
        await _insert_receipts(notice_id, viewer.person_id, shop_ids, "read", now)
        await inbox.mark_read(viewer.person_id, subject(notice_id), now=now)


async def acknowledge(viewer: Viewer, notice_id: int) -> None:
    """ "收到/已知悉": the first of a shop's merchants records it for the shop; a second press changes nothing."""
    notice = await notice_row(notice_id)
    shop_ids = await addressed_shops(viewer, notice_id)
    if not shop_ids:
        raise Forbidden(NOT_ADDRESSED)
    if not notice["ack_required"]:
        raise Invalid("This notice does not ask for an acknowledgement.")
    now = clock.now()
    async with write_transaction():
        await _insert_receipts(notice_id, viewer.person_id, shop_ids, "ack", now)
        await inbox.mark_read(viewer.person_id, subject(notice_id), now=now)
        await record_change(
            actor_id=viewer.person_id,
            action="notice.acknowledged",
            object_type="notice",
            object_id=notice_id,
            after={"shops": shop_ids},
            at=now,
        )


async def people_to_remind(notice_id: int, ack_required: bool) -> list[int]:
    """The merchants (fixed at publication) of the addressed shops without a receipt yet: read, or where
    acknowledgement is required, acknowledged."""
    rows = await NoticeRecipient.raw(
        "SELECT DISTINCT r.person FROM notice_recipient r WHERE r.notice = {} AND NOT EXISTS ("
        "SELECT 1 FROM notice_shop_receipt s WHERE s.notice = r.notice AND s.shop = r.shop AND s.kind = {})",
        notice_id,
        "ack" if ack_required else "read",
    )
    return sorted(row["person"] for row in rows)


async def remind_the_rest(viewer: Viewer, notice_id: int) -> int:
    """Tell the merchants of the shops that have not read (or acknowledged) it again; once a day at most,
    which the unique (notice, day) index keeps even for two staff pressing at once. Returns how many."""
    if not viewer.is_staff:
        raise Forbidden("Only the workstation reminds shops of a notice.")
    notice = await notice_row(notice_id)
    now = clock.now()
    today = clock.block_today()
    once_a_day = Conflict("The rest were already reminded today; you can remind them again tomorrow.")
    if await NoticeReminder.exists().where((NoticeReminder.notice == notice_id) & (NoticeReminder.day == today)):
        raise once_a_day
    async with write_transaction():
        people = await people_to_remind(notice_id, notice["ack_required"])
        if not people:
            raise Conflict("Every addressed shop has already answered: nobody is left to remind.")
        with duplicate_means(once_a_day):
            await NoticeReminder.insert(
                NoticeReminder(notice=notice_id, day=today, sent_by=viewer.person_id, sent_at=now, reminded=len(people))
            )
        await inbox.deliver(
            people, subject(notice_id), "reminded", now=now, actor_name=viewer.display_name, actor_id=viewer.person_id
        )
        await record_change(
            actor_id=viewer.person_id,
            action="notice.reminded",
            object_type="notice",
            object_id=notice_id,
            after={"people": len(people)},
            at=now,
        )
    return len(people)
