"""Need rules: anyone signed in posts one; its author (or staff) marks it met or closes it; the list and search."""

from __future__ import annotations

import datetime as dt
import functools

import msgspec

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import contains, write_transaction
from block_service.errors import Conflict, Forbidden, FormInvalid, NotFound
from block_service.i18n import N_
from block_service.needs import pledging
from block_service.needs.schemas import KINDS, NeedFilter, NeedForm, NeedOut
from block_service.needs.tables import Need
from block_service.pagination import Page, clamp, paginate
from block_service.plans.tables import Plan

LONGEST = dt.timedelta(days=366)


def block_date(moment: dt.datetime | None = None) -> dt.date:
    return (moment or clock.now()).astimezone(clock.BLOCK_TIMEZONE).date()


@functools.cache
def _columns() -> tuple:
    return (
        Need.id,
        Need.kind,
        Need.title,
        Need.description,
        Need.quantity,
        Need.unit,
        Need.until,
        Need.status,
        Need.author.as_alias("author_id"),
        Need.author.display_name.as_alias("author_name"),
        Need.plan.as_alias("plan_id"),
        Need.plan.slug.as_alias("plan_slug"),
        Need.plan.name_zh.as_alias("plan_name_zh"),
        Need.plan.name_en.as_alias("plan_name_en"),
        Need.created_at,
        Need.settled_at,
    )


def is_open(need: NeedOut, today: dt.date | None = None) -> bool:
    """Open to pledges: neither met nor closed, and not past its last day."""
    return need.status == "open" and need.until >= (today or block_date())


def _need(row: dict, today: dt.date) -> NeedOut:
    need = msgspec.convert(row, NeedOut)
    need.past = need.status == "open" and need.until < today
    return need


async def _checked_until(form: NeedForm) -> dt.date:
    errors: dict[str, str] = {}
    until = None
    try:
        until = dt.date.fromisoformat(form.until)
    except ValueError:
        errors["until"] = N_("Enter a date as YYYY-MM-DD.")
    today = block_date()
    if until is not None and until < today:
        errors["until"] = N_("The last day must be today or later.")
    elif until is not None and until > today + LONGEST:
        errors["until"] = N_("A need runs for a year at most.")
    if form.plan_id is not None and not await Plan.exists().where(
        (Plan.id == form.plan_id) & (Plan.active == True)  # noqa: E712
    ):
        errors["plan_id"] = N_("Choose a plan from the list.")
    if errors:
        raise FormInvalid(errors)
    assert until is not None
    return until


async def post_need(viewer: Viewer, form: NeedForm) -> int:
    if not viewer.is_signed_in:
        raise Forbidden("Log in to post a need.")
    until = await _checked_until(form)
    now = clock.now()
    async with write_transaction():
        rows = await Need.insert(
            Need(
                author=viewer.person_id,
                kind=form.kind,
                title=form.title,
                description=form.description,
                quantity=form.quantity,
                unit=form.unit,
                until=until,
                plan=form.plan_id,
                created_at=now,
            )
        ).returning(Need.id)
        need_id = rows[0]["id"]
        await pledging.set_goal(
            need_id, pledging.goal_of(form.kind, form.title, form.quantity, form.unit), viewer.person_id
        )
        await record_change(
            actor_id=viewer.person_id,
            action="need.posted",
            object_type="need",
            object_id=need_id,
            after={"kind": form.kind, "title": form.title, "quantity": form.quantity, "until": until.isoformat()},
        )
    return need_id


async def get_need(need_id: int) -> NeedOut:
    rows = await Need.select(*_columns()).where(Need.id == need_id)
    if not rows:
        raise NotFound("No such need.")
    return _need(rows[0], block_date())


async def list_needs(filters: NeedFilter) -> Page[NeedOut]:
    """Two statements a page (rows and count), whatever its size; Chinese search in the title and text."""
    page, per_page = clamp(filters.page, filters.per_page)
    today = block_date()
    conditions = []
    if filters.status == "open":
        conditions.append((Need.status == "open") & (Need.until >= today))
    elif filters.status in ("met", "closed"):
        conditions.append(Need.status == filters.status)
    if filters.kind in KINDS:
        conditions.append(Need.kind == filters.kind)
    if filters.plan:
        conditions.append(Need.plan == filters.plan)
    if filters.q and filters.q.strip():
        needle = filters.q.strip()[:60]
        conditions.append(contains(Need.title, needle) | contains(Need.description, needle))
    query = Need.select(*_columns()).order_by(Need.created_at, ascending=False).order_by(Need.id, ascending=False)
    count = Need.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    return await paginate(query, count, page, per_page, lambda row: _need(row, today))


def may_manage(viewer: Viewer, need: NeedOut) -> bool:
    return viewer.is_staff or (viewer.person_id is not None and viewer.person_id == need.author_id)


async def settle_need(viewer: Viewer, need_id: int, outcome: str) -> NeedOut:
    """The author or staff mark the need met or close it; only an open need. Returns the need as it was."""
    need = await get_need(need_id)
    if not may_manage(viewer, need):
        raise Forbidden("Only the need's author or staff mark it met or close it.")
    now = clock.now()
    async with write_transaction():
        changed = (
            await Need.update({Need.status: outcome, Need.settled_at: now, Need.settled_by: viewer.person_id})
            .where((Need.id == need_id) & (Need.status == "open"))
            .returning(Need.id)
        )
        if not changed:
            raise Conflict("This need is already met or closed.")
        await record_change(
            actor_id=viewer.person_id,
            action=f"need.{outcome}",
            object_type="need",
            object_id=need_id,
            before={"status": "open"},
            after={"status": outcome},
        )
        await pledging.tell_pledgers(need_id, outcome, now, skip=viewer.person_id)
    return need


async def export_of(person_id: int) -> list[dict]:
    """The needs a person posted, for their data export (pledges are exported by block_service/pledges)."""
    return await Need.select(
        Need.id, Need.kind, Need.title, Need.description, Need.quantity, Need.unit, Need.until, Need.status,
        Need.created_at,
    ).where(Need.author == person_id)  # fmt: skip
