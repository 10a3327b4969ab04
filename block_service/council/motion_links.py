"""What motions need from the plans domain (below the council): a proposal's facts, and the two steps a
motion takes on its proposal. Kept in one module so the plans API is named in one place."""

from __future__ import annotations

import datetime as dt

from block_service.errors import Invalid, NotFound
from block_service.plans.lifecycle import motion_withdrawn as _motion_withdrawn
from block_service.plans.lifecycle import proposal_facts as _proposal_facts
from block_service.plans.lifecycle import put_on_agenda as _put_on_agenda
from block_service.plans.lifecycle import record_decision as _record_decision
from block_service.plans.schemas import ProposalFacts


async def proposal_facts(proposal_id: int) -> ProposalFacts:
    """The proposal's facts (title, status, plan_id, author_id, thread_ids, shop_ids, supporter_ids)."""
    try:
        return await _proposal_facts(proposal_id)
    except NotFound:
        raise Invalid("There is no proposal with this number.", field="proposal_id") from None


async def put_on_agenda(proposal_id: int, motion_id: int, *, actor_id: int, now: dt.datetime) -> None:
    """Inside the motion's transaction; refused (Conflict) unless the proposal is under deliberation."""
    await _put_on_agenda(proposal_id, motion_id, actor_id=actor_id, now=now)


async def record_decision(proposal_id: int, motion_id: int, result: str, *, now: dt.datetime) -> None:
    """Inside the close's transaction; the plans domain tells the author, the supporters and the plan's leads."""
    await _record_decision(proposal_id, motion_id, result, now=now)


async def motion_withdrawn(
    proposal_id: int, motion_id: int, *, reason: str, actor_id: int | None, actor_name: str, now: dt.datetime
) -> bool:
    """Inside the withdrawal's transaction: a proposal on the agenda under this motion goes back to deliberation."""
    return await _motion_withdrawn(
        proposal_id, motion_id, reason=reason, actor_id=actor_id, actor_name=actor_name, now=now
    )
