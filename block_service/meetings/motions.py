"""A motion opened from an agenda item: the council's open_motion, with the item's proposal and title."""

from __future__ import annotations

from block_service.accounts.schemas import Viewer
from block_service.council.motion_schemas import MotionForm
from block_service.council.motions import open_motion
from block_service.errors import NotFound
from block_service.meetings.schemas import ItemMotionForm
from block_service.meetings.tables import AgendaItem


async def open_motion_from_item(actor: Viewer, meeting_id: int, item_id: int, form: ItemMotionForm) -> int:
    """The chair or staff (open_motion decides) put an agenda item to the council; an item about a proposal opens
    a motion on that proposal. Returns the motion's id."""
    item = (
        await AgendaItem.select(AgendaItem.title, AgendaItem.target_type, AgendaItem.target_id)
        .where((AgendaItem.id == item_id) & (AgendaItem.meeting == meeting_id))
        .first()
    )
    if item is None:
        raise NotFound("No such agenda item in this meeting.")
    on_proposal = item["target_type"] == "proposal"
    motion = MotionForm(
        title=form.title,
        text=form.text,
        kind="proposal" if on_proposal else form.kind,
        proposal_id=item["target_id"] if on_proposal else None,
        closes_at=form.closes_at,
        size=form.size if on_proposal else "",
        budget_cap=form.budget_cap if on_proposal else None,
    )
    return await open_motion(actor, motion, agenda_item_id=item_id)
