"""The demo's council motions: one closed with its roll-call and a recusal, one open for the chair's vote."""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.clock import BLOCK_TIMEZONE, now
from block_service.council.motion_schemas import MotionForm, VoteForm
from block_service.council.motion_votes import cast_vote, recuse
from block_service.council.motions import open_motion
from block_service.council.seats import seats_of_term
from block_service.council.terms import current_term
from block_service.schemas import ReasonForm


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(BLOCK_TIMEZONE).strftime("%Y-%m-%dT%H:%M")


async def seed_demo_motions(staff: Viewer) -> None:
    term = await current_term()
    if term is None:
        return
    seats = [seat for seat in await seats_of_term(term.id) if seat.ceased_at is None]
    chair = next((seat for seat in seats if seat.position == "chair"), None)
    if chair is None or len(seats) < 4:
        return
    members = {seat.person_id: Viewer(person_id=seat.person_id, display_name=seat.display_name) for seat in seats}
    chair_viewer = members[chair.person_id]
    others = [members[seat.person_id] for seat in seats if seat.person_id != chair.person_id]

    # Closed: a rule of the block under the two-thirds threshold; one member recuses, everyone else votes.
    closed = await open_motion(
        chair_viewer,
        MotionForm(
            title="夜间外摆统一在22:00前收摊",
            text="为减少夜间噪声和油烟对居民的影响，凌岩南路沿街外摆每晚22:00前收摊并清扫门前。适用于全部沿街商户。",
            kind="rule",
            rule="two_thirds",
            closes_at=_local(now() + dt.timedelta(days=7)),
        ),
    )
    await recuse(others[0], closed, ReasonForm(reason="我的店有夜间外摆，涉及自身利益，申请回避。"))
    for voter, choice in zip([chair_viewer, *others[1:]], ("yes", "yes", "no", "yes", "yes"), strict=False):
        await cast_vote(voter, closed, VoteForm(choice=choice))

    # Open: spending the autonomous funds; one member has voted, the chair has not.
    opened = await open_motion(
        staff,
        MotionForm(
            title="使用自治金在1141弄口增设共享充电桩",
            text="在1141弄口人行道内侧增设4个电动自行车共享充电桩，解决飞线充电的安全隐患。由好邻居便利店负责日常看护。",
            kind="funds",
            budget_cap=30000,
            closes_at=_local(now() + dt.timedelta(days=5)),
        ),
    )
    await cast_vote(others[1], opened, VoteForm(choice="yes"))
