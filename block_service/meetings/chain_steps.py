"""The hearing's step on a proposal's chain timeline (plans/chain.py), with its minutes when published."""

from __future__ import annotations

from block_service.accounts.schemas import Viewer
from block_service.clock import now
from block_service.i18n import N_
from block_service.meetings.records import published_minutes
from block_service.plans.chain import chain_steps
from block_service.plans.schemas import ChainStep

MAX_DETAIL = 300  # the timeline shows a glimpse; the meeting's page has the whole minutes


@chain_steps("hearing")
async def hearing_steps(proposal_ids: list[int], viewer: Viewer) -> list[ChainStep]:
    """One step per hearing of these proposals: waiting before it, current until minutes, done with them."""
    steps = []
    moment = now()
    for meeting in await published_minutes(proposal_ids=proposal_ids):
        minutes = " · ".join(f"{item.title}: {item.minutes}" for item in meeting.items)
        if len(minutes) > MAX_DETAIL:
            minutes = minutes[: MAX_DETAIL - 1] + "…"
        state = "done" if meeting.minutes_published_at else ("current" if meeting.starts_at <= moment else "waiting")
        steps.append(
            ChainStep(
                proposal_id=meeting.proposal_id,
                kind="hearing",
                title=meeting.title,
                state=state,
                at=meeting.starts_at,
                detail_label=N_("Minutes: %(minutes)s") if minutes else N_("Minutes not yet published"),
                detail_params={"minutes": minutes} if minutes else {},
                route="meeting",
                route_params={"meeting_id": str(meeting.id)},
            )
        )
    return steps
