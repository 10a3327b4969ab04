"""Chain steps of this domain: the threads a proposal gathers, its own steps, its decision, its project slot."""

from __future__ import annotations

from block_service.accounts.schemas import Viewer
from block_service.i18n import N_
from block_service.plans.chain import chain_steps
from block_service.plans.schemas import ChainStep
from block_service.plans.tables import Proposal, ProposalStep, ProposalThread

# The name of the step that reached each status: English msgids the timeline translates.
STEP_LABELS = {
    "draft": N_("Drafted"),
    "submitted": N_("Submitted"),
    "deliberation": N_("Accepted for deliberation"),
    "declined": N_("Declined"),
    "merged": N_("Merged into another proposal"),
    "on_agenda": N_("On the council's agenda"),
    "passed": N_("Passed by the council"),
    "rejected": N_("Rejected by the council"),
    "withdrawn": N_("Withdrawn by its author"),
}
REFUSED = ("declined", "rejected", "withdrawn", "merged")


@chain_steps("thread")
async def thread_steps(proposal_ids: list[int], viewer: Viewer) -> list[ChainStep]:
    """The threads each proposal gathers that the viewer may read: one statement."""
    rows = (
        await ProposalThread.select(
            ProposalThread.proposal,
            ProposalThread.thread.as_alias("thread_id"),
            ProposalThread.thread.title.as_alias("title"),
            ProposalThread.thread.status.as_alias("status"),
            ProposalThread.thread.created_at.as_alias("created_at"),
            ProposalThread.thread.visibility.as_alias("visibility"),
            ProposalThread.thread.hidden.as_alias("hidden"),
        )
        .where(ProposalThread.proposal.is_in(proposal_ids))
        .order_by(ProposalThread.id)
    )
    return [
        ChainStep(
            proposal_id=row["proposal"],
            kind="thread",
            title=row["title"],
            state="done",
            at=row["created_at"],
            route="thread",
            route_params={"thread_id": row["thread_id"]},
        )
        for row in rows
        if viewer.is_staff or (row["visibility"] == "public" and not row["hidden"])
    ]


@chain_steps("proposal")
async def proposal_steps(proposal_ids: list[int], viewer: Viewer) -> list[ChainStep]:
    """Each step of each proposal with its reason; the council's result is a "decision" step. One statement."""
    rows = (
        await ProposalStep.select(
            ProposalStep.proposal,
            ProposalStep.status_from,
            ProposalStep.status_to,
            ProposalStep.reason,
            ProposalStep.motion_id,
            ProposalStep.at,
            ProposalStep.proposal.title.as_alias("title"),
            ProposalStep.proposal.status.as_alias("current"),
            ProposalStep.proposal.author.as_alias("author_id"),
        )
        .where(ProposalStep.proposal.is_in(proposal_ids))
        .order_by(ProposalStep.at)
        .order_by(ProposalStep.id)
    )
    steps = []
    for row in rows:
        if row["current"] == "draft" and not (viewer.is_staff or viewer.person_id == row["author_id"]):
            continue
        target = row["status_to"]
        decided = target in ("passed", "rejected") or (row["status_from"] == "on_agenda" and target == "deliberation")
        label = STEP_LABELS.get(target, target)
        if row["status_from"] == "on_agenda" and target == "deliberation":
            label = N_("No quorum: back under deliberation")
        steps.append(
            ChainStep(
                proposal_id=row["proposal"],
                kind="decision" if decided else "proposal",
                title="",
                label=label,
                state="refused" if target in REFUSED else ("current" if target == row["current"] else "done"),
                at=row["at"],
                detail=row["reason"],
                route="proposal",
                route_params={"proposal_id": row["proposal"]},
            )
        )
    return steps


@chain_steps("project")
async def project_slot(proposal_ids: list[int], viewer: Viewer) -> list[ChainStep]:
    """A passed proposal waits for its project (the projects domain replaces this provider). One statement."""
    rows = await Proposal.select(Proposal.id).where(
        Proposal.id.is_in(proposal_ids) & (Proposal.status == "passed") & Proposal.project_id.is_null()
    )
    return [
        ChainStep(
            proposal_id=row["id"], kind="project", title="", label=N_("Waits for its project"), state="waiting", at=None
        )
        for row in rows
    ]
