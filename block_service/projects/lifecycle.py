"""A project's states and a large project's stages at the street office; the maintainer; completing it.

planned → in_progress → completed → evaluated, or stalled / cancelled with a reason. A large project also
goes drafted → submitted (reference number, date) → accepted | declined (reason) → construction → completed;
construction starts the work, completion completes the project and a decline cancels it. Nobody completes a
project without naming who maintains it afterwards.
"""

from __future__ import annotations

from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import now
from block_service.db import write_transaction
from block_service.errors import Conflict, FormInvalid, Invalid
from block_service.i18n import N_
from block_service.meetings.tables import Meeting
from block_service.projects import access, notices
from block_service.projects.evaluation import open_evaluation
from block_service.projects.schemas import MaintainerForm, MeetingLinkForm, StageForm, StateForm, reason_given
from block_service.projects.tables import Project

NEXT_STATES = {
    "planned": ("in_progress", "stalled", "cancelled"),
    "in_progress": ("stalled", "completed", "cancelled"),
    "stalled": ("in_progress", "cancelled"),
}
NEXT_STAGES = {
    "drafted": ("submitted",),
    "submitted": ("accepted", "declined"),
    "accepted": ("construction",),
    "construction": ("completed",),
}
# What a stage does to the project's state.
STAGE_STATES = {"construction": "in_progress", "completed": "completed", "declined": "cancelled"}


async def _move(viewer: Viewer, project: dict, state: str, reason: str, changes: dict) -> None:
    """Change the state (and `changes`) only if nobody changed it meanwhile; step, audit and notices. In a write."""
    moment = now()
    values = {Project.state: state, Project.state_reason: reason, Project.changed_at: moment, **changes}
    if state == "completed":
        values[Project.completed_at] = moment
    moved = (
        await Project.update(values)
        .where(
            (Project.id == project["id"]) & (Project.state == project["state"]) & (Project.stage == project["stage"])
        )
        .returning(Project.id)
    )
    if not moved:
        raise Conflict("This project changed meanwhile; reload the page and try again.")
    if state != project["state"]:
        await notices.record_step(
            project["id"], "state", project["state"], state, actor_id=viewer.person_id, reason=reason
        )
        await notices.tell(
            await access.taking_part(project),
            project["id"],
            "state",
            actor_id=viewer.person_id,
            actor_name=viewer.display_name,
            detail=state,
        )
    if state == "completed" and project["state"] != "completed":
        await open_evaluation(project, moment)


def _ensure_maintainer(project: dict) -> None:
    if not project["maintainer_type"]:
        raise Invalid(
            "A project is completed only once someone maintains it afterwards: name the maintainer first.",
            field="state",
        )


async def change_state(viewer: Viewer, project_id: int, form: StateForm) -> str:
    project = await access.managed_project(viewer, project_id)
    if form.state not in NEXT_STATES.get(project["state"], ()):
        raise Conflict("A project in this state cannot take that step.", field="state")
    if form.state in ("stalled", "cancelled") and not reason_given(form.reason):
        raise FormInvalid({"reason": N_("Say why, in at least two characters.")})
    if project["size"] == "large" and form.state == "completed" and project["stage"] != "completed":
        raise Conflict("A large project completes with its last stage at the street office.", field="state")
    if form.state == "completed":
        _ensure_maintainer(project)
    async with write_transaction():
        await _move(viewer, project, form.state, form.reason.strip(), {})
    return form.state


async def change_stage(viewer: Viewer, project_id: int, form: StageForm) -> str:
    from block_service.projects.projects import parse_date

    project = await access.managed_project(viewer, project_id)
    if project["size"] != "large":
        raise Conflict("Only large projects go through the street office's stages.", field="stage")
    if project["state"] in ("cancelled", "completed", "evaluated") or form.stage not in NEXT_STAGES.get(
        project["stage"], ()
    ):
        raise Conflict("A project at this stage cannot take that step.", field="stage")
    changes: dict = {Project.stage: form.stage}
    errors = {}
    if form.stage == "submitted":
        if not form.reference_number.strip():
            errors["reference_number"] = N_("This field is required.")
        if not form.submitted_on.strip():
            errors["submitted_on"] = N_("This field is required.")
        if errors:
            raise FormInvalid(errors)
        changes[Project.reference_number] = form.reference_number.strip()
        changes[Project.submitted_on] = parse_date(form.submitted_on, "submitted_on")
    if form.stage == "declined" and not reason_given(form.stage_reason):
        raise FormInvalid({"stage_reason": N_("Say why, in at least two characters.")})
    state = STAGE_STATES.get(form.stage, project["state"])
    if state == "in_progress" and project["state"] == "stalled":
        state = "stalled"
    if state == "completed":
        _ensure_maintainer(project)
    async with write_transaction():
        await _move(viewer, project, state, form.stage_reason.strip() if form.stage == "declined" else "", changes)
        await notices.record_step(
            project_id,
            "stage",
            project["stage"],
            form.stage,
            actor_id=viewer.person_id,
            reason=form.stage_reason.strip(),
        )
    return form.stage


async def name_maintainer(viewer: Viewer, project_id: int, form: MaintainerForm) -> None:
    """Who maintains the work afterwards (a shop, group or person) and their duties, in words."""
    project = await access.managed_project(viewer, project_id)
    if project["state"] in ("cancelled", "evaluated"):
        raise Conflict("This project is closed: nothing more can be added to it.")
    if not await access.party_exists(form.maintainer_type, form.maintainer_id):
        raise Invalid("No such person, shop or group.", field="maintainer_id")
    before = {
        "type": project["maintainer_type"],
        "id": project["maintainer_id"],
        "duties": project["maintainer_duties"],
    }
    async with write_transaction():
        await Project.update(
            {
                Project.maintainer_type: form.maintainer_type,
                Project.maintainer_id: form.maintainer_id,
                Project.maintainer_duties: form.duties,
                Project.changed_at: now(),
            }
        ).where(Project.id == project_id)
        await notices.record_step(
            project_id, "maintainer", before["type"], form.maintainer_type, actor_id=viewer.person_id
        )
        await record_change(
            actor_id=viewer.person_id,
            action="project.maintainer",
            object_type="project",
            object_id=project_id,
            before=before,
            after={"type": form.maintainer_type, "id": form.maintainer_id, "duties": form.duties},
        )


async def link_meeting(viewer: Viewer, project_id: int, form: MeetingLinkForm) -> None:
    """An evaluation meeting (评议会) for the project: publishing its minutes ends the evaluation."""
    project = await access.managed_project(viewer, project_id)
    meeting = await Meeting.select(Meeting.kind).where(Meeting.id == form.meeting_id).first()
    if meeting is None or meeting["kind"] != "evaluation":
        raise Invalid("Choose an evaluation meeting.", field="meeting_id")
    if project["state"] in ("cancelled", "evaluated"):
        raise Conflict("This project is closed: nothing more can be added to it.")
    async with write_transaction():
        await Project.update({Project.evaluation_meeting_id: form.meeting_id, Project.changed_at: now()}).where(
            Project.id == project_id
        )
        await notices.record_step(
            project_id, "meeting", "", "linked", actor_id=viewer.person_id, reason=str(form.meeting_id)
        )
