"""Demo projects: council motions on demo proposals (passed, rejected, on the agenda) and a project of each size
in different states — a large one at the street office, small ones in progress, stalled, completed and evaluated
by the people served, and a mini one the block does itself. Everything goes through the real services."""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.clock import BLOCK_TIMEZONE, block_today, now
from block_service.council.motion_schemas import MotionForm, VoteForm
from block_service.council.motion_tables import Motion
from block_service.council.motion_votes import cast_vote
from block_service.council.motions import open_motion
from block_service.council.seats import seats_of_term
from block_service.council.terms import current_term
from block_service.errors import DomainError
from block_service.funds.demo import seed_demo_project_money
from block_service.plans.lifecycle import take_step
from block_service.plans.plans import get_plan
from block_service.plans.proposals import file_proposal
from block_service.plans.schemas import ProposalForm, StepForm
from block_service.plans.supports import set_support
from block_service.plans.tables import Proposal
from block_service.pledges import services as pledges
from block_service.pledges.schemas import PledgeForm
from block_service.projects import evaluation, lifecycle, pledging, work
from block_service.projects.projects import create_project
from block_service.projects.schemas import (
    EvaluationForm,
    GoalsForm,
    MaintainerForm,
    MilestoneForm,
    ProjectForm,
    StageForm,
    StateForm,
    UpdateForm,
)
from block_service.projects.tables import Milestone, Project, ProjectInvitee
from block_service.shops.tables import Shop

SEATS = "1141弄口增设休息座椅"
# (proposal title, motion result or "open", size, budget cap in yuan)
# 花店门前绿化带认养 stays under deliberation and 增加分类垃圾桶 on the staff's list, so those states show too.
MOTIONS = [
    ("弄堂路灯和电线整治", "passed", "large", 180000),
    ("统一油烟净化设备清洗时间", "passed", "small", 12000),
    ("门前三包评比", "passed", "mini", 500),
    ("1141弄口增设休息座椅", "passed", "small", 6000),
    ("放学时段接送等候区", "passed", "small", 8000),
    ("周末夜市摊位规范", "rejected", "small", 20000),
    ("商户爱心驿站：饮水和充电", "open", "mini", None),
]


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(BLOCK_TIMEZONE).strftime("%Y-%m-%dT%H:%M")


def _day(days: int) -> str:
    return (block_today() + dt.timedelta(days=days)).isoformat()


async def _decide(
    staff: Viewer, chair: Viewer, members: list[Viewer], proposal: dict, result: str, size: str, cap: int | None
) -> int:
    if proposal["status"] == "submitted":
        await take_step(staff, proposal["id"], StepForm(step="accept", reason="符合行动计划方向，进入审议。"))
    motion_id = await open_motion(
        chair,
        MotionForm(
            title=f"关于“{proposal['title']}”的动议",
            text=f"理事会表决是否通过提议“{proposal['title']}”并立项实施。",
            kind="proposal",
            proposal_id=proposal["id"],
            size=size,
            budget_cap=cap,
            closes_at=_local(now() + dt.timedelta(days=5)),
        ),
    )
    if result == "open":
        await cast_vote(members[1], motion_id, VoteForm(choice="yes"))
        return motion_id
    choice = "yes" if result == "passed" else "no"
    for member in members:
        try:
            await cast_vote(member, motion_id, VoteForm(choice=choice))
        except DomainError:
            continue  # not on this motion's roll (an interest declared)
    return motion_id


async def seed_demo_projects(staff: Viewer) -> dict[str, int]:
    """Returns the demo projects' ids by proposal title (empty when the demo has no sitting council)."""
    term = await current_term()
    if term is None:
        return {}
    seats = [seat for seat in await seats_of_term(term.id) if seat.ceased_at is None]
    chair_seat = next((seat for seat in seats if seat.position == "chair"), None)
    if chair_seat is None or len(seats) < 3:
        return {}
    members = [Viewer(person_id=s.person_id, display_name=s.display_name, roles=frozenset({"council"})) for s in seats]
    chair = next(m for m in members if m.person_id == chair_seat.person_id)
    proposals = {
        row["title"]: row
        for row in await Proposal.select(Proposal.id, Proposal.title, Proposal.status).where(
            Proposal.title.is_in([title for title, *_rest in MOTIONS])
        )
    }
    # One more proposal, backed by the demo's people: the project completed and evaluated by those it serves.
    people = [
        row["id"] for row in await Person.select(Person.id).where(Person.id != staff.person_id).order_by(Person.id)
    ]
    if len(people) >= 4:
        author = Viewer(person_id=people[0], roles=frozenset({"resident"}))
        form = ProposalForm(
            plan_id=(await get_plan("neighbours")).id,
            title=SEATS,
            house_number="1141弄",
            size="small",
            cost_yuan=6000,
            body="1141弄口老人和等孩子的家长多，建议在人行道内侧增设两张休息座椅。",
        )
        seats_id = await file_proposal(author, form)
        for person_id in people[1:7]:
            await set_support(Viewer(person_id=person_id, roles=frozenset({"resident"})), seats_id, True)
        proposals[SEATS] = {"id": seats_id, "title": SEATS, "status": "submitted"}
    motions = {}
    for title, result, size, cap in MOTIONS:
        proposal = proposals.get(title)
        if proposal and proposal["status"] in ("submitted", "deliberation"):
            motions[title] = await _decide(staff, chair, members, proposal, result, size, cap)
    passed = {
        title: motion_id
        for title, motion_id in motions.items()
        if await Motion.exists().where((Motion.id == motion_id) & (Motion.result == "passed"))
    }
    shops = {row["name"]: row["id"] for row in await Shop.select(Shop.id, Shop.name)}
    ids: dict[str, int] = {}

    async def start(title: str, name: str, summary: str, lead: tuple[str, int], days_ago: int) -> int | None:
        if title not in passed:
            return None
        form = ProjectForm(
            motion_id=passed[title],
            title=name,
            summary=summary,
            lead_type=lead[0],
            lead_id=lead[1],
            starts_on=_day(-days_ago),
        )
        ids[title] = await create_project(chair, form)
        return ids[title]

    async def milestones(project_id: int, plan: list[tuple[str, int, int, bool]]) -> None:
        for name, due, weight, done in plan:
            milestone_id = await work.add_milestone(
                staff, project_id, MilestoneForm(title=name, due_on=_day(due), weight=weight)
            )
            if done:
                await work.complete_milestone(staff, project_id, milestone_id)

    # Large: the street office's list of practical projects; submitted with its reference number.
    large = await start(
        "弄堂路灯和电线整治",
        "1141弄弄堂照明与架空线整治",
        "更换弄堂内12盏老旧路灯，架空线入地或规整，申报街道年度实事项目。",
        ("person", staff.person_id),
        10,
    )
    if large:
        await milestones(large, [("现场踏勘与方案", -3, 1, True), ("街道审批", 30, 1, False), ("施工", 90, 3, False)])
        await lifecycle.change_stage(
            staff,
            large,
            StageForm(stage="submitted", reference_number="凌岩街道实事〔2026〕第7号", submitted_on=_day(-2)),
        )
    # Small, in progress: one milestone done, one overdue, an update.
    fumes_lead = ("shop", shops["老张生煎"]) if "老张生煎" in shops else ("person", staff.person_id)
    fumes = await start(
        "统一油烟净化设备清洗时间",
        "餐饮店油烟净化器统一清洗",
        "每月第一周统一清洗，清洗记录在工作站公示。",
        fumes_lead,
        20,
    )
    if fumes:
        await lifecycle.change_state(staff, fumes, StateForm(state="in_progress"))
        await milestones(
            fumes, [("联系清洗公司比价", -14, 1, True), ("首轮清洗", -2, 2, False), ("公示清洗记录", 10, 1, False)]
        )
        await work.post_update(
            staff, fumes, UpdateForm(body="已与两家清洗公司比价，选定报价较低的一家，首轮清洗排期中。")
        )
        spent = ((3600, "清洗服务", block_today() - dt.timedelta(days=6), "首轮清洗定金"),)
        await seed_demo_project_money(staff, fumes, passed["统一油烟净化设备清洗时间"], 10000, spent)
    # Mini: the block does it itself.
    tidy = await start(
        "门前三包评比",
        "门前三包月度评比",
        "每月评出门前最整洁的三家商户，奖品由商户自愿认捐。",
        ("person", staff.person_id),
        5,
    )
    if tidy:
        await lifecycle.change_state(staff, tidy, StateForm(state="in_progress"))
        await milestones(tidy, [("制定评比细则", 3, 1, False), ("第一次评比", 25, 2, False)])
        await _goals_and_pledges(staff, tidy)
    # Small, stalled with its reason.
    pickup = await start(
        "放学时段接送等候区",
        "放学接送等候区划线",
        "在小书童托管班门前划设放学接送等候区。",
        ("person", staff.person_id),
        30,
    )
    if pickup:
        await milestones(pickup, [("交警部门意见", -10, 1, False)])
        await lifecycle.change_state(
            staff, pickup, StateForm(state="stalled", reason="等待交警部门对划线位置的书面意见。")
        )
    # Small, completed and evaluated by the people served.
    seats_project = await start(
        SEATS, "1141弄口休息座椅", "在1141弄口人行道内侧安装两张防腐木休息座椅。", ("person", staff.person_id), 45
    )
    if seats_project:
        spent = (
            (4800, "座椅采购", block_today() - dt.timedelta(days=22), "防腐木座椅两张"),
            (600, "安装人工", block_today() - dt.timedelta(days=16), ""),
        )
        await seed_demo_project_money(staff, seats_project, passed[SEATS], 6000, spent)
        await _completed_and_evaluated(staff, seats_project, shops)
    return ids


async def _goals_and_pledges(staff: Viewer, project_id: int) -> None:
    """A mini project's goals, and pledges from the demo's residents (one named, one not)."""
    for goal in (
        GoalsForm(kind="money", quantity=500),
        GoalsForm(kind="materials", quantity=10, item="奖牌", unit="块"),
        GoalsForm(kind="hours", quantity=12),
    ):
        await pledging.set_goal(staff, project_id, goal)
    people = [
        row["id"]
        for row in await Person.select(Person.id).where(Person.id != staff.person_id).order_by(Person.id).limit(3)
    ]
    forms = (
        PledgeForm(kind="money", quantity=200, show_name=True, note="支持门前三包"),
        PledgeForm(kind="hours", quantity=4, note="周末可以帮忙打分"),
        PledgeForm(kind="materials", quantity=5, item="奖牌", unit="块"),
    )
    for person_id, form in zip(people, forms, strict=False):
        await pledges.pledge(
            Viewer(person_id=person_id, roles=frozenset({"resident"})), pledging.subject_of(project_id), form
        )


async def _completed_and_evaluated(staff: Viewer, project_id: int, shops: dict[str, int]) -> None:
    await lifecycle.change_state(staff, project_id, StateForm(state="in_progress"))
    for name, due in (("选址并征求居民意见", -30), ("采购座椅", -20), ("安装", -15)):
        milestone_id = await work.add_milestone(staff, project_id, MilestoneForm(title=name, due_on=_day(due)))
        await work.complete_milestone(staff, project_id, milestone_id)
    await Milestone.update({Milestone.done_on: block_today() - dt.timedelta(days=16)}).where(
        Milestone.project == project_id
    )
    await work.post_update(staff, project_id, UpdateForm(body="两张座椅已安装在1141弄口人行道内侧，欢迎大家试坐。"))
    maintainer = ("shop", shops["好邻居便利店"]) if "好邻居便利店" in shops else ("person", staff.person_id)
    await lifecycle.name_maintainer(
        staff,
        project_id,
        MaintainerForm(
            maintainer_type=maintainer[0],
            maintainer_id=maintainer[1],
            duties="每周擦洗座椅，发现松动或破损及时报工作站维修。",
        ),
    )
    await lifecycle.change_state(staff, project_id, StateForm(state="completed"))
    invited = [row["person"] for row in await ProjectInvitee.select(ProjectInvitee.person).order_by(ProjectInvitee.id)]
    answers = [("yes", 5, "接孩子时终于有地方坐了，谢谢！"), ("yes", 4, ""), ("partly", 3, "座椅再多一张就更好了。")]
    for person_id, (solved, score, comment) in zip(invited, answers, strict=False):
        await evaluation.evaluate(
            Viewer(person_id=person_id), project_id, EvaluationForm(solved=solved, satisfaction=score, comment=comment)
        )
    # The window has passed: the demo shows the project evaluated, as the periodic round leaves it.
    await Project.update({Project.evaluation_closes_at: now() - dt.timedelta(hours=1)}).where(Project.id == project_id)
    await evaluation.close_evaluations()
