"""Withdrawing a motion: the chair or staff take back an open (or scheduled) motion before any vote is cast.

The motion's row is taken first (the same conditional UPDATE a vote takes), so a withdrawal and a vote take
turns: either the vote comes first and the withdrawal is refused, or the withdrawal does and the vote finds the
motion withdrawn. A proposal on the agenda under the motion goes back under deliberation (plans' lifecycle).
"""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import now
from block_service.council.motion_links import motion_withdrawn
from block_service.council.motion_notices import notify
from block_service.council.motion_tables import Motion, MotionMember, MotionVote
from block_service.council.motions import may_open_motions
from block_service.db import write_transaction
from block_service.errors import Conflict, Forbidden, NotFound
from block_service.schemas import ReasonForm

WITHDRAWABLE = ("scheduled", "open")
VOTED = "A vote has been cast on this motion, so it can no longer be withdrawn; it closes by its rules."


async def ensure_may_withdraw(viewer: Viewer, motion_id: int) -> None:
    """Who may withdraw (the chair or staff), and that the motion exists: checked before the form is read."""
    if not await may_open_motions(viewer):
        raise Forbidden("Only the council's chair or staff withdraw a motion.")
    if not await Motion.exists().where(Motion.id == motion_id):
        raise NotFound("No such motion.")


async def withdraw_motion(viewer: Viewer, motion_id: int, form: ReasonForm, *, at: dt.datetime | None = None) -> None:
    await ensure_may_withdraw(viewer, motion_id)
    moment = at or now()
    async with write_transaction():
        # Take the row as a vote does, so a vote and the withdrawal take turns.
        await Motion.update({Motion.withdrawn_reason: ""}).where(
            (Motion.id == motion_id) & Motion.status.is_in(list(WITHDRAWABLE))
        )
        motion = await Motion.select(Motion.id, Motion.status, Motion.proposal_id).where(Motion.id == motion_id).first()
        if motion is None:
            raise NotFound("No such motion.")
        if motion["status"] == "withdrawn":
            raise Conflict("This motion has been withdrawn already.")
        if motion["status"] not in WITHDRAWABLE:
            raise Conflict("This motion has closed; it can no longer be withdrawn.")
        if await MotionVote.exists().where(MotionVote.motion == motion_id):
            raise Conflict(VOTED)
        await Motion.update(
            {
                Motion.status: "withdrawn",
                Motion.closed_at: moment,
                Motion.close_reason: "withdrawn",
                Motion.withdrawn_reason: form.reason,
            }
        ).where(Motion.id == motion_id)
        await record_change(
            actor_id=viewer.person_id,
            action="motion.withdrawn",
            object_type="motion",
            object_id=motion_id,
            before={"status": motion["status"]},
            after={"status": "withdrawn", "reason": form.reason},
            at=moment,
        )
        if motion["proposal_id"]:
            await motion_withdrawn(
                motion["proposal_id"],
                motion_id,
                reason=form.reason,
                actor_id=viewer.person_id,
                actor_name=viewer.display_name,
                now=moment,
            )
        roll = await MotionMember.select(MotionMember.person).where(MotionMember.motion == motion_id)
        others = [row["person"] for row in roll if row["person"] != viewer.person_id]
        await notify(others, motion_id, "withdrawn", now=moment, detail=form.reason[:200])
