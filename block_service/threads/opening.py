"""Opening a thread: a report about the block or a group discussion."""

from __future__ import annotations

import datetime as dt

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import write_transaction
from block_service.errors import Conflict, Forbidden, Invalid
from block_service.groups.membership import place_in_group
from block_service.shops.segments import parse_house_number, segment_for_number
from block_service.shops.tables import Shop
from block_service.threads.desk_schemas import IntakeForm
from block_service.threads.notify import deliver
from block_service.threads.photos import MAX_PHOTOS
from block_service.threads.schemas import (
    ThreadForm,
)
from block_service.threads.tables import (
    Category,
    Intake,
    Photo,
    Thread,
)
from block_service.threads.workflow import _shop_merchants, due_after


async def insert_photos(
    thread_id: int, photo_names: list[tuple[str, int, int, int]], *, now: dt.datetime, approved: bool
) -> None:
    """The rows of a new thread's stored photos ((file name, width, height, bytes) each), in the caller's write."""
    if photo_names:
        await Photo.insert(
            *[
                Photo(
                    thread=thread_id,
                    file_name=name,
                    width=width,
                    height=height,
                    size_bytes=size,
                    created_at=now,
                    approved=approved,
                )
                for name, width, height, size in photo_names
            ]
        )


async def open_thread(
    viewer: Viewer,
    form: ThreadForm,
    photo_names: list[tuple[str, int, int, int]] = (),
    *,
    on_behalf: IntakeForm | None = None,
) -> int:
    """Open a report (anyone signed in) or an issue (merchants). Photos were stored by the caller.

    `on_behalf`: staff file it for someone who walked in or phoned; the thread has no author account (the
    public reads "registered by the workstation") and who it came from is kept staff-only in thread_intake."""
    if on_behalf is not None and not viewer.is_staff:
        raise Forbidden("Only the workstation staff may do this.")
    if form.kind == "issue" and not (viewer.has("merchant") or viewer.is_staff):
        raise Forbidden("Only merchants post issues; residents post reports.")
    if len(photo_names) > MAX_PHOTOS:
        raise Invalid("At most %(count)s photos per thread.", field="photos", count=MAX_PHOTOS)
    category = (
        await Category.select(Category.kind, Category.response_hours, Category.active, Category.photos_need_approval)
        .where(Category.id == form.category_id)
        .first()
    )
    if category is None or not category["active"] or category["kind"] != form.kind:
        raise Invalid("Choose a category from the list.", field="category_id")
    approved = not category["photos_need_approval"]
    house_number, street_number = parse_house_number(form.house_number)
    segment_id = await segment_for_number(street_number)
    if form.shop_id is not None and not await Shop.exists().where(Shop.id == form.shop_id):
        raise Invalid("Choose a shop from the list.", field="shop_id")
    now = clock.now()
    async with write_transaction():
        rows = await Thread.insert(
            Thread(
                kind=form.kind,
                title=form.title,
                body=form.body,
                category=form.category_id,
                house_number=house_number,
                street_number=street_number,
                segment=segment_id,
                map_x=form.map_x,
                map_side=form.map_side,
                shop=form.shop_id,
                author=None if on_behalf else viewer.person_id,
                anonymous=form.anonymous,
                name_to_shop=form.anonymous and form.name_to_shop,
                created_at=now,
                last_activity_at=now,
                due_at=now + due_after(category["response_hours"]),
                photo_count=len(photo_names) if approved else 0,  # what the public sees
            )
        ).returning(Thread.id)
        thread_id = rows[0]["id"]
        await insert_photos(thread_id, photo_names, now=now, approved=approved)
        await record_change(
            actor_id=viewer.person_id,
            action="thread.opened",
            object_type="thread",
            object_id=thread_id,
            after={"kind": form.kind, "title": form.title, "shop": form.shop_id, "anonymous": form.anonymous},
        )
        if on_behalf is not None:
            await Intake.insert(
                Intake(
                    thread=thread_id,
                    source=on_behalf.source,
                    work_order=on_behalf.work_order.strip(),
                    caller_name=on_behalf.caller_name.strip(),
                    caller_contact=on_behalf.caller_contact.strip(),
                    filed_by=viewer.person_id,
                    created_at=now,
                )
            )
        if form.shop_id is not None:
            merchants = await _shop_merchants(form.shop_id)
            await deliver(merchants - {viewer.person_id}, thread_id, "opened", actor_name="", now=now)
    return thread_id


async def open_group_thread(
    viewer: Viewer, group_id: int, title: str, body: str, category_id: int | None = None
) -> int:
    """Start a discussion only the group's members and staff read; it stands at the author's shop in the group."""
    place = await place_in_group(viewer, group_id)
    if place is None:
        if viewer.is_staff:
            raise Conflict("This group has no open shop yet, so its discussion cannot start.")
        raise Forbidden("Only the merchants of the group's open shops and staff take part in its discussion.")
    condition = Category.id == category_id if category_id is not None else Category.slug == "other-issue"
    category = (
        await Category.select(Category.id, Category.kind, Category.response_hours, Category.active)
        .where(condition)
        .first()
    )
    if category is None or not category["active"] or category["kind"] != "issue":
        raise Invalid("Choose a category from the list.", field="category_id")
    now = clock.now()
    async with write_transaction():
        rows = await Thread.insert(
            Thread(
                kind="issue",
                title=title,
                body=body,
                category=category["id"],
                house_number=place.house_number,
                street_number=place.street_number,
                segment=place.segment_id,
                shop=None,
                author=viewer.person_id,
                visibility="group",
                group_id=group_id,
                created_at=now,
                last_activity_at=now,
                due_at=now + due_after(category["response_hours"]),
            )
        ).returning(Thread.id)
        thread_id = rows[0]["id"]
        await record_change(
            actor_id=viewer.person_id,
            action="thread.opened",
            object_type="thread",
            object_id=thread_id,
            after={"kind": "issue", "title": title, "group": group_id},
        )
    return thread_id
