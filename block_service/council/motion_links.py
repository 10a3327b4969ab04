"""What motions need from the plans domain (below the council): a proposal's facts, and the two steps a
motion takes on its proposal. Kept in one module so the plans API is named in one place."""

from __future__ import annotations

import datetime as dt
from typing import Any

try:  # the plans domain (proposals) lands beside this one; free-standing motions work without it
    from block_service.plans.lifecycle import proposal_facts as _proposal_facts
    from block_service.plans.lifecycle import put_on_agenda as _put_on_agenda
    from block_service.plans.lifecycle import record_decision as _record_decision
except ImportError:  # pragma: no cover - removed once plans is merged
    _proposal_facts = _put_on_agenda = _record_decision = None

from block_service.errors import Invalid, NotFound


async def proposal_facts(proposal_id: int) -> Any:
    """The proposal's facts (title, status, plan_id, author_id, thread_ids, shop_ids, supporter_ids)."""
    if _proposal_facts is None:
        raise Invalid("There is no proposal with this number.", field="proposal_id")
    try:
        return await _proposal_facts(proposal_id)
    except NotFound:
        raise Invalid("There is no proposal with this number.", field="proposal_id") from None


async def put_on_agenda(proposal_id: int, motion_id: int, *, actor_id: int, now: dt.datetime) -> None:
    if _put_on_agenda is not None:
        await _put_on_agenda(proposal_id, motion_id, actor_id=actor_id, now=now)


async def record_decision(proposal_id: int, motion_id: int, result: str, *, now: dt.datetime) -> None:
    if _record_decision is not None:
        await _record_decision(proposal_id, motion_id, result, now=now)
