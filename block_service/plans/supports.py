"""Supports: one per person and proposal (a unique index), removable; people and distinct shops counted.

The thresholds count only accounts at least a week old (an account is made in a minute); a shop counts
once when any of its merchants supports. A proposal that reaches both of its plan's thresholds lands on
the staff's "ready for deliberation" list, and staff and its author are told.
"""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import now as clock_now
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, NotFound
from block_service.plans.lifecycle import load_proposal
from block_service.plans.notices import staff_ids, tell
from block_service.plans.tables import Plan, Proposal, Support

SUPPORT_ACCOUNT_MIN_AGE = dt.timedelta(days=7)
# Supports are taken while the proposal is still under way, before the council decides.
SUPPORTABLE = ("submitted", "deliberation", "on_agenda")

_COUNTS = (
    "SELECT "
    "(SELECT COUNT(*) FROM proposal_support s WHERE s.proposal = {}) AS people, "
    "(SELECT COUNT(*) FROM proposal_support s JOIN person p ON p.id = s.person "
    " WHERE s.proposal = {} AND p.created_at <= {}) AS counted_people, "
    "(SELECT COUNT(DISTINCT sm.shop) FROM proposal_support s JOIN shop_merchant sm ON sm.person = s.person "
    " JOIN shop sh ON sh.id = sm.shop WHERE s.proposal = {} AND sh.status = 'open') AS shops, "
    "(SELECT COUNT(DISTINCT sm.shop) FROM proposal_support s JOIN shop_merchant sm ON sm.person = s.person "
    " JOIN shop sh ON sh.id = sm.shop JOIN person p ON p.id = s.person "
    " WHERE s.proposal = {} AND sh.status = 'open' AND p.created_at <= {}) AS counted_shops"
)


async def support_counts(proposal_id: int, now: dt.datetime) -> dict[str, int]:
    """People and distinct shops supporting, all and counted toward thresholds: one statement."""
    old_enough = now - SUPPORT_ACCOUNT_MIN_AGE
    rows = await Support.raw(_COUNTS, proposal_id, proposal_id, old_enough, proposal_id, proposal_id, old_enough)
    return {key: int(value) for key, value in rows[0].items()}


async def set_support(viewer: Viewer, proposal_id: int, on: bool) -> dict[str, int]:
    """Support a proposal or take the support back; supporting twice is a 409 (the unique index decides)."""
    if not viewer.is_signed_in:
        raise Forbidden("Sign in to support a proposal.")
    proposal = await load_proposal(proposal_id)
    if proposal["status"] == "draft" and viewer.person_id != proposal["author_id"] and not viewer.is_staff:
        # A draft is not there for anyone else: the same answer as for no proposal at all.
        raise NotFound("No such proposal.")
    if on:
        if not proposal["plan_active"]:
            raise Conflict("This plan is archived: its proposals take no new supports.")
        if proposal["status"] not in SUPPORTABLE:
            raise Conflict("This proposal takes no supports in its present status.")
    now = clock_now()
    async with write_transaction():
        if on:
            with duplicate_means(Conflict("You already support this proposal.")):
                await Support.insert(Support(proposal=proposal_id, person=viewer.person_id, created_at=now))
        else:
            removed = (
                await Support.delete()
                .where((Support.proposal == proposal_id) & (Support.person == viewer.person_id))
                .returning(Support.id)
            )
            if not removed:
                raise Conflict("You do not support this proposal.")
        counts = await support_counts(proposal_id, now)
        await _keep_counts(proposal, counts, now)
        await record_change(
            actor_id=viewer.person_id,
            action="proposal.supported" if on else "proposal.unsupported",
            object_type="proposal",
            object_id=proposal_id,
            after={"people": counts["people"], "shops": counts["shops"]},
            at=now,
        )
    return counts


async def _keep_counts(proposal: dict, counts: dict[str, int], now: dt.datetime) -> None:
    """Store the shown counts; mark (and tell) the moment both thresholds are first reached while submitted."""
    plan = await Plan.select(Plan.people_threshold, Plan.shop_threshold).where(Plan.id == proposal["plan_id"]).first()
    reached = (
        proposal["status"] == "submitted"
        and counts["counted_people"] >= plan["people_threshold"]
        and counts["counted_shops"] >= plan["shop_threshold"]
    )
    values = {Proposal.support_count: counts["people"], Proposal.shop_count: counts["shops"]}
    current = await Proposal.select(Proposal.ready_at).where(Proposal.id == proposal["id"]).first()
    if reached and current["ready_at"] is None:
        values[Proposal.ready_at] = now
        await tell(
            (await staff_ids()) | {proposal["author_id"]},
            proposal["id"],
            "ready",
            now=now,
            detail=f"{counts['counted_people']}/{counts['counted_shops']}",
        )
    elif not reached and current["ready_at"] is not None and proposal["status"] == "submitted":
        values[Proposal.ready_at] = None
    await Proposal.update(values).where(Proposal.id == proposal["id"])


async def supports_of(viewer: Viewer, proposal_ids: list[int]) -> set[int]:
    """Which of these proposals the viewer supports: one statement."""
    if not viewer.is_signed_in or not proposal_ids:
        return set()
    rows = await Support.select(Support.proposal).where(
        (Support.person == viewer.person_id) & Support.proposal.is_in(sorted(set(proposal_ids)))
    )
    return {row["proposal"] for row in rows}
