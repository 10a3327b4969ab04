"""Motions on other domains' pages: the "motion" steps of the chain timeline and the plan pages' section."""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.clock import BLOCK_TIMEZONE
from block_service.council.motion_tables import Motion
from block_service.council.terms import current_term
from block_service.i18n import N_
from block_service.plans.chain import chain_steps
from block_service.plans.schemas import ChainStep

COUNTS = N_("For %(yes)s · against %(no)s · abstained %(abstain)s, of %(eligible)s")
VOTING_UNTIL = N_("Voting until %(until)s")
WITHDRAWN = N_("Withdrawn before any vote")


def counts_params(row: dict) -> dict[str, str]:
    """The closed motion's counts, for COUNTS (in zh-Hans the ballot's own words: "赞成 3 · 反对 1 · 弃权 0 / 5")."""
    names = {"yes": "yes_count", "no": "no_count", "abstain": "abstain_count", "eligible": "eligible_count"}
    return {key: str(row[column]) for key, column in names.items()}


@chain_steps("motion")
async def motion_steps(proposal_ids: list[int], viewer: Viewer) -> list[ChainStep]:
    """Each motion on these proposals: opened (current while voting), closed with its result and counts."""
    rows = await Motion.select(
        Motion.id,
        Motion.proposal_id,
        Motion.title,
        Motion.status,
        Motion.opens_at,
        Motion.closes_at,
        Motion.result,
        Motion.eligible_count,
        Motion.yes_count,
        Motion.no_count,
        Motion.abstain_count,
    ).where(Motion.proposal_id.is_in(proposal_ids))
    steps = []
    for row in rows:
        closed = row["status"] == "closed"
        # The words of the result are the decision step's (plans); this step gives the counts, or the close.
        label, params = (COUNTS, counts_params(row)) if closed else (VOTING_UNTIL, {"until": _local(row["closes_at"])})
        if row["status"] == "withdrawn":
            label, params = WITHDRAWN, {}
        steps.append(
            ChainStep(
                proposal_id=row["proposal_id"],
                kind="motion",
                title=row["title"],
                state=("refused" if row["result"] != "passed" else "done")
                if closed
                else ("refused" if row["status"] == "withdrawn" else "current"),
                at=row["opens_at"],
                detail_label=label,
                detail_params=params,
                route="motion",
                route_params={"motion_id": row["id"]},
            )
        )
    return steps


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(BLOCK_TIMEZONE).strftime("%Y-%m-%d %H:%M")


async def plan_motions(plan_ids: list[int], detail: bool) -> dict:
    """For the plan pages: motions this term per plan (one statement), and on a plan's own page its motions."""
    term = await current_term()
    counts: dict[int, int] = {}
    if term is not None and plan_ids:
        rows = await Motion.select(Motion.plan_id).where(Motion.plan_id.is_in(plan_ids) & (Motion.term == term.id))
        for row in rows:
            counts[row["plan_id"]] = counts.get(row["plan_id"], 0) + 1
    motions = []
    if detail and plan_ids:
        motions = await (
            Motion.select(
                Motion.id,
                Motion.title,
                Motion.status,
                Motion.closes_at,
                Motion.result,
                Motion.eligible_count,
                Motion.yes_count,
                Motion.no_count,
                Motion.abstain_count,
            )
            .where(Motion.plan_id.is_in(plan_ids))
            .order_by(Motion.opens_at, ascending=False)
            .limit(20)
        )
    return {"counts": counts, "motions": motions}
