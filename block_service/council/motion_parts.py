"""Motions on other domains' pages: the "motion" steps of the chain timeline and the plan pages' section."""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.clock import BLOCK_TIMEZONE
from block_service.council.motion_tables import Motion
from block_service.council.terms import current_term
from block_service.plans.chain import chain_steps
from block_service.plans.schemas import ChainStep


def counts_line(row: dict) -> str:
    """The counts in the ballot's own words, the same in both languages: "赞成 3 · 反对 1 · 弃权 0 / 5"."""
    return f"赞成 {row['yes_count']} · 反对 {row['no_count']} · 弃权 {row['abstain_count']} / {row['eligible_count']}"


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
        detail = counts_line(row) if closed else f"→ {_local(row['closes_at'])}"
        steps.append(
            ChainStep(
                proposal_id=row["proposal_id"],
                kind="motion",
                title=row["title"],
                state=("refused" if row["result"] != "passed" else "done") if closed else "current",
                at=row["opens_at"],
                detail=detail,
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
