"""Closing motions and the scheduled steps: open the due ones, remind before the close, close at the deadline.

Every step claims its motion with a conditional UPDATE (status open -> closed, scheduled -> open,
reminded_at null -> now) inside its transaction: two workers running the same step at once give one
result, one opening and one reminder, because only one UPDATE finds the row still in its old state.
"""

from __future__ import annotations

import datetime as dt
import logging

from block_service.audit.services import record_change
from block_service.council.motion_counting import decide
from block_service.council.motion_links import proposal_facts, record_decision
from block_service.council.motion_notices import notify
from block_service.council.motion_roll import roll_state
from block_service.council.motion_tables import Motion
from block_service.council.motions import draw_roll
from block_service.db import write_transaction

logger = logging.getLogger(__name__)
REMINDER_BEFORE = dt.timedelta(hours=24)


async def _close(motion_id: int, moment: dt.datetime, reason: str) -> str | None:
    """Inside a write transaction: close the open motion, count it and tell everyone; None when it was not open."""
    claimed = (
        await Motion.update({Motion.status: "closed", Motion.closed_at: moment, Motion.close_reason: reason})
        .where((Motion.id == motion_id) & (Motion.status == "open"))
        .returning(Motion.id, Motion.quorum, Motion.rule, Motion.proposal_id)
    )
    if not claimed:
        return None
    motion = claimed[0]
    state = await roll_state(motion_id)
    tally = state.tally()
    result = decide(tally, motion["quorum"], motion["rule"])
    await Motion.update(
        {
            Motion.result: result,
            Motion.eligible_count: tally.eligible,
            Motion.yes_count: tally.yes,
            Motion.no_count: tally.no,
            Motion.abstain_count: tally.abstain,
        }
    ).where(Motion.id == motion_id)
    await record_change(
        actor_id=None,
        action="motion.closed",
        object_type="motion",
        object_id=motion_id,
        after={
            "result": result,
            "reason": reason,
            "eligible": tally.eligible,
            "yes": tally.yes,
            "no": tally.no,
            "abstain": tally.abstain,
        },
        at=moment,
    )
    told = [member["person"] for member in state.members]
    if motion["proposal_id"]:
        await record_decision(motion["proposal_id"], motion_id, result, now=moment)
        facts = await proposal_facts(motion["proposal_id"])
        told += [facts.author_id, *facts.supporter_ids]
    await notify(told, motion_id, "result", now=moment, detail=result)
    return result


async def close_motion(motion_id: int, *, at: dt.datetime, reason: str = "deadline") -> str | None:
    """Close one motion; the result, or None when it had already closed (another worker was first)."""
    async with write_transaction():
        return await _close(motion_id, at, reason)


async def close_if_everyone_voted(motion_id: int, moment: dt.datetime) -> bool:
    """Inside the vote's transaction: every eligible member has voted, so the vote ends now."""
    if not (await roll_state(motion_id)).everyone_voted:
        return False
    return await _close(motion_id, moment, "all_voted") is not None


async def close_due_motions(moment: dt.datetime) -> int:
    """Close the open motions whose time is up, and those where everyone eligible has voted (a member's seat
    ending can complete the votes). Returns how many this call closed."""
    closed = 0
    rows = await Motion.select(Motion.id, Motion.closes_at).where(Motion.status == "open")
    for row in rows:
        async with write_transaction():
            if row["closes_at"] <= moment:
                closed += await _close(row["id"], moment, "deadline") is not None
            else:
                closed += await close_if_everyone_voted(row["id"], moment)
    return closed


async def open_due_motions(moment: dt.datetime) -> int:
    """Scheduled motions whose opening time has come: draw the roll and tell the members."""
    opened = 0
    for row in await Motion.select(Motion.id).where((Motion.status == "scheduled") & (Motion.opens_at <= moment)):
        async with write_transaction():
            claimed = (
                await Motion.update({Motion.status: "open"})
                .where((Motion.id == row["id"]) & (Motion.status == "scheduled"))
                .returning(Motion.term, Motion.proposal_id)
            )
            if not claimed:
                continue
            facts = await proposal_facts(claimed[0]["proposal_id"]) if claimed[0]["proposal_id"] else None
            await draw_roll(row["id"], claimed[0]["term"], facts, moment)
            await record_change(actor_id=None, action="motion.opened", object_type="motion", object_id=row["id"])
            opened += 1
    return opened


async def remind_due_motions(moment: dt.datetime) -> int:
    """24 hours before the close, one reminder to each eligible member who has not voted (once per motion)."""
    reminded = 0
    rows = await Motion.select(Motion.id).where(
        (Motion.status == "open")
        & Motion.reminded_at.is_null()
        & (Motion.closes_at <= moment + REMINDER_BEFORE)
        & (Motion.closes_at > moment)
    )
    for row in rows:
        async with write_transaction():
            claimed = (
                await Motion.update({Motion.reminded_at: moment})
                .where((Motion.id == row["id"]) & Motion.reminded_at.is_null())
                .returning(Motion.id)
            )
            if claimed:
                await notify((await roll_state(row["id"])).not_voted, row["id"], "reminder", now=moment)
                reminded += 1
    return reminded


async def run_motion_round(moment: dt.datetime) -> None:
    """One round of the scheduled steps; each is idempotent and safe beside another worker's round."""
    for step in (open_due_motions, remind_due_motions, close_due_motions):
        try:
            await step(moment)
        except Exception:  # a failed step is tried again next round; the others still run
            logger.exception("motion step %s failed", step.__name__)
