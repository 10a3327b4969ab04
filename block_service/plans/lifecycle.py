"""A proposal's lifecycle: every step with its reason, audited and told to everyone taking part.

draft → submitted → deliberation (accepted) | declined | merged → on_agenda (a motion is open) → passed |
rejected; withdrawn by its author before a motion opens. The council's motions call `put_on_agenda` and
`record_decision` inside their own transaction; `proposal_facts` and `plan_leads` tell them what they need.
"""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import now as clock_now
from block_service.db import write_transaction
from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.plans.notices import taking_part, tell
from block_service.plans.schemas import WITHDRAWABLE, ProposalFacts, StepForm
from block_service.plans.tables import Proposal, ProposalStep, ProposalThread, Support
from block_service.threads.attached import publish_attached_thread

# Which statuses each hand-taken step leaves from, and where it goes.
STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": (("draft",), "submitted"),
    "accept": (("submitted",), "deliberation"),
    "decline": (("submitted", "deliberation"), "declined"),
    "merge": (("submitted", "deliberation"), "merged"),
    "withdraw": (WITHDRAWABLE, "withdrawn"),
}
STAFF_STEPS = ("accept", "decline", "merge")
AUTHOR_STEPS = ("submit", "withdraw")
# A proposal may be merged only into one still moving through the process.
MERGE_TARGETS = ("submitted", "deliberation", "on_agenda")


async def load_proposal(proposal_id: int) -> dict:
    row = (
        await Proposal.select(
            Proposal.id,
            Proposal.title,
            Proposal.status,
            Proposal.plan.as_alias("plan_id"),
            Proposal.plan.slug.as_alias("plan_slug"),
            Proposal.plan.active.as_alias("plan_active"),
            Proposal.author.as_alias("author_id"),
            Proposal.motion_id,
            Proposal.discussion.as_alias("discussion_id"),
            Proposal.street_number,
        )
        .where(Proposal.id == proposal_id)
        .first()
    )
    if row is None:
        raise NotFound("No such proposal.")
    return row


def check_visible(viewer: Viewer, proposal: dict) -> None:
    """A draft is its author's (and staff's) alone: to anyone else it answers as no proposal at all."""
    if proposal["status"] == "draft" and not (viewer.is_staff or viewer.person_id == proposal["author_id"]):
        raise NotFound("No such proposal.")


def allowed_steps(viewer: Viewer, proposal: dict) -> list[str]:
    """The steps this viewer may take on this proposal now, in workflow order."""
    if not viewer.is_signed_in:
        return []
    is_author = viewer.person_id == proposal["author_id"]
    steps = []
    for step, (sources, _target) in STEPS.items():
        if proposal["status"] not in sources:
            continue
        if (step in STAFF_STEPS and viewer.is_staff) or (step in AUTHOR_STEPS and is_author):
            steps.append(step)
    return steps


async def _move(
    proposal: dict,
    target: str,
    *,
    sources: tuple[str, ...],
    actor_id: int | None,
    actor_name: str,
    reason: str,
    now: dt.datetime,
    event: str,
    motion_id: int | None = None,
    values: dict | None = None,
) -> None:
    """One step inside the caller's write: the status changes only from where it was read (a lost race is a 409)."""
    changes = {Proposal.status: target, Proposal.status_reason: reason, Proposal.changed_at: now}
    for column, value in (values or {}).items():
        changes[getattr(Proposal, column)] = value
    moved = (
        await Proposal.update(changes)
        .where((Proposal.id == proposal["id"]) & Proposal.status.is_in(list(sources)))
        .returning(Proposal.id)
    )
    if not moved:
        raise Conflict("This proposal has moved on meanwhile; reload the page.")
    await ProposalStep.insert(
        ProposalStep(
            proposal=proposal["id"],
            status_from=proposal["status"],
            status_to=target,
            reason=reason,
            actor=actor_id,
            motion_id=motion_id,
            at=now,
        )
    )
    await record_change(
        actor_id=actor_id,
        action=f"proposal.{event}",
        object_type="proposal",
        object_id=proposal["id"],
        before={"status": proposal["status"]},
        after={"status": target, "reason": reason, "motion": motion_id, **(values or {})},
        at=now,
    )
    await tell(
        await taking_part(proposal["id"]),
        proposal["id"],
        event,
        now=now,
        actor_id=actor_id,
        actor_name=actor_name,
        detail=reason,
    )


async def take_step(viewer: Viewer, proposal_id: int, form: StepForm) -> str:
    """Submit, accept, decline, merge or withdraw, with a reason; returns the new status."""
    proposal = await load_proposal(proposal_id)
    check_visible(viewer, proposal)
    sources, target = STEPS[form.step]
    if form.step in STAFF_STEPS and not viewer.is_staff:
        raise Forbidden("Only the workstation's staff accept, decline or merge proposals.")
    if form.step in AUTHOR_STEPS and viewer.person_id != proposal["author_id"]:
        raise Forbidden("Only its author submits or withdraws a proposal.")
    if proposal["status"] not in sources:
        if form.step == "withdraw":
            raise Conflict("A proposal can be withdrawn only before a motion opens on it.")
        raise Conflict("This step is not possible from the proposal's present status.")
    if form.step == "submit" and not proposal["plan_active"]:
        raise Conflict("This plan is archived: it takes no new proposals.")
    now = clock_now()
    values: dict = {}
    into = None
    if form.step == "merge":
        into = await _merge_target(proposal_id, form.merge_into)
        values["merged_into"] = into
    if form.step == "submit":
        values["submitted_at"] = now
    async with write_transaction():
        await _move(
            proposal,
            target,
            sources=sources,
            actor_id=viewer.person_id,
            actor_name=viewer.display_name,
            reason=form.reason,
            now=now,
            event=target,
            values=values,
        )
        if form.step == "submit" and proposal["discussion_id"] is not None:
            await publish_attached_thread(proposal["discussion_id"], proposal["title"], now)
        if into is not None:
            await _gather_threads(proposal_id, into, viewer.person_id, now)
    return target


async def _merge_target(proposal_id: int, into: int | None) -> int:
    if into is None or into == proposal_id:
        raise Invalid("Name another proposal to merge this one into.", field="merge_into")
    row = await Proposal.select(Proposal.status).where(Proposal.id == into).first()
    if row is None or row["status"] not in MERGE_TARGETS:
        raise Invalid("A proposal can be merged only into one still under way.", field="merge_into")
    return into


async def _gather_threads(source: int, into: int, actor_id: int | None, now: dt.datetime) -> None:
    """The threads of a merged proposal are gathered by the one it merged into."""
    have = {
        row["thread"]
        for row in await ProposalThread.select(ProposalThread.thread).where(ProposalThread.proposal == into)
    }
    rows = await ProposalThread.select(ProposalThread.thread).where(ProposalThread.proposal == source)
    new = [row["thread"] for row in rows if row["thread"] not in have]
    if new:
        await ProposalThread.insert(
            *[ProposalThread(proposal=into, thread=thread, linked_by=actor_id, linked_at=now) for thread in new]
        )


# ---- the API the council's motions use -------------------------------------------------------------


async def proposal_facts(proposal_id: int) -> ProposalFacts:
    """The proposal as the council needs it: its threads, the shops concerned and its supporters. Four statements."""
    proposal = await load_proposal(proposal_id)
    threads = await ProposalThread.select(ProposalThread.thread, ProposalThread.thread.shop.as_alias("shop")).where(
        ProposalThread.proposal == proposal_id
    )
    shop_ids = {row["shop"] for row in threads if row["shop"] is not None}
    if proposal["street_number"] is not None:
        rows = await Proposal.raw(
            "SELECT id FROM shop WHERE street_number = {} AND status = 'open'", proposal["street_number"]
        )
        shop_ids |= {row["id"] for row in rows}
    supporters = await Support.select(Support.person).where(Support.proposal == proposal_id).order_by(Support.id)
    return ProposalFacts(
        id=proposal["id"],
        title=proposal["title"],
        status=proposal["status"],
        plan_id=proposal["plan_id"],
        plan_slug=proposal["plan_slug"],
        author_id=proposal["author_id"],
        thread_ids=tuple(sorted(row["thread"] for row in threads)),
        shop_ids=tuple(sorted(shop_ids)),
        supporter_ids=tuple(row["person"] for row in supporters),
    )


async def put_on_agenda(proposal_id: int, motion_id: int, *, actor_id: int | None, now: dt.datetime) -> None:
    """A motion opened on the proposal (inside the motion's transaction): it is on the council's agenda."""
    proposal = await load_proposal(proposal_id)
    if proposal["status"] != "deliberation":
        raise Conflict("Only a proposal under deliberation can go on the council's agenda.")
    async with write_transaction():
        await _move(
            proposal,
            "on_agenda",
            sources=("deliberation",),
            actor_id=actor_id,
            actor_name="",
            reason="",
            now=now,
            event="on_agenda",
            motion_id=motion_id,
            values={"motion_id": motion_id},
        )


async def record_decision(proposal_id: int, motion_id: int, result: str, *, now: dt.datetime) -> None:
    """The council's motion closed (inside its transaction): passed, rejected, or no quorum (back to deliberation)."""
    if result not in ("passed", "rejected", "no_quorum"):
        raise Invalid("A decision is passed, rejected or no quorum.")
    proposal = await load_proposal(proposal_id)
    if proposal["status"] != "on_agenda" or proposal["motion_id"] != motion_id:
        raise Conflict("This proposal is not on the council's agenda under this motion.")
    target = "deliberation" if result == "no_quorum" else result
    async with write_transaction():
        await _move(
            proposal,
            target,
            sources=("on_agenda",),
            actor_id=None,
            actor_name="",
            reason="",
            now=now,
            event=result,
            motion_id=motion_id,
            values={"motion_id": None} if result == "no_quorum" else None,
        )


async def proposal_titles(proposal_ids: list[int]) -> dict[int, str]:
    """Titles of proposals everyone may see (not drafts): one statement, for the inbox and other pages."""
    if not proposal_ids:
        return {}
    rows = await Proposal.select(Proposal.id, Proposal.title).where(
        Proposal.id.is_in(sorted(set(proposal_ids))) & (Proposal.status != "draft")
    )
    return {row["id"]: row["title"] for row in rows}


async def motion_withdrawn(
    proposal_id: int, motion_id: int, *, reason: str, actor_id: int | None, actor_name: str, now: dt.datetime
) -> bool:
    """The council's motion on the proposal was withdrawn before any vote (inside its transaction): the proposal
    goes back under deliberation. False when the proposal was not on the agenda under this motion."""
    proposal = await load_proposal(proposal_id)
    if proposal["status"] != "on_agenda" or proposal["motion_id"] != motion_id:
        return False
    async with write_transaction():
        await _move(
            proposal,
            "deliberation",
            sources=("on_agenda",),
            actor_id=actor_id,
            actor_name=actor_name,
            reason=reason,
            now=now,
            event="motion_withdrawn",
            motion_id=motion_id,
            values={"motion_id": None},
        )
    return True
