"""Evaluation by the people served: fixed and invited at completion, one answer each within the window.

The people served are the reporters and me-too people of the proposal's threads, the proposal's supporters
and the merchants of the regional groups of its segments. The project is "evaluated" when the window ends
or its evaluation meeting publishes minutes: a periodic round claims those rows with a conditional UPDATE,
so two workers running it at once do the work once.
"""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.clock import now
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden
from block_service.groups.services import merchants_of_groups
from block_service.groups.tables import OrgGroup
from block_service.meetings.tables import Meeting
from block_service.projects import access, notices
from block_service.projects.schemas import EvaluationForm, EvaluationResults, MyEvaluation, ProjectOut
from block_service.projects.tables import Project, ProjectEvaluation, ProjectInvitee

MAX_COMMENTS = 50  # the page shows the latest comments; the rest are in the export


_window = {"days": 14}  # BLOCK_EVALUATION_DAYS; create_app sets it from the settings


def set_evaluation_days(days: int) -> None:
    _window["days"] = days


def evaluation_window() -> dt.timedelta:
    return dt.timedelta(days=_window["days"])


async def people_served(project: dict) -> set[int]:
    """Reporters and me-too people of its threads, supporters of its proposal, merchants of its segments' groups."""
    proposal_id = project["proposal_id"]
    rows = await Project.raw(
        "SELECT t.author AS person FROM thread t JOIN proposal_thread pt ON pt.thread = t.id WHERE pt.proposal = {} "
        "UNION SELECT m.person FROM me_too m JOIN proposal_thread pt ON pt.thread = m.thread WHERE pt.proposal = {} "
        "UNION SELECT person FROM proposal_support WHERE proposal = {}",
        proposal_id,
        proposal_id,
        proposal_id,
    )
    segments = await Project.raw(
        "SELECT segment FROM proposal WHERE id = {} AND segment IS NOT NULL "
        "UNION SELECT t.segment FROM thread t JOIN proposal_thread pt ON pt.thread = t.id WHERE pt.proposal = {}",
        proposal_id,
        proposal_id,
    )
    segment_ids = sorted({row["segment"] for row in segments if row["segment"]})
    group_ids = []
    if segment_ids:
        groups = await OrgGroup.select(OrgGroup.id).where(OrgGroup.segment.is_in(segment_ids))
        group_ids = [row["id"] for row in groups]
    return {row["person"] for row in rows} | await merchants_of_groups(group_ids)


async def open_evaluation(project: dict, moment: dt.datetime) -> int:
    """Fix the people served and invite them (inside the completing write); returns how many."""
    served = sorted(await people_served(project))
    closes = moment + evaluation_window()
    await Project.update({Project.evaluation_closes_at: closes}).where(Project.id == project["id"])
    if served:
        await ProjectInvitee.insert(
            *[ProjectInvitee(project=project["id"], person=person, invited_at=moment) for person in served]
        )
        await notices.tell(served, project["id"], "evaluate", detail=closes.date().isoformat())
    return len(served)


async def evaluate(viewer: Viewer, project_id: int, form: EvaluationForm) -> None:
    """One answer per invited person while the window is open."""
    project = await access.project_row(project_id)
    if not viewer.is_signed_in or not await ProjectInvitee.exists().where(
        (ProjectInvitee.project == project_id) & (ProjectInvitee.person == viewer.person_id)
    ):
        raise Forbidden("Only the people this project serves are invited to evaluate it.")
    closes = project["evaluation_closes_at"]
    if project["state"] != "completed" or closes is None or closes <= now():
        raise Conflict("The evaluation of this project has closed.")
    async with write_transaction():
        with duplicate_means(Conflict("You have already evaluated this project.")):
            await ProjectEvaluation.insert(
                ProjectEvaluation(
                    project=project_id,
                    person=viewer.person_id,
                    solved=form.solved,
                    satisfaction=form.satisfaction,
                    comment=form.comment.strip(),
                    created_at=now(),
                )
            )


async def results_of(project_id: int) -> EvaluationResults:
    """The answers summed up (no names): invited, answered, solved per answer, average satisfaction, comments."""
    invited = await ProjectInvitee.count().where(ProjectInvitee.project == project_id)
    rows = (
        await ProjectEvaluation.select(
            ProjectEvaluation.solved, ProjectEvaluation.satisfaction, ProjectEvaluation.comment
        )
        .where(ProjectEvaluation.project == project_id)
        .order_by(ProjectEvaluation.id, ascending=False)
    )
    solved = {"yes": 0, "partly": 0, "no": 0}
    for row in rows:
        solved[row["solved"]] = solved.get(row["solved"], 0) + 1
    average = round(sum(row["satisfaction"] for row in rows) / len(rows), 1) if rows else None
    return EvaluationResults(
        invited=invited,
        answered=len(rows),
        solved=solved,
        satisfaction_average=average,
        comments=[row["comment"] for row in rows if row["comment"]][:MAX_COMMENTS],
    )


async def my_evaluation(viewer: Viewer, project: ProjectOut) -> MyEvaluation:
    if not viewer.is_signed_in or project.completed_at is None:
        return MyEvaluation()
    invited = await ProjectInvitee.exists().where(
        (ProjectInvitee.project == project.id) & (ProjectInvitee.person == viewer.person_id)
    )
    if not invited:
        return MyEvaluation()
    answered = await ProjectEvaluation.exists().where(
        (ProjectEvaluation.project == project.id) & (ProjectEvaluation.person == viewer.person_id)
    )
    still_open = (
        project.state == "completed"
        and project.evaluation_closes_at is not None
        and project.evaluation_closes_at > now()
    )
    return MyEvaluation(invited=True, answered=answered, open=still_open)


async def close_evaluations(moment: dt.datetime | None = None) -> list[int]:
    """Projects whose window ended or whose evaluation meeting published minutes become "evaluated". Idempotent:
    the conditional UPDATE claims each project once, whoever runs the round."""
    moment = moment or now()
    candidates = await Project.select(Project.id, Project.evaluation_closes_at, Project.evaluation_meeting_id).where(
        Project.state == "completed"
    )
    meetings = sorted({row["evaluation_meeting_id"] for row in candidates if row["evaluation_meeting_id"]})
    published = set()
    if meetings:
        rows = await Meeting.select(Meeting.id).where(
            Meeting.id.is_in(meetings) & Meeting.minutes_published_at.is_not_null()
        )
        published = {row["id"] for row in rows}
    due = [
        row["id"]
        for row in candidates
        if (row["evaluation_closes_at"] is not None and row["evaluation_closes_at"] <= moment)
        or row["evaluation_meeting_id"] in published
    ]
    claimed = []
    for project_id in due:
        async with write_transaction():
            won = (
                await Project.update(
                    {Project.state: "evaluated", Project.evaluated_at: moment, Project.changed_at: moment}
                )
                .where((Project.id == project_id) & (Project.state == "completed"))
                .returning(Project.id)
            )
            if not won:
                continue
            claimed.append(project_id)
            project = await access.project_row(project_id)
            await notices.record_step(project_id, "state", "completed", "evaluated", actor_id=None)
            await notices.tell(await access.taking_part(project), project_id, "state", detail="evaluated")
    return claimed
