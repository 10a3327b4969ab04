"""What the proposals domain tells people through the inbox: the author, the supporters and the plan's leads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from block_service.accounts.tables import RoleGrant
from block_service.inbox import Subject, deliver
from block_service.plans.tables import Proposal

KIND = "proposal"


async def taking_part(proposal_id: int) -> set[int]:
    """Everyone taking part in a proposal: its author, its supporters and its plan's leads. One statement."""
    rows = await Proposal.raw(
        "SELECT author AS person FROM proposal WHERE id = {} "
        "UNION SELECT person FROM proposal_support WHERE proposal = {} "
        "UNION SELECT pl.person FROM plan_lead pl JOIN proposal p ON p.plan = pl.plan WHERE p.id = {}",
        proposal_id,
        proposal_id,
        proposal_id,
    )
    return {row["person"] for row in rows}


async def staff_ids() -> set[int]:
    rows = await RoleGrant.select(RoleGrant.person).where(RoleGrant.role == "staff")
    return {row["person"] for row in rows}


async def tell(
    people: Iterable[int],
    proposal_id: int,
    event: str,
    *,
    now: dt.datetime,
    actor_id: int | None = None,
    actor_name: str = "",
    detail: str = "",
) -> int:
    """Record the notice for each person but the actor (inside the caller's write)."""
    recipients = sorted(set(people) - {actor_id, None})
    if not recipients:
        return 0
    return await deliver(
        recipients,
        Subject(KIND, proposal_id),
        event,
        now=now,
        actor_name=actor_name,
        actor_id=actor_id,
        detail=detail[:200],
    )
