"""The action plans: the six seeded ones, staff editing, reordering and archiving them, their leads and cards."""

from __future__ import annotations

import datetime as dt

import msgspec

from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.audit.services import record_change
from block_service.cache import cached, forget
from block_service.clock import block_today
from block_service.clock import now as clock_now
from block_service.db import write_transaction
from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.names import shown_name
from block_service.plans.schemas import OPEN_STATUSES, PlanCard, PlanCategoryOut, PlanForm, PlanLeadOut, PlanOut
from block_service.plans.tables import Plan, PlanCategory, PlanLead
from block_service.threads.schemas import OPEN_STATUSES as OPEN_THREAD_STATUSES
from block_service.threads.tables import Category

# (slug, Chinese name, English name, Chinese goal, English goal, thread categories feeding it)
SIX_PLANS = [
    (
        "environment",
        "环境共治",
        "Clean and green street",
        "街面干净、绿化有人管护，门前三包落实到每一家店。",
        "A clean street with cared-for greenery, and 门前三包 kept at every shop front.",
        ("garbage", "shop-front"),
    ),
    (
        "safety",
        "平安共护",
        "Safe street",
        "消防安全、交通有序、人行道畅通。",
        "Fire safety, orderly traffic and a clear pavement.",
        ("safety", "parking", "pavement"),
    ),
    (
        "business",
        "商业共兴",
        "Business vitality",
        "一起推广街区品牌，带旺夜间经济。",
        "Promote the block's brand together and bring the evening economy to life.",
        ("promotion", "premises", "permits", "delivery"),
    ),
    (
        "neighbours",
        "邻里共融",
        "Good neighbours",
        "噪音、油烟、营业时间：居民和商户商量着办。",
        "Noise, cooking fumes, opening hours: residents and merchants settle them together.",
        ("noise", "cooking-fumes"),
    ),
    (
        "services",
        "服务共享",
        "Shared services",
        "商户为社区提供饮水、如厕、充电、助老等便民服务。",
        "Merchants' services to the community: drinking water, toilets, charging, help for the elderly.",
        ("other-report",),
    ),
    (
        "culture",
        "文化共建",
        "Culture",
        "节庆活动、街区故事，一起把凌岩的烟火气留下来。",
        "Festivals, events and the block's story: keep Lingyan's everyday life alive.",
        (),
    ),
]


async def ensure_plans() -> None:
    """The six plans, only into an empty table: staff edits are never overwritten. Inside the caller's write."""
    if await Plan.exists():
        return
    categories = {row["slug"]: row["id"] for row in await Category.select(Category.id, Category.slug)}
    at = clock_now()
    for order, (slug, name_zh, name_en, goal_zh, goal_en, feeding) in enumerate(SIX_PLANS):
        rows = await Plan.insert(
            Plan(
                slug=slug,
                name_zh=name_zh,
                name_en=name_en,
                goal_zh=goal_zh,
                goal_en=goal_en,
                sort_order=order,
                created_at=at,
            )
        ).returning(Plan.id)
        links = [PlanCategory(plan=rows[0]["id"], category=categories[c]) for c in feeding if c in categories]
        if links:
            await PlanCategory.insert(*links)
    forget("plans")


async def list_plans(include_archived: bool = False) -> list[PlanOut]:
    async def load() -> list[PlanOut]:
        rows = await Plan.select(*_plan_columns()).order_by(Plan.sort_order).order_by(Plan.id)
        return [msgspec.convert(row, PlanOut) for row in rows]

    plans = await cached("plans", load)
    return [plan for plan in plans if plan.active or include_archived]


def _plan_columns() -> tuple:
    return (
        Plan.id,
        Plan.slug,
        Plan.name_zh,
        Plan.name_en,
        Plan.goal_zh,
        Plan.goal_en,
        Plan.sort_order,
        Plan.active,
        Plan.people_threshold,
        Plan.shop_threshold,
    )


async def get_plan(slug: str) -> PlanOut:
    for plan in await list_plans(include_archived=True):
        if plan.slug == slug:
            return plan
    raise NotFound("No such plan.")


async def plan_by_id(plan_id: int) -> PlanOut:
    for plan in await list_plans(include_archived=True):
        if plan.id == plan_id:
            return plan
    raise NotFound("No such plan.")


async def plan_leads(plan_id: int) -> list[int]:
    """The people who lead a plan (council members chosen by staff): told of every step of its proposals."""
    rows = await PlanLead.select(PlanLead.person).where(PlanLead.plan == plan_id).order_by(PlanLead.id)
    return [row["person"] for row in rows]


async def lead_names(plan_id: int) -> list[PlanLeadOut]:
    rows = (
        await PlanLead.select(PlanLead.person.as_alias("person_id"), PlanLead.person.display_name.as_alias("name"))
        .where(PlanLead.plan == plan_id)
        .order_by(PlanLead.id)
    )
    return [PlanLeadOut(person_id=row["person_id"], name=shown_name(row["name"])) for row in rows]


async def plan_categories(plan_id: int | None = None) -> dict[int, list[PlanCategoryOut]]:
    """The thread categories feeding each plan (or one plan): one statement."""
    query = PlanCategory.select(
        PlanCategory.plan.as_alias("plan_id"),
        PlanCategory.category.as_alias("id"),
        PlanCategory.category.name_zh.as_alias("name_zh"),
        PlanCategory.category.name_en.as_alias("name_en"),
    ).order_by(PlanCategory.category.sort_order)
    if plan_id is not None:
        query = query.where(PlanCategory.plan == plan_id)
    out: dict[int, list[PlanCategoryOut]] = {}
    for row in await query:
        out.setdefault(row.pop("plan_id"), []).append(msgspec.convert(row, PlanCategoryOut))
    return out


async def plan_cards(include_archived: bool = False) -> list[PlanCard]:
    """Every plan with its open proposals and the open reports in its categories: three statements in all."""
    plans = await list_plans(include_archived)
    statuses = ", ".join(f"'{status}'" for status in OPEN_STATUSES)
    thread_statuses = ", ".join(f"'{status}'" for status in OPEN_THREAD_STATUSES)
    proposals = await Plan.raw(f"SELECT plan, COUNT(*) AS n FROM proposal WHERE status IN ({statuses}) GROUP BY plan")
    reports = await Plan.raw(
        "SELECT pc.plan AS plan, COUNT(*) AS n FROM plan_category pc JOIN thread t ON t.category = pc.category "
        f"WHERE t.status IN ({thread_statuses}) AND t.visibility = 'public' AND NOT t.hidden GROUP BY pc.plan"
    )
    open_proposals = {row["plan"]: row["n"] for row in proposals}
    open_reports = {row["plan"]: row["n"] for row in reports}
    return [
        PlanCard(plan=plan, open_proposals=open_proposals.get(plan.id, 0), open_reports=open_reports.get(plan.id, 0))
        for plan in plans
    ]


# ---- staff: edit, reorder, archive ----------------------------------------------------------------


def _require_staff(viewer: Viewer) -> None:
    if not viewer.is_staff:
        raise Forbidden("Only the workstation's staff manage the plans.")


async def save_plan(staff: Viewer, slug: str, form: PlanForm) -> None:
    """Rename a plan, set its goal, thresholds, feeding categories and leads; audited with before and after."""
    _require_staff(staff)
    plan = await get_plan(slug)
    categories = sorted(set(form.category_ids))
    leads = list(dict.fromkeys(form.lead_ids))
    if categories and await Category.count().where(Category.id.is_in(categories)) != len(categories):
        raise Invalid("Choose categories from the list.", field="category_ids")
    if leads and set(leads) - {c.person_id for c in await lead_candidates()} - set(await plan_leads(plan.id)):
        raise Invalid("Choose the plan's leads among the sitting council members.", field="lead_ids")
    values = {
        "name_zh": form.name_zh.strip(),
        "name_en": form.name_en.strip(),
        "goal_zh": form.goal_zh.strip(),
        "goal_en": form.goal_en.strip(),
        "people_threshold": form.people_threshold,
        "shop_threshold": form.shop_threshold,
    }
    at = clock_now()
    async with write_transaction():
        before_leads = await plan_leads(plan.id)
        before_categories = [c.id for c in (await plan_categories(plan.id)).get(plan.id, [])]
        await Plan.update(values).where(Plan.id == plan.id)
        await PlanCategory.delete().where(PlanCategory.plan == plan.id)
        if categories:
            await PlanCategory.insert(*[PlanCategory(plan=plan.id, category=c) for c in categories])
        await PlanLead.delete().where(PlanLead.plan == plan.id)
        if leads:
            await PlanLead.insert(*[PlanLead(plan=plan.id, person=p, since=at) for p in leads])
        before = {key: getattr(plan, key) for key in values} | {"categories": before_categories, "leads": before_leads}
        await record_change(
            actor_id=staff.person_id,
            action="plan.saved",
            object_type="plan",
            object_id=plan.id,
            before=before,
            after=values | {"categories": categories, "leads": leads},
            at=at,
        )
    forget("plans")


async def move_plan(staff: Viewer, slug: str, direction: int) -> None:
    """Swap a plan with its neighbour (direction -1 up, +1 down); the order is renumbered 0..n-1."""
    _require_staff(staff)
    if direction not in (-1, 1):
        raise Invalid("Move a plan up or down by one place.")
    plans = await list_plans(include_archived=True)
    index = next((i for i, plan in enumerate(plans) if plan.slug == slug), None)
    if index is None:
        raise NotFound("No such plan.")
    other = index + direction
    if not 0 <= other < len(plans):
        raise Conflict("This plan is already at the end of the list.")
    order = [plan.id for plan in plans]
    order[index], order[other] = order[other], order[index]
    async with write_transaction():
        for position, plan_id in enumerate(order):
            await Plan.update({Plan.sort_order: position}).where(Plan.id == plan_id)
        await record_change(
            actor_id=staff.person_id,
            action="plan.moved",
            object_type="plan",
            object_id=plans[index].id,
            before={"order": [plan.id for plan in plans]},
            after={"order": order},
        )
    forget("plans")


async def set_plan_archived(staff: Viewer, slug: str, archived: bool, reason: str) -> None:
    """Archive a plan (no new proposals under it; what was filed stays) or bring it back; with a reason."""
    _require_staff(staff)
    plan = await get_plan(slug)
    if plan.active == (not archived):
        if archived:
            raise Conflict("This plan is already archived.")
        raise Conflict("This plan is already active.")
    async with write_transaction():
        await Plan.update({Plan.active: not archived}).where(Plan.id == plan.id)
        await record_change(
            actor_id=staff.person_id,
            action="plan.archived" if archived else "plan.restored",
            object_type="plan",
            object_id=plan.id,
            before={"active": plan.active},
            after={"active": not archived, "reason": reason},
        )
    forget("plans")


def plan_name(plan: PlanOut, language: str) -> str:
    return plan.name_en if language == "en" else plan.name_zh


class RecentReport(msgspec.Struct, kw_only=True):
    id: int
    title: str
    status: str
    house_number: str
    created_at: dt.datetime


async def recent_reports(plan_id: int, limit: int = 5) -> list[RecentReport]:
    """The latest public threads in the plan's categories: one statement."""
    rows = await Plan.raw(
        "SELECT t.id, t.title, t.status, t.house_number, t.created_at FROM thread t "
        "JOIN plan_category pc ON pc.category = t.category "
        "WHERE pc.plan = {} AND t.visibility = 'public' AND NOT t.hidden "
        "ORDER BY t.created_at DESC, t.id DESC LIMIT {}",
        plan_id,
        limit,
    )
    return [msgspec.convert(row, RecentReport, strict=False) for row in rows]


async def lead_candidates() -> list[PlanLeadOut]:
    """Who may lead a plan: the sitting council members (a seat of the current term that has not ceased, the
    same rule that gives the "council" role), read as plain SQL like accounts.load_viewer reads it."""
    today = block_today()
    rows = await Person.raw(
        "SELECT DISTINCT p.id AS person_id, p.display_name AS name FROM person p "
        "JOIN council_seat s ON s.person = p.id JOIN council_term t ON t.id = s.term "
        "WHERE s.ceased_at IS NULL AND t.starts_on <= {} AND t.ends_on >= {} AND p.erased_at IS NULL ORDER BY p.id",
        today,
        today,
    )
    return [PlanLeadOut(person_id=row["person_id"], name=shown_name(row["name"])) for row in rows]
