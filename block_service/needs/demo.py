"""Demo needs: volunteers for a clean-up on the environment plan, materials for the reading corner, a space, a
skill; one already met."""

from __future__ import annotations

import datetime as dt

from block_service.accounts.people import load_viewer
from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.needs.schemas import NeedForm
from block_service.needs.services import block_date, post_need, settle_need
from block_service.plans.tables import Plan

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
    if posted:
        last = posted[-1]
        author = DEMO_NEEDS[-1][0]
        viewer = staff if author == "staff" else await _viewer_by_phone(author)
        if viewer is not None:
            await settle_need(viewer, last, "met")
    return posted
