"""What projects hold about a person: for their data download, and what goes when their account is deleted."""

from __future__ import annotations

from block_service.projects.tables import (
    Project,
    ProjectEvaluation,
    ProjectInvitee,
    ProjectUpdate,
    ProjectWorker,
)


async def export_of(person_id: int) -> dict:
    """The projects they lead or maintain as a person, work on, wrote updates for, were invited to evaluate, and
    their evaluations."""
    led = await Project.select(Project.id, Project.title, Project.state).where(
        (Project.lead_type == "person") & (Project.lead_id == person_id)
    )
    maintained = await Project.select(Project.id, Project.title, Project.maintainer_duties).where(
        (Project.maintainer_type == "person") & (Project.maintainer_id == person_id)
    )
    working = await ProjectWorker.select(ProjectWorker.project, ProjectWorker.added_at).where(
        ProjectWorker.person == person_id
    )
    updates = await ProjectUpdate.select(ProjectUpdate.project, ProjectUpdate.body, ProjectUpdate.created_at).where(
        ProjectUpdate.author == person_id
    )
    invited = await ProjectInvitee.select(ProjectInvitee.project, ProjectInvitee.invited_at).where(
        ProjectInvitee.person == person_id
    )
    evaluations = await ProjectEvaluation.select(
        ProjectEvaluation.project,
        ProjectEvaluation.solved,
        ProjectEvaluation.satisfaction,
        ProjectEvaluation.comment,
        ProjectEvaluation.created_at,
    ).where(ProjectEvaluation.person == person_id)
    return {
        "leading": led,
        "maintaining": maintained,
        "working_on": working,
        "updates": updates,
        "invited_to_evaluate": invited,
        "evaluations": evaluations,
    }


async def release_project_places_of(person_id: int) -> None:
    """Inside the caller's transaction (an account deleted): they stop working on projects, and their evaluations
    keep counting (the answer and the score, as the list of people served was fixed at completion) without their
    comment. Projects they lead or maintain keep them as the former resident the tombstone names, for staff to
    hand over; their updates stay under that name."""
    await ProjectWorker.delete().where(ProjectWorker.person == person_id)
    await ProjectEvaluation.update({ProjectEvaluation.comment: ""}).where(ProjectEvaluation.person == person_id)
