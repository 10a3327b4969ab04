"""Reading motions: the motion page and its JSON, the council's motion desk, motions of proposals.

What anyone may read: the motion, its roll (members, declared interests, recusals with their reasons),
who has voted while it is open (not how), and once it has closed, the counts, the result and every
member's final vote (the roll-call). A member also sees their own vote while the motion is open.
"""

from __future__ import annotations

import functools

import msgspec

from block_service.accounts.schemas import Viewer
from block_service.clock import now
from block_service.council.motion_links import proposal_facts
from block_service.council.motion_schemas import (
    MotionDesk,
    MotionOut,
    MotionPage,
    MotionSummary,
    MyPart,
    ProposalLink,
    RollEntry,
    Tally,
)
from block_service.council.motion_tables import Motion, MotionMember, MotionVote
from block_service.council.motions import may_open_motions, term_is_current
from block_service.errors import DomainError, NotFound
from block_service.names import shown_name
from block_service.pagination import clamp, paginate

_ENDED = ["closed", "withdrawn"]


@functools.cache
def _motion_columns() -> tuple:
    return (
        Motion.id,
        Motion.term.as_alias("term_id"),
        Motion.term.number.as_alias("term_number"),
        Motion.title,
        Motion.text,
        Motion.kind,
        Motion.quorum,
        Motion.rule,
        Motion.proposal_id,
        Motion.agenda_item_id,
        Motion.size,
        Motion.budget_cap,
        Motion.status,
        Motion.opens_at,
        Motion.closes_at,
        Motion.closed_at,
        Motion.close_reason,
        Motion.withdrawn_reason,
        Motion.result,
        Motion.eligible_count,
        Motion.yes_count,
        Motion.no_count,
        Motion.abstain_count,
    )


@functools.cache
def _roll_columns() -> tuple:
    return (
        MotionMember.person.as_alias("person_id"),
        MotionMember.person.display_name.as_alias("display_name"),
        MotionMember.seat.shop.name.as_alias("shop_name"),
        MotionMember.seat.ceased_at.as_alias("ceased_at"),
        MotionMember.status,
        MotionMember.reason,
    )


async def _proposal_link(proposal_id: int | None) -> ProposalLink | None:
    if proposal_id is None:
        return None
    try:
        facts = await proposal_facts(proposal_id)
    except DomainError:
        return ProposalLink(id=proposal_id, title="")
    return ProposalLink(id=proposal_id, title=facts.title, status=facts.status)


def _roll_status(row: dict, motion: dict, voted: bool) -> str:
    """`ceased`: the seat ended while the motion was open and the member had not voted (see motion_votes)."""
    ceased = row["ceased_at"]
    if row["status"] == "eligible" and ceased is not None and not voted:
        if motion["closed_at"] is None or ceased <= motion["closed_at"]:
            return "ceased"
    return row["status"]


async def get_motion(motion_id: int, viewer: Viewer) -> MotionPage:
    """Four statements (motion, roll, votes, and the proposal's facts when it has one)."""
    row = await Motion.select(*_motion_columns()).where(Motion.id == motion_id).first()
    if row is None:
        raise NotFound("No such motion.")
    roll_rows = (
        await MotionMember.select(*_roll_columns()).where(MotionMember.motion == motion_id).order_by(MotionMember.id)
    )
    votes = {
        vote["person"]: vote["choice"]
        for vote in await MotionVote.select(MotionVote.person, MotionVote.choice).where(MotionVote.motion == motion_id)
    }
    closed = row["status"] == "closed"
    roll = [
        RollEntry(
            person_id=member["person_id"],
            display_name=shown_name(member["display_name"]),
            shop_name=member["shop_name"] or "",
            status=_roll_status(member, row, member["person_id"] in votes),
            reason=member["reason"] if member["status"] == "recused" else "",
            has_voted=member["person_id"] in votes,
            choice=votes.get(member["person_id"]) if closed else None,
        )
        for member in roll_rows
    ]
    motion = MotionOut(
        **{key: value for key, value in row.items() if key != "proposal_id" and not key.endswith("_count")},
        proposal=await _proposal_link(row["proposal_id"]),
        tally=Tally(
            eligible=row["eligible_count"], yes=row["yes_count"], no=row["no_count"], abstain=row["abstain_count"]
        )
        if closed
        else None,
        voted=sum(1 for entry in roll if entry.has_voted),
        roll=roll,
    )
    return MotionPage(motion=motion, mine=await _my_part(motion, viewer, votes))


async def _my_part(motion: MotionOut, viewer: Viewer, votes: dict[int, str]) -> MyPart:
    mine = next((entry for entry in motion.roll if entry.person_id == viewer.person_id), None)
    if mine is None:
        return MyPart()
    choice = votes.get(mine.person_id)
    state = mine.status if mine.status != "eligible" else ("voted" if choice else "to_vote")
    active = motion.status == "open" and motion.closes_at > now() and mine.status == "eligible"
    if active:
        active = await term_is_current(motion.term_id)
    return MyPart(state=state, choice=choice, may_vote=active, may_recuse=active and choice is None)


async def closed_motion_of_proposal(proposal_id: int) -> MotionOut | None:
    """The latest closed motion on the proposal with its roll-call (what anyone reads on the motion page), or None."""
    row = (
        await Motion.select(Motion.id)
        .where((Motion.proposal_id == proposal_id) & (Motion.status == "closed"))
        .order_by(Motion.closed_at, ascending=False)
        .first()
    )
    return (await get_motion(row["id"], Viewer())).motion if row else None


async def motion_json(motion_id: int) -> MotionOut:
    """The JSON answer: what the page shows anyone (no viewer's own part)."""
    return (await get_motion(motion_id, Viewer())).motion


def _summary(row: dict) -> MotionSummary:
    return MotionSummary(
        id=row["id"],
        title=row["title"],
        kind=row["kind"],
        status=row["status"],
        opens_at=row["opens_at"],
        closes_at=row["closes_at"],
        result=row["result"],
        yes=row["yes_count"],
        no=row["no_count"],
        abstain=row["abstain_count"],
        eligible=row["eligible_count"],
    )


async def motion_desk(viewer: Viewer, page: int = 1) -> MotionDesk:
    """Open (and scheduled) motions with the viewer's vote state, then past results a page at a time."""
    columns = _motion_columns()
    open_rows = (
        await Motion.select(*columns).where(Motion.status.is_in(["scheduled", "open"])).order_by(Motion.closes_at)
    )
    page, per_page = clamp(page, 20)
    past = await paginate(
        Motion.select(*columns).where(Motion.status.is_in(_ENDED)).order_by(Motion.closed_at, ascending=False),
        Motion.count().where(Motion.status.is_in(_ENDED)),
        page,
        per_page,
        _summary,
    )
    open_items = [_summary(row) for row in open_rows]
    ids = [item.id for item in open_items + past.items]
    if viewer.person_id is not None and ids:
        members = {
            row["motion"]: row["status"]
            for row in await MotionMember.select(MotionMember.motion, MotionMember.status).where(
                (MotionMember.person == viewer.person_id) & MotionMember.motion.is_in(ids)
            )
        }
        votes = {
            row["motion"]: row["choice"]
            for row in await MotionVote.select(MotionVote.motion, MotionVote.choice).where(
                (MotionVote.person == viewer.person_id) & MotionVote.motion.is_in(ids)
            )
        }
        for item in open_items + past.items:
            status = members.get(item.id, "")
            item.my_choice = votes.get(item.id)
            item.my_state = status if status != "eligible" else ("voted" if item.my_choice else "to_vote")
    return MotionDesk(open=open_items, past=past, may_open=await may_open_motions(viewer))


async def motions_of_proposals(proposal_ids: list[int]) -> list[dict]:
    """Every motion on these proposals, oldest first (one statement), for the chain and the plan page."""
    if not proposal_ids:
        return []
    rows = (
        await Motion.select(*_motion_columns())
        .where(Motion.proposal_id.is_in(sorted(set(proposal_ids))))
        .order_by(Motion.opens_at)
    )
    return [msgspec.structs.asdict(_summary(row)) | {"proposal_id": row["proposal_id"]} for row in rows]
