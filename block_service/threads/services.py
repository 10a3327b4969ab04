"""Thread rules: opening, answering, the status workflow, me-too, flags, moderation, the inbox, evaluations."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

import msgspec
from piccolo.columns.combination import WhereRaw
from piccolo.query import OrderByRaw

from block_service import inbox
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.cache import cached, forget
from block_service.db import contains, is_sqlite, is_unique_violation, run_frozen, write_transaction
from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.groups.services import group_ids_of, place_in_group
from block_service.i18n import gettext as _
from block_service.inbox.tables import InboxEntry
from block_service.names import shown_name
from block_service.pagination import Page, clamp, paginate
from block_service.shops.services import parse_house_number, segment_for_number
from block_service.shops.tables import Shop, ShopMerchant
from block_service.threads import notify
from block_service.threads.notify import deliver, unmuted
from block_service.threads.schemas import (
    AWAITING_RESPONSE,
    OPEN_STATUSES,
    AnswerForm,
    CategoryForm,
    CategoryOut,
    EvaluationForm,
    EvaluationSummary,
    MessageOut,
    PhotoOut,
    ResponseTemplateOut,
    SimilarThread,
    StatusForm,
    TemplateForm,
    ThreadDetail,
    ThreadFilter,
    ThreadForm,
    ThreadPage,
    ThreadSummary,
)
from block_service.threads.tables import (
    Category,
    Evaluation,
    Flag,
    Message,
    MeToo,
    Mute,
    Photo,
    ResponseTemplate,
    Thread,
)

FLAGS_TO_HIDE = 3
# Only flags from accounts at least this old count toward hiding: new accounts are made in a minute.
FLAG_ACCOUNT_MIN_AGE = dt.timedelta(days=7)
AUTO_CLOSE_AFTER = dt.timedelta(days=7)
MAX_PHOTOS = 3
NEARBY_NUMBERS = 10


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---- categories and response templates --------------------------------------------------------


async def list_categories(kind: str | None = None, active_only: bool = True) -> list[CategoryOut]:
    async def load() -> list[CategoryOut]:
        query = Category.select().order_by(Category.kind).order_by(Category.sort_order).order_by(Category.id)
        return [msgspec.convert(row, CategoryOut) for row in await query]

    categories = await cached("categories", load)
    return [c for c in categories if (not kind or c.kind == kind) and (c.active or not active_only)]


async def save_category(staff: Viewer, form: CategoryForm, category_id: int | None = None) -> int:
    values = msgspec.structs.asdict(form)
    try:
        async with write_transaction():
            before = None
            if category_id is None:
                rows = await Category.insert(Category(**values)).returning(Category.id)
                category_id = rows[0]["id"]
            else:
                before = await Category.select().where(Category.id == category_id).first()
                if before is None:
                    raise NotFound("No such category.")
                await Category.update(values).where(Category.id == category_id)
            forget("categories")
            await record_change(
                actor_id=staff.person_id,
                action="category.saved",
                object_type="category",
                object_id=category_id,
                before=before,
                after=values,
            )
    except Exception as error:
        if is_unique_violation(error):
            raise Invalid("This code is already used.", field="slug") from None
        raise
    return category_id


async def list_response_templates(category_id: int | None = None) -> list[ResponseTemplateOut]:
    query = (
        ResponseTemplate.select(
            ResponseTemplate.id,
            ResponseTemplate.category.as_alias("category_id"),
            ResponseTemplate.title,
            ResponseTemplate.body,
        )
        .order_by(ResponseTemplate.category)
        .order_by(ResponseTemplate.id)
    )
    if category_id is not None:
        query = query.where(ResponseTemplate.category == category_id)
    return [msgspec.convert(row, ResponseTemplateOut) for row in await query]


async def get_response_template(template_id: int) -> ResponseTemplateOut:
    templates = [t for t in await list_response_templates() if t.id == template_id]
    if not templates:
        raise NotFound("No such response template.")
    return templates[0]


async def save_response_template(staff: Viewer, form: TemplateForm, template_id: int | None = None) -> int:
    if not await Category.exists().where(Category.id == form.category_id):
        raise Invalid("Choose a category from the list.", field="category_id")
    values = {"category": form.category_id, "title": form.title, "body": form.body}
    async with write_transaction():
        if template_id is None:
            rows = await ResponseTemplate.insert(ResponseTemplate(**values)).returning(ResponseTemplate.id)
            template_id = rows[0]["id"]
        else:
            updated = (
                await ResponseTemplate.update(values)
                .where(ResponseTemplate.id == template_id)
                .returning(ResponseTemplate.id)
            )
            if not updated:
                raise NotFound("No such response template.")
        await record_change(
            actor_id=staff.person_id,
            action="response_template.saved",
            object_type="response_template",
            object_id=template_id,
            after=values,
        )
    return template_id


# ---- who sees what ------------------------------------------------------------------------------


async def viewer_group_ids(viewer: Viewer) -> frozenset[int]:
    """The groups whose discussions this viewer reads; staff read every group's (no query for them)."""
    if viewer.is_staff:
        return frozenset()
    return await group_ids_of(viewer)


def _visible_to(viewer: Viewer, group_ids: frozenset[int] = frozenset()):
    """Public, unhidden threads, and the discussions of the viewer's groups; staff see everything;
    authors also see their own hidden threads."""
    if viewer.is_staff:
        return None
    readable = Thread.visibility == "public"
    if group_ids:
        readable = readable | ((Thread.visibility == "group") & Thread.group_id.is_in(sorted(group_ids)))
    condition = readable & (Thread.hidden == False)  # noqa: E712
    if viewer.is_signed_in:
        condition = condition | ((Thread.author == viewer.person_id) & readable)
    return condition


def may_identify_author(
    viewer: Viewer, *, author_id: int | None, anonymous: bool, name_to_shop: bool, shop_id: int | None
) -> bool:
    """Whether this viewer may know who wrote a thread: its name and its person id go together, on every surface.

    Everyone may know a named author; an anonymous reporter is known to themselves, to staff, and to the
    merchants of the shop concerned only if the reporter allowed it.
    """
    if author_id is None:
        return False
    if viewer.is_signed_in and viewer.person_id == author_id:
        return True
    if not anonymous or viewer.is_staff:
        return True
    return name_to_shop and shop_id is not None and viewer.acts_for(shop_id)


def author_label(
    viewer: Viewer,
    *,
    author_id: int | None,
    author_name: str | None,
    anonymous: bool,
    name_to_shop: bool,
    shop_id: int | None,
) -> str:
    """The reporter's name as this viewer may see it; an anonymous reporter is "a resident" to the public."""
    if author_id is None:
        return _("The workstation")
    if viewer.person_id == author_id:
        return _("%(name)s (you)", name=author_name or "")
    if may_identify_author(
        viewer, author_id=author_id, anonymous=anonymous, name_to_shop=name_to_shop, shop_id=shop_id
    ):
        return shown_name(author_name)
    return _("A resident")


ANONYMOUS_ACTOR = "resident"


def notice_actor(actor: Viewer, thread: dict) -> tuple[str, str]:
    """How an inbox entry names who acted, as (name, alias): the same for every recipient, so it is stored once.

    An anonymous reporter acting on their own report is stored as "a resident" with no name at all: the
    recipients (the shop's merchants, the me-too people) may not know who reported it.
    """
    if thread["anonymous"] and actor.person_id == thread["author"]:
        return "", ANONYMOUS_ACTOR
    return actor.display_name, ""


def sees_photos_before_approval(viewer: Viewer, thread: ThreadDetail) -> bool:
    """Photos awaiting staff approval: the reporter, the merchants of the shop concerned and staff see them."""
    if viewer.is_staff:
        return True
    if viewer.person_id is not None and viewer.person_id == thread.author_id:
        return True
    return thread.shop_id is not None and viewer.acts_for(thread.shop_id)


def is_overdue(status: str, due_at: dt.datetime, now: dt.datetime | None = None) -> bool:
    if due_at.tzinfo is None:
        due_at = due_at.replace(tzinfo=dt.UTC)
    return status in AWAITING_RESPONSE and due_at < (now or _now())


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
        Thread.house_number,
        Thread.segment.name_zh.as_alias("segment_name_zh"),
        Thread.segment.name_en.as_alias("segment_name_en"),
        Thread.shop.as_alias("shop_id"),
        Thread.shop.name.as_alias("shop_name"),
        Thread.author.as_alias("author_id"),
        Thread.author.display_name.as_alias("author_name"),
        Thread.anonymous,
        Thread.name_to_shop,
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
    now = _now()
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
        _filter_conditions(viewer, filters, _now(), group_ids),
        filters,
        cache_key=_list_cache_key(viewer, filters, group_ids),
    )


async def triage_queue(viewer: Viewer, filters: ThreadFilter) -> Page[ThreadSummary]:
    """Staff's queue: overdue first, then new and reopened by deadline, then the rest by activity."""
    conditions = _filter_conditions(viewer, filters, _now())
    if not filters.status:
        conditions.append(Thread.status.is_in(list(OPEN_STATUSES) + ["resolved"]))
    urgency = OrderByRaw(
        "CASE WHEN thread.status IN ('new', 'reopened') AND thread.due_at < {} THEN 0 "
        "WHEN thread.status IN ('new', 'reopened') THEN 1 ELSE 2 END, thread.due_at",
        _now(),
    )
    return await _thread_page(viewer, conditions, filters, order=urgency)


async def my_threads(viewer: Viewer, filters: ThreadFilter) -> Page[ThreadSummary]:
    """Threads I reported, joined with me-too, or that concern a shop I act for."""
    mine = (Thread.author == viewer.person_id) | Thread.id.is_in(
        MeToo.select(MeToo.thread).where(MeToo.person == viewer.person_id)
    )
    if viewer.shop_ids:
        mine = mine | Thread.shop.is_in(list(viewer.shop_ids))
    conditions = [*_filter_conditions(viewer, filters, _now(), await viewer_group_ids(viewer)), mine]
    return await _thread_page(viewer, conditions, filters)


async def count_overdue() -> int:
    return await Thread.count().where(Thread.status.is_in(list(AWAITING_RESPONSE)) & (Thread.due_at < _now()))


# ---- one thread ---------------------------------------------------------------------------------


@functools.cache
def _detail_columns() -> tuple:
    return (
        Thread.id,
        Thread.kind,
        Thread.title,
        Thread.body,
        Thread.status,
        Thread.category.as_alias("category_id"),
        Thread.category.name_zh.as_alias("category_name_zh"),
        Thread.category.name_en.as_alias("category_name_en"),
        Thread.house_number,
        Thread.street_number,
        Thread.segment.as_alias("segment_id"),
        Thread.segment.name_zh.as_alias("segment_name_zh"),
        Thread.segment.name_en.as_alias("segment_name_en"),
        Thread.map_x,
        Thread.map_side,
        Thread.shop.as_alias("shop_id"),
        Thread.shop.name.as_alias("shop_name"),
        Thread.author.as_alias("author_id"),
        Thread.author.display_name.as_alias("author_name"),
        Thread.anonymous,
        Thread.name_to_shop,
        Thread.duplicate_of,
        Thread.assigned_to,
        Thread.assigned_to.display_name.as_alias("assigned_name"),
        Thread.hidden,
        Thread.hidden_reason,
        Thread.metoo_count,
        Thread.message_count,
        Thread.created_at,
        Thread.due_at,
        Thread.resolved_at,
        Thread.closed_at,
        Thread.visibility,
        Thread.group_id,
    )


async def _thread_row(thread_id: int) -> dict:
    rows = await run_frozen(
        ("thread", thread_id), lambda: Thread.select(*_detail_columns()).where(Thread.id == thread_id).limit(1)
    )
    if not rows:
        raise NotFound("No such thread.")
    return rows[0]


def _may_see(viewer: Viewer, row: dict, group_ids: frozenset[int] = frozenset()) -> bool:
    if viewer.is_staff:
        return True
    if row["visibility"] == "group":
        if row["group_id"] not in group_ids:
            return False
    elif row["visibility"] not in ("public", "attached"):  # "attached": a proposal's discussion (attached.py)
        return False
    return not row["hidden"] or row["author_id"] == viewer.person_id


async def _group_ids_for(viewer: Viewer, row: dict) -> frozenset[int]:
    """The viewer's groups, asked for only when the thread is a group's discussion."""
    if row["visibility"] != "group":
        return frozenset()
    return await viewer_group_ids(viewer)


async def load_thread_for(viewer: Viewer, thread_id: int) -> dict:
    """The one way to reach a thread, for reading it or acting on it: as this viewer may see it.

    A thread the viewer may not see answers exactly as one that does not exist (the same 404), so no
    action tells an outsider that a group's discussion or a hidden thread is there."""
    row = await _thread_row(thread_id)
    if not _may_see(viewer, row, await _group_ids_for(viewer, row)):
        raise NotFound("No such thread.")
    return row


async def load_message_for(viewer: Viewer, message_id: int) -> dict:
    """A message (id, thread, author, hidden) as this viewer may reach it: only on a thread they may see."""
    rows = await run_frozen(
        ("message-for-viewer", message_id),
        lambda: (
            Message.select(
                Message.id,
                Message.thread.as_alias("thread_id"),
                Message.author,
                Message.hidden,
            )
            .where(Message.id == message_id)
            .limit(1)
        ),
    )
    if not rows:
        raise NotFound("No such message.")
    try:
        thread = await load_thread_for(viewer, rows[0]["thread_id"])
    except NotFound:
        raise NotFound("No such message.") from None
    return {**rows[0], "shop_id": thread["shop_id"]}


async def get_thread(viewer: Viewer, thread_id: int) -> ThreadDetail:
    return _thread_detail(viewer, await load_thread_for(viewer, thread_id))


def _thread_detail(viewer: Viewer, row: dict) -> ThreadDetail:
    """The thread as this viewer may see it: the author's id only where the author's name is shown."""
    row = dict(row)
    author = {
        "author_id": row.pop("author_id"),
        "anonymous": row["anonymous"],
        "name_to_shop": row.pop("name_to_shop"),
        "shop_id": row["shop_id"],
    }
    label = author_label(viewer, author_name=row.pop("author_name"), **author)
    shown_id = author["author_id"] if may_identify_author(viewer, **author) else None
    return ThreadDetail(**row, author_id=shown_id, author_label=label, overdue=is_overdue(row["status"], row["due_at"]))


def _is_author(viewer: Viewer, thread: ThreadDetail) -> bool:
    return viewer.is_signed_in and thread.author_id is not None and viewer.person_id == thread.author_id


def allowed_statuses(viewer: Viewer, thread: ThreadDetail) -> list[str]:
    """The statuses this viewer may move this thread to, in workflow order."""
    if not viewer.is_signed_in:
        return []
    if viewer.is_staff:
        return [
            s
            for s in ("acknowledged", "in_progress", "resolved", "closed", "rejected", "duplicate", "reopened")
            if s != thread.status
        ]
    allowed: list[str] = []
    if thread.shop_id is not None and viewer.acts_for(thread.shop_id) and thread.status in OPEN_STATUSES:
        allowed += [s for s in ("in_progress", "resolved") if s != thread.status]
    if _is_author(viewer, thread):
        if thread.status == "resolved":
            allowed += ["closed", "reopened"]
        elif thread.status == "closed":
            allowed.append("reopened")
    return allowed


async def get_thread_page(viewer: Viewer, thread_id: int, after_message: int = 0) -> ThreadPage:
    thread = await get_thread(viewer, thread_id)
    messages = await list_messages(viewer, thread, after_message)
    photos = await run_frozen(
        ("photos", thread_id),
        lambda: (
            Photo.select(Photo.id, Photo.file_name, Photo.width, Photo.height, Photo.approved)
            .where(Photo.thread == thread_id)
            .order_by(Photo.id)
        ),
    )
    if not sees_photos_before_approval(viewer, thread):
        photos = [photo for photo in photos if photo["approved"]]
    evaluations = await _evaluation_summary(thread_id)
    metoo = muted = evaluated = False
    if viewer.is_signed_in:
        states = await Thread.raw(
            "SELECT "
            "EXISTS(SELECT 1 FROM me_too WHERE thread = {} AND person = {}) AS metoo, "
            "EXISTS(SELECT 1 FROM thread_mute WHERE thread = {} AND person = {}) AS muted, "
            "EXISTS(SELECT 1 FROM evaluation WHERE thread = {} AND person = {}) AS evaluated",
            thread_id,
            viewer.person_id,
            thread_id,
            viewer.person_id,
            thread_id,
            viewer.person_id,
        )
        metoo, muted, evaluated = (bool(states[0][key]) for key in ("metoo", "muted", "evaluated"))
    is_author = _is_author(viewer, thread)
    return ThreadPage(
        thread=thread,
        messages=messages,
        photos=[msgspec.convert(p, PhotoOut) for p in photos],
        evaluations=evaluations,
        allowed_statuses=allowed_statuses(viewer, thread),
        viewer_metoo=metoo,
        viewer_muted=muted,
        viewer_evaluated=evaluated,
        viewer_may_evaluate=thread.status == "closed" and (is_author or metoo) and not evaluated,
        viewer_may_answer=viewer.is_signed_in and not thread.hidden,
        viewer_answers_officially=viewer.is_staff or (thread.shop_id is not None and viewer.acts_for(thread.shop_id)),
        viewer_is_author=is_author,
    )


@functools.cache
def _message_columns() -> tuple:
    return (
        Message.id,
        Message.kind,
        Message.author.as_alias("author_id"),
        Message.author.display_name.as_alias("author_name"),
        Message.thread.author.as_alias("reporter_id"),
        Message.official,
        Message.body,
        Message.status_from,
        Message.status_to,
        Message.hidden,
        Message.hidden_reason,
        Message.created_at,
    )


async def list_messages(viewer: Viewer, thread: ThreadDetail, after_message: int = 0) -> list[MessageOut]:
    def build():
        query = Message.select(*_message_columns()).where(Message.thread == thread.id)
        if after_message:
            query = query.where(Message.id > after_message)
        return query.order_by(Message.created_at).order_by(Message.id)

    out = []
    for row in await run_frozen(("messages", thread.id, after_message), build):
        author_id = row.pop("author_id")
        author_name = row.pop("author_name")
        # Compared with the reporter's id from the database: the thread as shown may not carry it.
        reporter_id = row.pop("reporter_id")
        if author_id is not None and author_id == reporter_id:
            # The reporter's own messages are as anonymous as the report itself.
            label = thread.author_label
        else:
            label = author_label(
                viewer,
                author_id=author_id,
                author_name=author_name,
                anonymous=False,
                name_to_shop=False,
                shop_id=thread.shop_id,
            )
        if row["hidden"] and not viewer.is_staff and viewer.person_id != author_id:
            row["body"] = ""
        out.append(MessageOut(**row, author_label=label, mine=author_id is not None and viewer.person_id == author_id))
    return out


async def _evaluation_summary(thread_id: int) -> EvaluationSummary:
    rows = await run_frozen(
        ("evaluations", thread_id),
        lambda: Evaluation.select(Evaluation.fixed, Evaluation.score).where(Evaluation.thread == thread_id),
    )
    scores = [row["score"] for row in rows]
    return EvaluationSummary(
        count=len(rows),
        fixed_yes=sum(row["fixed"] == "yes" for row in rows),
        fixed_partly=sum(row["fixed"] == "partly" for row in rows),
        fixed_no=sum(row["fixed"] == "no" for row in rows),
        average_score=round(sum(scores) / len(scores), 1) if scores else None,
    )


# ---- opening a thread ---------------------------------------------------------------------------


async def open_thread(viewer: Viewer, form: ThreadForm, photo_names: list[tuple[str, int, int, int]] = ()) -> int:
    """Open a report (anyone signed in) or an issue (merchants). Photos were stored by the caller."""
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
    now = _now()
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
                author=viewer.person_id,
                anonymous=form.anonymous,
                name_to_shop=form.anonymous and form.name_to_shop,
                created_at=now,
                last_activity_at=now,
                due_at=now + dt.timedelta(hours=category["response_hours"]),
                photo_count=len(photo_names) if approved else 0,  # what the public sees
            )
        ).returning(Thread.id)
        thread_id = rows[0]["id"]
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
        await record_change(
            actor_id=viewer.person_id,
            action="thread.opened",
            object_type="thread",
            object_id=thread_id,
            after={"kind": form.kind, "title": form.title, "shop": form.shop_id, "anonymous": form.anonymous},
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
    now = _now()
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
                due_at=now + dt.timedelta(hours=category["response_hours"]),
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


# ---- answers and the workflow -------------------------------------------------------------------


async def _shop_merchants(shop_id: int | None) -> set[int]:
    if shop_id is None:
        return set()
    rows = await ShopMerchant.select(ShopMerchant.person).where(ShopMerchant.shop == shop_id)
    return {row["person"] for row in rows}


async def _participants(thread: dict) -> set[int]:
    """Everyone taking part: reporter, me-too people, the shop's merchants and the assigned staff."""
    people = {thread["author"], thread["assigned_to"]} - {None}
    rows = await MeToo.raw(
        "SELECT person FROM me_too WHERE thread = {} UNION SELECT person FROM shop_merchant WHERE shop = {}",
        thread["id"],
        thread["shop"],
    )
    return people | {row["person"] for row in rows}


async def _locked_thread(thread_id: int) -> dict:
    row = (
        await Thread.select(
            Thread.id,
            Thread.status,
            Thread.author,
            Thread.anonymous,
            Thread.shop,
            Thread.assigned_to,
            Thread.hidden,
            Thread.kind,
            Thread.category.response_hours.as_alias("response_hours"),
            Thread.visibility,
            Thread.group_id,
            Thread.title,
        )
        .where(Thread.id == thread_id)
        .first()
    )
    if row is None:
        raise NotFound("No such thread.")
    return row


async def post_answer(viewer: Viewer, thread_id: int, form: AnswerForm) -> int:
    """Add a message; it is official when a merchant of the concerned shop or staff writes it.

    Everything that only reads (the checks, who to tell) and the SQL of the two fixed statements is done
    before taking the writer's turn: on SQLite all writers of all workers queue for that turn, so only the
    writes wait in it.
    """
    now = _now()
    row = await load_thread_for(viewer, thread_id)
    if row["hidden"] and not viewer.is_staff:
        raise Forbidden("This thread is hidden while staff review it.")
    thread = {
        "id": thread_id,
        "author": row["author_id"],
        "anonymous": row["anonymous"],
        "shop": row["shop_id"],
        "assigned_to": row["assigned_to"],
    }
    official = viewer.is_staff or (thread["shop"] is not None and viewer.acts_for(thread["shop"]))
    recipients = await unmuted(await _participants(thread) - {viewer.person_id}, thread_id)
    # Hidden since the check above: refused in the same statement that counts the message.
    bump = Thread.raw(
        "UPDATE thread SET message_count = message_count + 1, last_activity_at = {} "
        "WHERE id = {} AND (hidden = {} OR {}) RETURNING id",
        now,
        thread_id,
        False,
        viewer.is_staff,
    )
    add = Message.raw(
        "INSERT INTO message (thread, author, kind, body, official, created_at) "
        "VALUES ({}, {}, 'answer', {}, {}, {}) RETURNING id",
        thread_id,
        viewer.person_id,
        form.body,
        official,
        now,
    )
    async with write_transaction():
        if not await bump:
            raise Forbidden("This thread is hidden while staff review it.")
        rows = await add
        await record_change(
            actor_id=viewer.person_id,
            action="message.posted",
            object_type="thread",
            object_id=thread_id,
            after={"message": rows[0]["id"], "official": official},
        )
        actor_name, actor_alias = notice_actor(viewer, thread)
        await deliver(
            recipients,
            thread_id,
            "answer",
            actor_name=actor_name,
            actor_alias=actor_alias,
            actor_id=viewer.person_id,
            now=now,
            respect_mutes=False,
        )
    return rows[0]["id"]


async def change_status(viewer: Viewer, thread_id: int, form: StatusForm) -> None:
    """Move a thread along its workflow; every step records who, when and why."""
    now = _now()
    async with write_transaction():
        detail = await get_thread(viewer, thread_id)
        thread = await _locked_thread(thread_id)
        if form.status not in allowed_statuses(viewer, detail):
            raise Forbidden("You may not move this thread to that status.")
        changes: dict = {Thread.status: form.status, Thread.last_activity_at: now}
        if form.status == "duplicate":
            if (
                form.duplicate_of is None
                or form.duplicate_of == thread_id
                or not await Thread.exists().where(Thread.id == form.duplicate_of)
            ):
                raise Invalid("Give the number of the thread this one repeats.", field="duplicate_of")
            changes[Thread.duplicate_of] = form.duplicate_of
        if form.status == "acknowledged":
            changes[Thread.acknowledged_at] = now
        if form.status == "resolved":
            changes[Thread.resolved_at] = now
        if form.status in ("closed", "rejected", "duplicate"):
            changes[Thread.closed_at] = now
        if form.status == "reopened":
            changes[Thread.resolved_at] = None
            changes[Thread.closed_at] = None
            changes[Thread.due_at] = now + dt.timedelta(hours=thread["response_hours"])
        # Conditional on the status read above: of two people moving the thread at once, one wins and
        # the other is told, instead of both steps being recorded from the same starting point.
        moved = (
            await Thread.update(changes)
            .where((Thread.id == thread_id) & (Thread.status == thread["status"]))
            .returning(Thread.id)
        )
        if not moved:
            raise Conflict("This thread has just been moved on by someone else. Reload the page.")
        await Message.insert(
            Message(
                thread=thread_id,
                author=viewer.person_id,
                kind="status",
                body=form.reason,
                official=viewer.is_staff or (thread["shop"] is not None and viewer.acts_for(thread["shop"])),
                status_from=thread["status"],
                status_to=form.status,
                created_at=now,
            )
        )
        await Thread.update({Thread.message_count: Thread.message_count + 1}).where(Thread.id == thread_id)
        await record_change(
            actor_id=viewer.person_id,
            action="thread.status_changed",
            object_type="thread",
            object_id=thread_id,
            before={"status": thread["status"]},
            after={"status": form.status, "reason": form.reason},
        )
        participants = await _participants(thread)
        actor_name, actor_alias = notice_actor(viewer, thread)
        await deliver(
            participants - {viewer.person_id},
            thread_id,
            "status",
            actor_name=actor_name,
            actor_alias=actor_alias,
            actor_id=viewer.person_id,
            detail=form.status,
            now=now,
        )
        if form.status == "closed":
            await _ask_for_evaluation(thread_id, now)


async def _ask_for_evaluation(thread_id: int, now: dt.datetime) -> None:
    thread = await Thread.select(Thread.author).where(Thread.id == thread_id).first()
    people = {thread["author"]} | {
        row["person"] for row in await MeToo.select(MeToo.person).where(MeToo.thread == thread_id)
    }
    await deliver(people, thread_id, "evaluate", actor_name="", now=now, respect_mutes=False)


async def close_stale_resolved(now: dt.datetime | None = None) -> int:
    """Close threads resolved more than 7 days ago that the reporter did not answer; safe to run twice."""
    now = now or _now()
    stale = await Thread.select(Thread.id).where(
        (Thread.status == "resolved") & (Thread.resolved_at < now - AUTO_CLOSE_AFTER)
    )
    closed = 0
    for row in stale:
        async with write_transaction():
            updated = (
                await Thread.update({Thread.status: "closed", Thread.closed_at: now, Thread.last_activity_at: now})
                .where((Thread.id == row["id"]) & (Thread.status == "resolved"))
                .returning(Thread.id)
            )
            if not updated:
                continue
            await Message.insert(
                Message(
                    thread=row["id"],
                    author=None,
                    kind="status",
                    official=True,
                    status_from="resolved",
                    status_to="closed",
                    body="",
                    created_at=now,
                )
            )
            await Thread.update({Thread.message_count: Thread.message_count + 1}).where(Thread.id == row["id"])
            await record_change(
                actor_id=None,
                action="thread.auto_closed",
                object_type="thread",
                object_id=row["id"],
                before={"status": "resolved"},
                after={"status": "closed"},
            )
            await _ask_for_evaluation(row["id"], now)
            closed += 1
    return closed


async def assign_thread(staff: Viewer, thread_id: int, staff_id: int | None) -> None:
    from block_service.accounts.tables import RoleGrant

    async with write_transaction():
        thread = await _locked_thread(thread_id)
        if staff_id is not None and not await RoleGrant.exists().where(
            (RoleGrant.person == staff_id) & (RoleGrant.role == "staff")
        ):
            raise Invalid("Only staff can be assigned.", field="staff_id")
        await Thread.update({Thread.assigned_to: staff_id}).where(Thread.id == thread_id)
        await record_change(
            actor_id=staff.person_id,
            action="thread.assigned",
            object_type="thread",
            object_id=thread_id,
            before={"assigned_to": thread["assigned_to"]},
            after={"assigned_to": staff_id},
        )
        if staff_id is not None and staff_id != staff.person_id:
            await deliver(
                {staff_id}, thread_id, "assigned", actor_name=staff.display_name, actor_id=staff.person_id, now=_now()
            )


# ---- me too, mute, evaluation ------------------------------------------------------------------


async def set_metoo(viewer: Viewer, thread_id: int, on: bool) -> int:
    """Add or remove my "me too"; setting it twice is harmless. Returns the new count."""
    try:
        return await _set_metoo(viewer, thread_id, on)
    except Exception as error:
        if not is_unique_violation(error):
            raise
        # A double tap raced itself to the unique index: the first one counted, which is what was meant.
        return (await Thread.select(Thread.metoo_count).where(Thread.id == thread_id).first())["metoo_count"]


async def _set_metoo(viewer: Viewer, thread_id: int, on: bool) -> int:
    await load_thread_for(viewer, thread_id)
    async with write_transaction():
        thread = await _locked_thread(thread_id)
        if thread["visibility"] != "public" or thread["hidden"]:
            raise NotFound("No such thread.")
        exists = await MeToo.exists().where((MeToo.thread == thread_id) & (MeToo.person == viewer.person_id))
        if on and not exists:
            await MeToo.insert(MeToo(thread=thread_id, person=viewer.person_id, created_at=_now()))
            await Thread.update({Thread.metoo_count: Thread.metoo_count + 1}).where(Thread.id == thread_id)
        elif not on and exists:
            await MeToo.delete().where((MeToo.thread == thread_id) & (MeToo.person == viewer.person_id))
            await Thread.update({Thread.metoo_count: Thread.metoo_count - 1}).where(Thread.id == thread_id)
        count = await Thread.select(Thread.metoo_count).where(Thread.id == thread_id).first()
    return count["metoo_count"]


async def set_muted(viewer: Viewer, thread_id: int, muted: bool) -> None:
    await load_thread_for(viewer, thread_id)
    async with write_transaction():
        await _locked_thread(thread_id)
        exists = await Mute.exists().where((Mute.thread == thread_id) & (Mute.person == viewer.person_id))
        if muted and not exists:
            await Mute.insert(Mute(thread=thread_id, person=viewer.person_id))
        elif not muted and exists:
            await Mute.delete().where((Mute.thread == thread_id) & (Mute.person == viewer.person_id))


async def evaluate(viewer: Viewer, thread_id: int, form: EvaluationForm) -> None:
    """The reporter and the me-too people say whether it was fixed, once each, after closing."""
    await load_thread_for(viewer, thread_id)
    try:
        async with write_transaction():
            thread = await _locked_thread(thread_id)
            if thread["status"] != "closed":
                raise Conflict("A thread is evaluated once it is closed.")
            joined = await MeToo.exists().where((MeToo.thread == thread_id) & (MeToo.person == viewer.person_id))
            if thread["author"] != viewer.person_id and not joined:
                raise Forbidden("Only the reporter and the people who added “me too” evaluate the fix.")
            if await Evaluation.exists().where(
                (Evaluation.thread == thread_id) & (Evaluation.person == viewer.person_id)
            ):
                raise Conflict("You have already evaluated this fix.")
            await Evaluation.insert(
                Evaluation(
                    thread=thread_id,
                    person=viewer.person_id,
                    fixed=form.fixed,
                    score=form.score,
                    comment=form.comment,
                    created_at=_now(),
                )
            )
            await record_change(
                actor_id=viewer.person_id,
                action="thread.evaluated",
                object_type="thread",
                object_id=thread_id,
                after={"fixed": form.fixed, "score": form.score},
            )
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict("You have already evaluated this fix.") from None
        raise


# ---- flags and moderation ----------------------------------------------------------------------

_OBJECTS = {"thread": Thread, "message": Message}


async def _object_thread(object_type: str, object_id: int) -> tuple[type, dict]:
    table = _OBJECTS.get(object_type)
    if table is None:
        raise NotFound("Nothing to flag here.")
    columns = [table.id, table.hidden, table.author] + ([table.thread] if table is Message else [])
    row = await table.select(*columns).where(table.id == object_id).first()
    if row is None:
        raise NotFound("Nothing to flag here.")
    row["thread_id"] = row.get("thread", row["id"])
    return table, row


async def load_flaggable_for(viewer: Viewer, object_type: str, object_id: int) -> dict:
    """A thread or message as this viewer may reach it, with its thread and the shop that thread concerns."""
    if object_type == "thread":
        row = await load_thread_for(viewer, object_id)
        return {"thread_id": object_id, "shop_id": row["shop_id"]}
    if object_type == "message":
        message = await load_message_for(viewer, object_id)
        return {"thread_id": message["thread_id"], "shop_id": message["shop_id"]}
    raise NotFound("Nothing to flag here.")


async def _flags_that_count(object_type: str, object_id: int, shop_id: int | None, now: dt.datetime) -> int:
    """Flags that count toward hiding: from accounts at least FLAG_ACCOUNT_MIN_AGE old, and never from a
    merchant of the shop the thread concerns (a shop may not silence a complaint about itself)."""
    condition = (
        (Flag.object_type == object_type)
        & (Flag.object_id == object_id)
        & (Flag.person.created_at <= now - FLAG_ACCOUNT_MIN_AGE)
    )
    if shop_id is not None:
        condition = condition & Flag.person.not_in(
            ShopMerchant.select(ShopMerchant.person).where(ShopMerchant.shop == shop_id)
        )
    return await Flag.count().where(condition)


async def flag(viewer: Viewer, object_type: str, object_id: int, reason: str) -> bool:
    """Flag a thread or message once per person, if the viewer may see it; it is hidden pending review
    once FLAGS_TO_HIDE flags count (see _flags_that_count). Returns whether this flag hid it."""
    target = await load_flaggable_for(viewer, object_type, object_id)
    now = _now()
    try:
        async with write_transaction():
            table, row = await _object_thread(object_type, object_id)
            if row["author"] == viewer.person_id:
                raise Invalid("You cannot flag what you wrote yourself.")
            if await Flag.exists().where(
                (Flag.object_type == object_type) & (Flag.object_id == object_id) & (Flag.person == viewer.person_id)
            ):
                raise Conflict("You have already flagged this.")
            await Flag.insert(
                Flag(
                    object_type=object_type, object_id=object_id, person=viewer.person_id, reason=reason, created_at=now
                )
            )
            flags = await Flag.count().where((Flag.object_type == object_type) & (Flag.object_id == object_id))
            counting = await _flags_that_count(object_type, object_id, target["shop_id"], now)
            hide = counting >= FLAGS_TO_HIDE and not row["hidden"]
            changes = {table.flag_count: flags}
            if hide:
                # No stored reason: pages say "hidden after several flags" in each reader's language.
                changes.update({table.hidden: True, table.hidden_reason: ""})
            await table.update(changes).where(table.id == object_id)
            await record_change(
                actor_id=viewer.person_id,
                action=f"{object_type}.flagged",
                object_type=object_type,
                object_id=object_id,
                after={"reason": reason, "flags": flags, "counting": counting, "hidden": hide},
            )
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict("You have already flagged this.") from None
        raise
    return hide


async def moderate(staff: Viewer, object_type: str, object_id: int, hide: bool, reason: str) -> int:
    """Staff hide or restore a thread or message with a reason the author is shown."""
    async with write_transaction():
        table, row = await _object_thread(object_type, object_id)
        await table.update({table.hidden: hide, table.hidden_reason: reason if hide else ""}).where(
            table.id == object_id
        )
        if not hide:
            await Flag.delete().where((Flag.object_type == object_type) & (Flag.object_id == object_id))
            await table.update({table.flag_count: 0}).where(table.id == object_id)
        await record_change(
            actor_id=staff.person_id,
            action=f"{object_type}.{'hidden' if hide else 'restored'}",
            object_type=object_type,
            object_id=object_id,
            before={"hidden": row["hidden"]},
            after={"hidden": hide, "reason": reason},
        )
        if row["author"]:
            await deliver(
                {row["author"]},
                row["thread_id"],
                "moderation",
                actor_name=staff.display_name,
                actor_id=staff.person_id,
                detail=reason[:200],
                now=_now(),
                respect_mutes=False,
            )
    return row["thread_id"]


async def flagged_items(limit: int = 50) -> list[dict]:
    """What staff should review: hidden by flags or flagged at all, most flags first."""
    threads = (
        await Thread.select(Thread.id, Thread.title, Thread.flag_count, Thread.hidden)
        .where(Thread.flag_count > 0)
        .order_by(Thread.flag_count, ascending=False)
        .limit(limit)
    )
    messages = (
        await Message.select(Message.id, Message.thread, Message.body, Message.flag_count, Message.hidden)
        .where(Message.flag_count > 0)
        .order_by(Message.flag_count, ascending=False)
        .limit(limit)
    )
    return [{"type": "thread", **row} for row in threads] + [{"type": "message", **row} for row in messages]


# ---- inbox --------------------------------------------------------------------------------------


async def thread_titles_for(thread_ids: list[int], viewer: Viewer) -> dict[int, str]:
    """For the inbox: {thread id: title} of the threads this viewer may see (group discussions of
    their groups, hidden threads only for staff and their author), in one query (two when a group's
    discussion is among them)."""
    rows = await Thread.select(
        Thread.id,
        Thread.title,
        Thread.visibility,
        Thread.group_id,
        Thread.hidden,
        Thread.author.as_alias("author_id"),
    ).where(Thread.id.is_in(sorted(set(thread_ids))))
    needs_groups = any(row["visibility"] == "group" for row in rows)
    group_ids = await viewer_group_ids(viewer) if needs_groups and viewer.is_signed_in else frozenset()
    return {row["id"]: row["title"] for row in rows if _may_see(viewer, row, group_ids)}


async def unread_count(person_id: int) -> int:
    return await inbox.unread_count(person_id)


async def mark_read(viewer: Viewer, thread_id: int) -> None:
    """Opening a thread reads its inbox entries."""
    await inbox.mark_read(viewer.person_id, notify.subject(thread_id), now=_now())


# ---- a deleted account ---------------------------------------------------------------------------


async def forget_inbox_of(person_id: int, old_name: str, label: str) -> None:
    """Inside the caller's transaction: the person's thread mutes go (their inbox goes with their account,
    accounts.erase_person); in other people's entries about threads, the name the person had when they
    answered or moved a thread becomes the label of a deleted account.

    Entries written since the shared inbox name their actor by id (inbox.forget_person renames those);
    older ones keep only the name, so they are matched by that name on the threads the person acted on
    (their messages, and the threads and messages they changed as staff)."""
    await Mute.delete().where(Mute.person == person_id)
    if not old_name:
        return
    await InboxEntry.raw(
        "UPDATE inbox_entry SET actor_name = {} WHERE kind = {} AND actor IS NULL AND actor_name = {} "
        "AND object_id IN ("
        "SELECT thread FROM message WHERE author = {} "
        "UNION SELECT object_id FROM audit_entry WHERE actor = {} AND object_type = 'thread' "
        "UNION SELECT m.thread FROM message m JOIN audit_entry a ON a.object_type = 'message' "
        "AND a.object_id = m.id WHERE a.actor = {})",
        label[:40],
        notify.KIND,
        old_name[:40],
        person_id,
        person_id,
        person_id,
    )
