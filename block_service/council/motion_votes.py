"""Voting on a motion: cast or change a vote, recuse oneself, and the roll as it stands.

One current vote per member: the row of (motion, person) in `MotionVote` is updated in place (a UNIQUE
index backs it) and every vote cast is kept in `MotionVoteChange`, and audited. Each vote first takes the
motion's row (a conditional UPDATE on the open motion), so the votes on one motion take turns on both
engines: the tally always equals the votes, and the last vote is the one that closes the motion early.

A seat that ends while the motion is open: the member can no longer vote, change their vote or recuse;
a vote they cast before their seat ended stands and is counted; if they had not voted, they leave the
eligible members, so the quorum is counted among the members still sitting.
"""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import now
from block_service.council.motion_closing import close_if_everyone_voted
from block_service.council.motion_schemas import VoteForm
from block_service.council.motion_tables import Motion, MotionMember, MotionVote, MotionVoteChange
from block_service.council.motions import term_is_current
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, NotFound
from block_service.schemas import ReasonForm


async def hold_open_motion(motion_id: int, moment: dt.datetime) -> dict:
    """Inside a write transaction: take the open motion's row (votes on it take turns) or refuse."""
    await Motion.update({Motion.status: "open"}).where((Motion.id == motion_id) & (Motion.status == "open"))
    motion = (
        await Motion.select(Motion.id, Motion.term, Motion.status, Motion.closes_at)
        .where(Motion.id == motion_id)
        .first()
    )
    if motion is None:
        raise NotFound("No such motion.")
    if motion["status"] == "scheduled":
        raise Conflict("Voting on this motion has not opened yet.")
    if motion["status"] != "open" or motion["closes_at"] <= moment:
        raise Conflict("Voting on this motion has closed.")
    if not await term_is_current(motion["term"]):
        raise Conflict("This motion belongs to another council term: its vote can no longer change.")
    return motion


async def _member_for_vote(motion_id: int, person_id: int | None) -> dict:
    member = (
        await MotionMember.select(MotionMember.status, MotionMember.seat.ceased_at.as_alias("ceased_at"))
        .where((MotionMember.motion == motion_id) & (MotionMember.person == person_id))
        .first()
    )
    if member is None:
        raise Forbidden("Only the council members sitting when this motion opened vote on it.")
    if member["status"] == "recused":
        raise Forbidden("You recused yourself from this motion, so you do not vote on it.")
    if member["status"] == "interest":
        raise Forbidden("You declared an interest in what this motion decides, so you do not vote on it.")
    if member["ceased_at"] is not None:
        raise Forbidden("Your seat has ended, so you can no longer vote on this motion.")
    return member


async def cast_vote(viewer: Viewer, motion_id: int, form: VoteForm, *, at: dt.datetime | None = None) -> bool:
    """A member on the roll votes 赞成/反对/弃权, or changes their vote, until the close.
    Returns True when this vote was the last one missing and closed the motion."""
    moment = at or now()
    async with write_transaction():
        await hold_open_motion(motion_id, moment)
        await _member_for_vote(motion_id, viewer.person_id)
        where = (MotionVote.motion == motion_id) & (MotionVote.person == viewer.person_id)
        previous = await MotionVote.select(MotionVote.choice).where(where).first()
        if previous is None:
            with duplicate_means(Conflict("Your vote was being recorded twice at once. Reload and check it.")):
                await MotionVote.insert(
                    MotionVote(motion=motion_id, person=viewer.person_id, choice=form.choice, cast_at=moment)
                )
        else:
            await MotionVote.update(
                {MotionVote.choice: form.choice, MotionVote.cast_at: moment, MotionVote.changes: MotionVote.changes + 1}
            ).where(where)
        await MotionVoteChange.insert(
            MotionVoteChange(motion=motion_id, person=viewer.person_id, choice=form.choice, cast_at=moment)
        )
        await record_change(
            actor_id=viewer.person_id,
            action="motion.vote_changed" if previous else "motion.vote_cast",
            object_type="motion",
            object_id=motion_id,
            before={"choice": previous["choice"]} if previous else None,
            after={"choice": form.choice},
            at=moment,
        )
        return await close_if_everyone_voted(motion_id, moment)


async def recuse(viewer: Viewer, motion_id: int, form: ReasonForm, *, at: dt.datetime | None = None) -> bool:
    """A member on the roll steps out of this vote, with a reason everyone reads; only before voting.
    Returns True when the others have all voted, so the motion closed."""
    moment = at or now()
    async with write_transaction():
        await hold_open_motion(motion_id, moment)
        await _member_for_vote(motion_id, viewer.person_id)
        voted = await MotionVote.exists().where(
            (MotionVote.motion == motion_id) & (MotionVote.person == viewer.person_id)
        )
        if voted:
            raise Conflict("You have already voted: a member recuses themself before voting.")
        await MotionMember.update(
            {MotionMember.status: "recused", MotionMember.reason: form.reason, MotionMember.changed_at: moment}
        ).where((MotionMember.motion == motion_id) & (MotionMember.person == viewer.person_id))
        await record_change(
            actor_id=viewer.person_id,
            action="motion.recused",
            object_type="motion",
            object_id=motion_id,
            after={"reason": form.reason},
            at=moment,
        )
        return await close_if_everyone_voted(motion_id, moment)
