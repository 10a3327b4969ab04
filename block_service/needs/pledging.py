"""Needs as a target of the block's one pledge model: open while the need is, managed by its author and staff;
the need's goal; the pledgers told when the need is met or closed (through the shared inbox)."""

from __future__ import annotations

import datetime as dt

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.i18n import N_
from block_service.inbox import KindView, Subject, deliver, register_kind
from block_service.needs.tables import Need
from block_service.pledges import register_target
from block_service.pledges.schemas import GoalForm, PledgeSubject
from block_service.pledges.services import set_goals
from block_service.pledges.tables import Pledge

TARGET = "need"
# What a pledge against each kind of need counts in: a volunteer or a skill is one person each (a "skill"
# pledge counts 1), materials by their quantity, a space by the place.
GOAL_KINDS = {"volunteers": "skill", "materials": "materials", "skill": "skill", "space": "space", "other": "skill"}
EVENTS = {
    "met": N_("A need you pledged to is met"),
    "closed": N_("A need you pledged to was closed"),
}


def subject_of(need_id: int) -> PledgeSubject:
    return PledgeSubject(kind=TARGET, id=need_id)


def goal_of(kind: str, title: str, quantity: int, unit: str) -> GoalForm:
    """The need's one goal; its item is the need's title, which the pledge form offers first."""
    return GoalForm(kind=GOAL_KINDS[kind], quantity=quantity, item=title[:60], unit=unit[:20])


async def set_goal(need_id: int, goal: GoalForm, actor_id: int) -> None:
    await set_goals(subject_of(need_id), [goal], actor_id=actor_id)


async def _is_open(need_id: int) -> bool:
    """One small query (it runs inside the pledge's write): open, and not past its last day (Beijing time)."""
    row = await Need.select(Need.status, Need.until).where(Need.id == need_id).first()
    return (
        row is not None
        and row["status"] == "open"
        and row["until"] >= clock.now().astimezone(clock.BLOCK_TIMEZONE).date()
    )


async def _may_manage(need_id: int, viewer: Viewer) -> bool:
    if viewer.is_staff:
        return True
    if viewer.person_id is None:
        return False
    return await Need.exists().where((Need.id == need_id) & (Need.author == viewer.person_id))


async def _describe(need_ids: list[int], viewer) -> dict[int, str]:
    rows = await Need.select(Need.id, Need.title).where(Need.id.is_in(sorted(set(need_ids)) or [0]))
    return {row["id"]: row["title"] for row in rows}


def _url(need_id: int) -> str:
    return f"/needs/{need_id}"


register_target(TARGET, is_open=_is_open, may_manage=_may_manage, describe=_describe, url=_url)


async def _inbox_lines(ids: list[int], viewer) -> dict[int, KindView]:
    titles = await _describe(ids, viewer)
    return {need_id: KindView(title=title, url=_url(need_id)) for need_id, title in titles.items()}


register_kind(TARGET, _inbox_lines, EVENTS)


async def tell_pledgers(need_id: int, outcome: str, now: dt.datetime, skip: int | None) -> int:
    """Inside the caller's write: everybody with a pledge standing on the need (no pledges service names them)."""
    rows = await Pledge.select(Pledge.person).where(
        (Pledge.subject_kind == TARGET) & (Pledge.subject_id == need_id) & (Pledge.state != "withdrawn")
    )
    people = sorted({row["person"] for row in rows} - {skip})
    if not people:
        return 0
    return await deliver(people, Subject(TARGET, need_id), outcome, now=now)
