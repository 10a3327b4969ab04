"""What an agenda item, a hearing or a coordination meeting points at, checked as its convener may see it."""

from __future__ import annotations

from block_service.accounts.people import load_viewer
from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.council.motion_notices import motion_titles
from block_service.errors import Conflict, Invalid, NotFound
from block_service.plans.proposals import visible_titles
from block_service.threads.access import load_thread_for

UNSEEN = "The convener cannot see what this item points at: choose something the convener may open."


async def convener_viewer(person_id: int) -> Viewer:
    """The convener as the service sees them on their own requests (roles, shops, groups)."""
    row = await Person.select(Person.session_version).where(Person.id == person_id).first()
    viewer = await load_viewer(person_id, row["session_version"]) if row else None
    if viewer is None:
        raise Conflict("The convener's account is no longer active; staff must convene this meeting anew.")
    return viewer


async def check_target(convener: Viewer, target_type: str, target_id: int | None, field: str = "target_id") -> None:
    """Refuse (422, naming the field) a thread, proposal or motion the convener may not open, or one that is missing."""
    if not target_type:
        if target_id is not None:
            raise Invalid("Choose what kind of item the number belongs to.", field="target_type")
        return
    if target_id is None:
        raise Invalid("Enter the number of the thread, proposal or motion.", field=field)
    try:
        if target_type == "thread":
            await load_thread_for(convener, target_id)
        elif target_type == "proposal":
            await _check_proposal(convener, target_id)
        elif target_type == "motion":
            await _check_motion(target_id)
        else:
            raise Invalid("Choose one of the offered options.", field="target_type")
    except NotFound:
        raise Invalid(UNSEEN, field=field) from None


async def _check_proposal(convener: Viewer, proposal_id: int) -> None:
    if proposal_id not in await visible_titles(convener, [proposal_id]):
        raise NotFound("No such proposal.")


async def _check_motion(motion_id: int) -> None:
    """Motions are public once opened: only a number that names none is refused."""
    if motion_id not in await motion_titles([motion_id]):
        raise NotFound("No such motion.")
