"""Demo data of the staff desk: threads assigned to two staff members, due times, an internal note, reports
filed for a walk-in visitor and from a 12345 work order."""

from __future__ import annotations

import datetime as dt

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.threads import desk, workflow
from block_service.threads.categories import list_categories
from block_service.threads.desk_schemas import IntakeForm, NoteForm
from block_service.threads.schemas import OPEN_STATUSES
from block_service.threads.tables import Thread


async def seed_demo_desk(staff: Viewer, colleague: Viewer) -> None:
    categories = {c.slug: c.id for c in await list_categories()}
    walk_in = await desk.file_on_behalf(
        staff,
        IntakeForm(
            title="1150号门口井盖松动",
            body="王阿姨来工作站说，1150号门口的井盖踩上去会晃，晚上有响声，担心老人绊倒。",
            category_id=categories.get("pavement") or next(iter(categories.values())),
            house_number="1150号",
            source="walk_in",
            caller_name="王阿姨（来访）",
            caller_contact="1141弄7号",
        ),
    )
    hotline = await desk.file_on_behalf(
        staff,
        IntakeForm(
            title="夜间烧烤油烟扰民",
            body="12345 转来：居民反映1147号附近夜间烧烤油烟大，窗户关着也能闻到。",
            category_id=categories.get("noise") or next(iter(categories.values())),
            house_number="1147号",
            source="hotline",
            work_order="SH12345-20261128-0173",
            caller_name="匿名市民",
        ),
    )
    await desk.add_note(staff, walk_in, NoteForm(body="已联系市政养护，周三上午来看；王阿姨希望电话告知结果。"))
    await workflow.assign_thread(staff, hotline, colleague.person_id)
    open_threads = (
        await Thread.select(Thread.id)
        .where(Thread.status.is_in(list(OPEN_STATUSES)) & Thread.assigned_to.is_null())
        .order_by(Thread.id)
    )
    for index, row in enumerate(open_threads[:6]):
        await workflow.assign_thread(staff, row["id"], (staff if index % 2 else colleague).person_id)
    if open_threads:
        # One past its due time, so the overdue queue shows something.
        await desk.set_due(staff, open_threads[-1]["id"], clock.now() - dt.timedelta(hours=5))
