"""Demo proposals for the demo block: a dozen, in every state the proposals domain reaches by itself.

The council's motions and the meetings seed their own demo afterwards: they put the proposals named in
FOR_MOTIONS on the agenda (one passed with its roll-call, one with an open motion) and hold a hearing on one.
"""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.plans.lifecycle import take_step
from block_service.plans.plans import get_plan, lead_candidates, save_plan
from block_service.plans.proposals import file_proposal
from block_service.plans.schemas import PlanForm, ProposalForm, StepForm
from block_service.plans.supports import set_support
from block_service.plans.tables import Proposal, ProposalStep
from block_service.shops.tables import ShopMerchant
from block_service.threads.tables import Thread

RESIDENTS = {"wang": "1141弄居民 王先生", "lin": "退休教师 林阿姨", "huang": "上班族 小黄"}
# (author key or merchant's shop, plan, title, body, house number, size, cost, from thread titled, supporters,
#  steps: [(step, reason, by "staff" | "author")], None to keep it a draft)
PROPOSALS = [
    (
        "wang",
        "environment",
        "花店门前绿化带认养",
        "建议沿街商户每家认养门前一段绿化带，工作站提供花苗和工具，商户负责日常浇水。",
        "1205号",
        "mini",
        3000,
        "花店门前绿化被踩坏",
        11,
        [("accept", "支持的居民和商户已超过门槛，进入审议。", "staff")],
    ),
    (
        "lin",
        "neighbours",
        "统一油烟净化设备清洗时间",
        "餐饮店每月第一周统一清洗油烟净化器，清洗记录在工作站公示。",
        "1117号",
        "small",
        12000,
        "面馆油烟直排进小区窗户",
        10,
        [("accept", "与邻里共融计划相符，进入审议。", "staff")],
    ),
    (
        "老张生煎",
        "business",
        "周末夜市摊位规范",
        "周五周六晚在1141弄口试行夜市，摊位统一编号、统一收摊时间，垃圾当晚清运。",
        "1141弄",
        "small",
        20000,
        None,
        10,
        [("accept", "商户和居民意见一致，进入审议。", "staff")],
    ),
    (
        "huang",
        "safety",
        "弄堂路灯和电线整治",
        "1141弄里路灯坏了多处，药房旁电线下垂，建议申报政府实事项目统一整治。",
        "1141弄5号",
        "large",
        180000,
        "弄堂里路灯坏了",
        6,
        [("accept", "涉及安全，优先审议。", "staff")],
    ),
    (
        "wang",
        "environment",
        "增加分类垃圾桶并加一次清运",
        "1160号附近垃圾桶每天满溢，建议增加两个分类垃圾桶，晚上加一次清运。",
        "1160号",
        "small",
        6000,
        "垃圾桶满溢没人清",
        10,
        [],
    ),
    (
        "小书童托管班",
        "safety",
        "放学时段接送等候区",
        "托管班门口划出临时等候区，放学时段禁止机动车停靠。",
        "1235号",
        "small",
        8000,
        "托管班门口需要一个等候区",
        3,
        [],
    ),
    (
        "lin",
        "services",
        "商户爱心驿站：饮水和充电",
        "沿街商户挂牌提供免费饮水、手机充电，为环卫工人和老人提供方便。",
        "",
        "mini",
        None,
        None,
        4,
        [],
    ),
    (
        "huang",
        "culture",
        "凌岩街区故事墙",
        "在1141弄口做一面街区故事墙，收集老居民和老店的照片与故事。",
        "1141弄",
        "small",
        15000,
        None,
        0,
        None,
    ),
    (
        "wang",
        "neighbours",
        "广场舞音量公约",
        "与南段广场舞队约定音量上限和结束时间，由工作站协调。",
        "1230号",
        "mini",
        None,
        "南段广场舞音量",
        2,
        [("decline", "已在“统一油烟”之外另由社区协调会处理，不作为行动提议。", "staff")],
    ),
    (
        "lin",
        "safety",
        "北段路口违停整治",
        "北段路口机动车违停严重，建议增设隔离桩。",
        "1099号",
        "small",
        5000,
        "北段路口机动车违停",
        1,
        [("merge", "与“弄堂路灯和电线整治”一并审议。", "staff")],
    ),
    (
        "huang",
        "business",
        "商户联合打折日",
        "每月一次全街联合打折日，统一宣传。",
        "",
        "mini",
        None,
        None,
        1,
        [("withdraw", "和商户商量后，改为由商业小组自行组织。", "author")],
    ),
    (
        "凌岩水果店",
        "environment",
        "门前三包评比",
        "每季度评一次门前三包示范店，张榜公示。",
        "1021号",
        "mini",
        500,
        None,
        2,
        [],
    ),
]
# Left under deliberation for the council's demo motions and the meetings' demo hearing.
FOR_MOTIONS = ("花店门前绿化带认养", "统一油烟净化设备清洗时间", "周末夜市摊位规范")
ALREADY_A_MONTH = dt.timedelta(days=40)


async def seed_demo_plans(staff: Viewer) -> dict[str, int]:
    """File the demo proposals through the real services, with supports and steps; returns their ids by title."""
    # The demo block has been running for a while: its accounts are old enough for their supports to count.
    now = dt.datetime.now(dt.UTC)
    await Person.update({Person.created_at: now - ALREADY_A_MONTH}).where(Person.created_at > now - ALREADY_A_MONTH)
    people = {row["display_name"]: row["id"] for row in await Person.select(Person.id, Person.display_name)}
    merchant_rows = await ShopMerchant.select(
        ShopMerchant.shop, ShopMerchant.person, ShopMerchant.shop.name.as_alias("shop_name")
    )
    merchants = {
        row["shop_name"]: Viewer(
            person_id=row["person"], roles=frozenset({"resident", "merchant"}), shop_ids=frozenset({row["shop"]})
        )
        for row in merchant_rows
    }
    residents = {key: Viewer(person_id=people[name], roles=frozenset({"resident"})) for key, name in RESIDENTS.items()}
    supporters = list(residents.values()) + list(merchants.values())
    threads = {row["title"]: row["id"] for row in await Thread.select(Thread.id, Thread.title)}
    await _name_leads(staff)
    ids: dict[str, int] = {}
    for who, plan, title, body, house, size, cost, thread, support, steps in PROPOSALS:
        author = residents.get(who) or merchants[who]
        form = ProposalForm(
            plan_id=(await get_plan(plan)).id,
            title=title,
            body=body,
            house_number=house,
            size=size,
            cost_yuan=cost,
            thread_ids=[threads[thread]] if thread in threads else [],
            submit=steps is not None,
        )
        proposal_id = ids[title] = await file_proposal(author, form)
        for supporter in [s for s in supporters if s.person_id != author.person_id][:support]:
            await set_support(supporter, proposal_id, True)
        for step, reason, by in steps or []:
            merge_into = ids.get("弄堂路灯和电线整治") if step == "merge" else None
            actor = staff if by == "staff" else author
            await take_step(actor, proposal_id, StepForm(step=step, reason=reason, merge_into=merge_into))
    await _spread_dates(ids, now)
    return ids


async def _name_leads(staff: Viewer) -> None:
    """Two sitting council members lead each plan, taken in turn (none when the demo has no council yet)."""
    members = [c.person_id for c in await lead_candidates()]
    if not members:
        return
    for index, slug in enumerate(("environment", "safety", "business", "neighbours", "services", "culture")):
        plan = await get_plan(slug)
        leads = sorted({members[index % len(members)], members[(index + 1) % len(members)]})
        await save_plan(staff, slug, await _same_form(plan, leads))


async def _same_form(plan, leads: list[int]) -> PlanForm:
    from block_service.plans.plans import plan_categories

    categories = [c.id for c in (await plan_categories(plan.id)).get(plan.id, [])]
    return PlanForm(
        name_zh=plan.name_zh,
        name_en=plan.name_en,
        goal_zh=plan.goal_zh,
        goal_en=plan.goal_en,
        people_threshold=plan.people_threshold,
        shop_threshold=plan.shop_threshold,
        category_ids=categories,
        lead_ids=leads,
    )


async def _spread_dates(ids: dict[str, int], now: dt.datetime) -> None:
    """Filed over the past weeks, oldest first, so the lists and timelines read like a month of work."""
    for index, proposal_id in enumerate(ids.values()):
        filed = now - dt.timedelta(days=24 - 2 * index, hours=3)
        await Proposal.update({Proposal.created_at: filed, Proposal.submitted_at: filed}).where(
            (Proposal.id == proposal_id) & Proposal.submitted_at.is_not_null()
        )
        await Proposal.update({Proposal.created_at: filed}).where(Proposal.id == proposal_id)
        await ProposalStep.update({ProposalStep.at: filed}).where(
            (ProposalStep.proposal == proposal_id) & (ProposalStep.status_from == "")
        )
