"""Demo needs: volunteers for a clean-up on the environment plan, materials for the reading corner, a space, a
skill; one already met."""

from __future__ import annotations

import datetime as dt

from block_service.accounts.people import load_viewer
from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.needs.pledging import subject_of
from block_service.needs.schemas import NeedForm
from block_service.needs.services import block_date, post_need, settle_need
from block_service.plans.tables import Plan
from block_service.pledges.schemas import PledgeForm
from block_service.pledges.services import pledge

# author (staff or a resident's mobile), kind, title, description, quantity, unit, days, plan slug
DEMO_NEEDS = [
    (
        "staff",
        "volunteers",
        "周六上午清扫1141弄，需要志愿者",
        "工具和手套由工作站提供，九点在工作站门口集合，大约两个小时。",
        8,
        "人",
        12,
        "environment",
    ),
    (
        "13900002002",
        "materials",
        "社区读书角缺少儿童绘本",
        "旧书也可以，八成新以上，放学后孩子们在工作站看书用。",
        40,
        "本",
        30,
        "culture",
    ),
    (
        "13900002001",
        "space",
        "找一个晚上能借用的场地开邻里议事会",
        "大约二十人，周三或周四晚上七点到九点。",
        1,
        "处",
        20,
        None,
    ),
    (
        "staff",
        "skill",
        "会做海报的街坊帮忙设计便民服务地图",
        "需要一张A3海报，标出沿路提供饮用水、卫生间的店铺。",
        1,
        "人",
        25,
        None,
    ),
    ("13900002003", "other", "帮独居老人搬一次家具", "1141弄5号二楼，一张旧沙发下楼，半小时。", 3, "人", 6, None),
]


async def _viewer_by_phone(phone: str) -> Viewer | None:
    row = await Person.select(Person.id, Person.session_version).where(Person.phone == phone).first()
    return await load_viewer(row["id"], row["session_version"]) if row else None


async def seed_demo_needs(staff: Viewer) -> list[int]:
    plans = {row["slug"]: row["id"] for row in await Plan.select(Plan.id, Plan.slug)}
    today = block_date()
    posted = []
    for author, kind, title, description, quantity, unit, days, plan in DEMO_NEEDS:
        viewer = staff if author == "staff" else await _viewer_by_phone(author)
        if viewer is None:
            continue
        need_id = await post_need(
            viewer,
            NeedForm(
                kind=kind,
                title=title,
                description=description,
                quantity=quantity,
                unit=unit,
                until=(today + dt.timedelta(days=days)).isoformat(),
                plan_id=plans.get(plan) if plan else None,
            ),
        )
        posted.append(need_id)
    await _pledge_demo(posted)
    if posted:
        last = posted[-1]
        author = DEMO_NEEDS[-1][0]
        viewer = staff if author == "staff" else await _viewer_by_phone(author)
        if viewer is not None:
            await settle_need(viewer, last, "met")
    return posted


# (need index, pledger's mobile, kind, item, quantity, note, named)
DEMO_PLEDGES = [
    (0, "13900002001", "skill", "周六上午清扫1141弄，需要志愿者", None, "我带两个孩子一起来。", True),
    (0, "13900002003", "skill", "周六上午清扫1141弄，需要志愿者", None, "", False),
    (0, "13800001004", "materials", "矿泉水", 24, "好邻居便利店提供一箱水。", True),
    (1, "13900002001", "materials", "社区读书角缺少儿童绘本", 12, "家里孩子看过的绘本，九成新。", False),
    (1, "13800001006", "materials", "社区读书角缺少儿童绘本", 20, "托管班捐一批。", True),
    (3, "13900002003", "skill", "会做海报的街坊帮忙设计便民服务地图", None, "我是平面设计师，周末可以做。", True),
]


async def _pledge_demo(posted: list[int]) -> None:
    for index, mobile, kind, item, quantity, note, named in DEMO_PLEDGES:
        viewer = await _viewer_by_phone(mobile)
        if viewer is None or index >= len(posted):
            continue
        await pledge(
            viewer,
            subject_of(posted[index]),
            PledgeForm(
                kind=kind, item=item, quantity=quantity, unit="本" if index == 1 else "", note=note, show_name=named
            ),
        )
