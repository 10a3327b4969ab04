"""Proposals: filing one (from a thread too), the list with its filters, one proposal's page, linked threads."""

from __future__ import annotations

import datetime as dt
import functools

from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import now as clock_now
from block_service.db import contains, duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.names import shown_name
from block_service.pagination import Page, clamp, paginate
from block_service.plans.lifecycle import allowed_steps, check_visible, load_proposal
from block_service.plans.notices import tell
from block_service.plans.plans import plan_by_id, plan_leads
from block_service.plans.schemas import (
    STATUSES,
    ProposalDetail,
    ProposalFilter,
    ProposalForm,
    ProposalPage,
    ProposalPhoto,
    ProposalSummary,
    ThreadLink,
)
from block_service.plans.supports import SUPPORTABLE, support_counts, supports_of
from block_service.plans.tables import PlanCategory, Proposal, ProposalStep, ProposalThread
from block_service.shops.services import parse_house_number, segment_for_number
from block_service.shops.tables import Segment
from block_service.threads.access import load_thread_for
from block_service.threads.attached import attached_photos, open_attached_thread

MAX_THREADS = 20


def _visible(viewer: Viewer):
    """Everyone reads proposals past the draft; a draft only its author (and staff, who read everything)."""
    if viewer.is_staff:
        return None
    condition = Proposal.status != "draft"
    if viewer.is_signed_in:
        condition = condition | (Proposal.author == viewer.person_id)
    return condition


def may_see(viewer: Viewer, status: str, author_id: int) -> bool:
    return status != "draft" or viewer.is_staff or (viewer.is_signed_in and viewer.person_id == author_id)


async def _place(form: ProposalForm) -> tuple[str, int | None, int | None]:
    """(house number, road number, segment) from the form: a house number names its segment; both are optional."""
    if form.house_number.strip():
        house_number, number = parse_house_number(form.house_number)
        return house_number, number, await segment_for_number(number)
    if form.segment_id is not None:
        if not await Segment.exists().where(Segment.id == form.segment_id):
            raise Invalid("Choose a stretch of the road from the list.", field="segment_id")
        return "", None, form.segment_id
    return "", None, None


async def _threads_to_link(viewer: Viewer, thread_ids: list[int]) -> list[int]:
    """The threads a proposal may gather: public ones this viewer reads (their titles show on the proposal)."""
    ids = list(dict.fromkeys(thread_ids))
    if len(ids) > MAX_THREADS:
        raise Invalid("A proposal gathers at most %(count)s threads.", field="thread_ids", count=MAX_THREADS)
    for thread_id in ids:
        try:
            thread = await load_thread_for(viewer, thread_id)
        except NotFound:
            raise Invalid("Choose a thread you can see.", field="thread_ids") from None
        if thread["visibility"] != "public" or thread["hidden"]:
            raise Invalid("Only public threads can be gathered by a proposal.", field="thread_ids")
    return ids


async def file_proposal(viewer: Viewer, form: ProposalForm, photo_names: list[tuple[str, int, int, int]] = ()) -> int:
    """File a proposal (as a draft, or submitted at once) under an active plan; photos were stored by the caller."""
    if not viewer.is_signed_in:
        raise Forbidden("Sign in to file a proposal.")
    try:
        plan = await plan_by_id(form.plan_id)
    except NotFound:
        raise Invalid("Choose a plan from the list.", field="plan_id") from None
    if not plan.active:
        raise Invalid("This plan is archived: it takes no new proposals.", field="plan_id")
    if len(photo_names) > 3:
        raise Invalid("At most %(count)s photos per thread.", field="photos", count=3)
    house_number, street_number, segment_id = await _place(form)
    thread_ids = await _threads_to_link(viewer, form.thread_ids)
    status = "submitted" if form.submit else "draft"
    now = clock_now()
    async with write_transaction():
        discussion = await open_attached_thread(
            author_id=viewer.person_id,
            title=form.title,
            body=form.body,
            house_number=house_number,
            street_number=street_number,
            photo_names=list(photo_names),
            draft=not form.submit,
            now=now,
        )
        rows = await Proposal.insert(
            Proposal(
                plan=plan.id,
                author=viewer.person_id,
                title=form.title,
                body=form.body,
                house_number=house_number,
                street_number=street_number,
                segment=segment_id,
                size=form.size,
                cost_yuan=form.cost_yuan,
                status=status,
                discussion=discussion,
                created_at=now,
                submitted_at=now if form.submit else None,
                changed_at=now,
            )
        ).returning(Proposal.id)
        proposal_id = rows[0]["id"]
        if thread_ids:
            await ProposalThread.insert(
                *[
                    ProposalThread(proposal=proposal_id, thread=thread, linked_by=viewer.person_id, linked_at=now)
                    for thread in thread_ids
                ]
            )
        await ProposalStep.insert(ProposalStep(proposal=proposal_id, status_to=status, actor=viewer.person_id, at=now))
        await record_change(
            actor_id=viewer.person_id,
            action="proposal.filed",
            object_type="proposal",
            object_id=proposal_id,
            after={"plan": plan.id, "title": form.title, "status": status, "threads": thread_ids, "size": form.size},
            at=now,
        )
        if form.submit:
            await tell(
                await plan_leads(plan.id),
                proposal_id,
                "submitted",
                now=now,
                actor_id=viewer.person_id,
                actor_name=viewer.display_name,
            )
    return proposal_id


async def link_thread(viewer: Viewer, proposal_id: int, thread_id: int) -> None:
    """Its author or staff gather one more thread into a proposal still under way."""
    proposal = await load_proposal(proposal_id)
    check_visible(viewer, proposal)
    if not (viewer.is_staff or viewer.person_id == proposal["author_id"]):
        raise Forbidden("Only its author and staff link threads to a proposal.")
    if proposal["status"] not in ("draft", *SUPPORTABLE):
        raise Conflict("This proposal is decided or closed: its threads stay as they are.")
    await _threads_to_link(viewer, [thread_id])
    if await ProposalThread.count().where(ProposalThread.proposal == proposal_id) >= MAX_THREADS:
        raise Invalid("A proposal gathers at most %(count)s threads.", field="thread_ids", count=MAX_THREADS)
    now = clock_now()
    async with write_transaction():
        with duplicate_means(Conflict("This thread is already linked to the proposal.")):
            await ProposalThread.insert(
                ProposalThread(proposal=proposal_id, thread=thread_id, linked_by=viewer.person_id, linked_at=now)
            )
        await record_change(
            actor_id=viewer.person_id,
            action="proposal.thread_linked",
            object_type="proposal",
            object_id=proposal_id,
            after={"thread": thread_id},
            at=now,
        )


async def prefill_from_thread(viewer: Viewer, thread_id: int) -> dict:
    """The proposal form's values for a proposal made from a thread the viewer reads."""
    thread = await load_thread_for(viewer, thread_id)
    if thread["visibility"] != "public" or thread["hidden"]:
        raise Invalid("Only public threads can be gathered by a proposal.", field="thread_ids")
    plan = await PlanCategory.select(PlanCategory.plan).where(PlanCategory.category == thread["category_id"]).first()
    return {
        "title": thread["title"],
        "body": thread["body"],
        "house_number": thread["house_number"],
        "plan_id": str(plan["plan"]) if plan else "",
        "thread_ids": [thread_id],
        "thread_title": thread["title"],
    }


# ---- reading ------------------------------------------------------------------------------------------


@functools.cache
def _summary_columns() -> tuple:
    return (
        Proposal.id,
        Proposal.title,
        Proposal.status,
        Proposal.plan.as_alias("plan_id"),
        Proposal.plan.slug.as_alias("plan_slug"),
        Proposal.plan.name_zh.as_alias("plan_name_zh"),
        Proposal.plan.name_en.as_alias("plan_name_en"),
        Proposal.size,
        Proposal.house_number,
        Proposal.segment.name_zh.as_alias("segment_name_zh"),
        Proposal.segment.name_en.as_alias("segment_name_en"),
        Proposal.support_count,
        Proposal.shop_count,
        Proposal.author.display_name.as_alias("author_name"),
        Proposal.author.as_alias("author_id"),
        Proposal.created_at,
    )


def _label(viewer: Viewer, author_id: int, author_name: str | None) -> str:
    """Proposals are signed: the author's display name (a deleted account's label); pages add "(you)" by `mine`."""
    return shown_name(author_name)


def _summary(viewer: Viewer, row: dict) -> ProposalSummary:
    author_id = row.pop("author_id")
    label = _label(viewer, author_id, row.pop("author_name"))
    return ProposalSummary(**row, author_label=label, mine=viewer.is_signed_in and viewer.person_id == author_id)


def _conditions(viewer: Viewer, filters: ProposalFilter) -> list:
    conditions = []
    visible = _visible(viewer)
    if visible is not None:
        conditions.append(visible)
    if filters.plan:
        conditions.append(Proposal.plan == filters.plan)
    if filters.status == "open":
        conditions.append(Proposal.status.is_in(list(SUPPORTABLE)))
    elif filters.status in STATUSES:
        conditions.append(Proposal.status == filters.status)
    if filters.segment:
        conditions.append(Proposal.segment == filters.segment)
    if filters.q and filters.q.strip():
        text = filters.q.strip()[:60]
        conditions.append(contains(Proposal.title, text) | contains(Proposal.body, text))
    return conditions


async def list_proposals(viewer: Viewer, filters: ProposalFilter) -> Page[ProposalSummary]:
    """Proposals with their plan, place and counts: two statements per page, whatever its size."""
    page, per_page = clamp(filters.page, filters.per_page)
    query = Proposal.select(*_summary_columns())
    count = Proposal.select(Proposal.id)
    for condition in _conditions(viewer, filters):
        query = query.where(condition)
        count = count.where(condition)
    if filters.sort == "supports":
        query = query.order_by(Proposal.support_count, ascending=False)
    query = query.order_by(Proposal.created_at, ascending=False).order_by(Proposal.id, ascending=False)
    return await paginate(query, count, page, per_page, lambda row: _summary(viewer, row))


async def ready_for_deliberation(staff: Viewer, page: int = 1) -> Page[ProposalSummary]:
    """Staff's list: submitted proposals that reached their plan's thresholds, the longest waiting first."""
    if not staff.is_staff:
        raise Forbidden("Only the workstation's staff see this list.")
    page, per_page = clamp(page, 50)
    condition = (Proposal.status == "submitted") & Proposal.ready_at.is_not_null()
    query = Proposal.select(*_summary_columns()).where(condition).order_by(Proposal.ready_at).order_by(Proposal.id)
    return await paginate(
        query, Proposal.select(Proposal.id).where(condition), page, per_page, lambda row: _summary(staff, row)
    )


async def proposals_of_thread(viewer: Viewer, thread_id: int) -> list[ProposalSummary]:
    """The proposals that gather a thread, as this viewer may see them: one statement."""
    linked = ProposalThread.select(ProposalThread.proposal).where(ProposalThread.thread == thread_id)
    query = Proposal.select(*_summary_columns()).where(Proposal.id.is_in(linked)).order_by(Proposal.id)
    visible = _visible(viewer)
    if visible is not None:
        query = query.where(visible)
    return [_summary(viewer, row) for row in await query]


async def get_proposal(viewer: Viewer, proposal_id: int, now: dt.datetime | None = None) -> ProposalDetail:
    """One proposal as this viewer may see it (a draft of someone else is a 404): five statements."""
    row = (
        await Proposal.select(
            *_summary_columns(),
            Proposal.body,
            Proposal.status_reason,
            Proposal.plan.active.as_alias("plan_active"),
            Proposal.plan.people_threshold.as_alias("people_threshold"),
            Proposal.plan.shop_threshold.as_alias("shop_threshold"),
            Proposal.cost_yuan,
            Proposal.segment.as_alias("segment_id"),
            Proposal.merged_into,
            Proposal.discussion.as_alias("discussion_id"),
            Proposal.discussion.message_count.as_alias("message_count"),
            Proposal.motion_id,
            Proposal.project_id,
            Proposal.ready_at,
            Proposal.submitted_at,
        )
        .where(Proposal.id == proposal_id)
        .first()
    )
    if row is None or not may_see(viewer, row["status"], row["author_id"]):
        raise NotFound("No such proposal.")
    author_id = row.pop("author_id")
    label = _label(viewer, author_id, row.pop("author_name"))
    threads = (
        await ProposalThread.select(
            ProposalThread.thread.as_alias("id"),
            ProposalThread.thread.title.as_alias("title"),
            ProposalThread.thread.status.as_alias("status"),
            ProposalThread.thread.visibility.as_alias("visibility"),
            ProposalThread.thread.hidden.as_alias("hidden"),
        )
        .where(ProposalThread.proposal == proposal_id)
        .order_by(ProposalThread.id)
    )
    links = [
        ThreadLink(id=t["id"], title=t["title"], status=t["status"])
        for t in threads
        if viewer.is_staff or (t["visibility"] == "public" and not t["hidden"])
    ]
    photos = []
    if row["discussion_id"] is not None:
        sees_all = viewer.is_staff or viewer.person_id == author_id
        photos = [
            ProposalPhoto(file_name=p["file_name"], width=p["width"], height=p["height"])
            for p in await attached_photos(row["discussion_id"], include_unapproved=sees_all)
        ]
    counts = await support_counts(proposal_id, now or clock_now())
    shops = await Proposal.raw(
        "SELECT DISTINCT sh.name AS name FROM proposal_support s JOIN shop_merchant sm ON sm.person = s.person "
        "JOIN shop sh ON sh.id = sm.shop WHERE s.proposal = {} AND sh.status = 'open' ORDER BY sh.name",
        proposal_id,
    )
    detail = _detail(row, author_id, label, counts, links, photos, [s["name"] for s in shops])
    detail.mine = viewer.is_signed_in and viewer.person_id == author_id
    return detail


def _detail(row, author_id, label, counts, links, photos, shop_names) -> ProposalDetail:
    values = dict(row)
    values.pop("support_count", None)
    values.pop("shop_count", None)
    values["message_count"] = values.get("message_count") or 0
    return ProposalDetail(
        **values,
        author_id=author_id,
        author_label=label,
        support_count=counts["people"],
        shop_count=counts["shops"],
        counted_people=counts["counted_people"],
        counted_shops=counts["counted_shops"],
        threads=links,
        photos=photos,
        shop_names=shop_names,
    )


async def get_proposal_page(viewer: Viewer, proposal_id: int) -> ProposalPage:
    proposal = await get_proposal(viewer, proposal_id)
    supported = proposal_id in await supports_of(viewer, [proposal_id])
    facts = {"status": proposal.status, "author_id": proposal.author_id}
    return ProposalPage(
        proposal=proposal,
        viewer_supports=supported,
        viewer_may_support=viewer.is_signed_in and proposal.plan_active and proposal.status in SUPPORTABLE,
        viewer_is_author=viewer.is_signed_in and viewer.person_id == proposal.author_id,
        allowed_steps=allowed_steps(viewer, facts),
    )


async def visible_titles(viewer: Viewer, proposal_ids: list[int]) -> dict[int, str]:
    """Titles of the proposals among these the viewer may see (the inbox describes its entries): one statement."""
    if not proposal_ids:
        return {}
    query = Proposal.select(Proposal.id, Proposal.title).where(Proposal.id.is_in(sorted(set(proposal_ids))))
    visible = _visible(viewer)
    if visible is not None:
        query = query.where(visible)
    return {row["id"]: row["title"] for row in await query}
