"""A person's part in projects is in their data download, and deleting their account keeps the project's
figures but not their words: they stop working on it, their evaluation counts without its comment."""

from __future__ import annotations

from block_service.clock import now
from block_service.privacy.schemas import StaffDeleteForm
from block_service.privacy.services import collect_personal_data, delete_account_for
from block_service.projects.schemas import WorkerForm
from block_service.projects.tables import ProjectEvaluation, ProjectInvitee, ProjectWorker
from block_service.projects.work import add_worker
from tests.council_helpers import staff_viewer
from tests.plans_helpers import resident
from tests.project_helpers import started_project


async def test_the_download_lists_a_persons_projects_and_erasure_keeps_the_count_not_the_words(db):
    staff = await staff_viewer()
    project_id = await started_project(staff)
    person = await resident("受益居民")
    await add_worker(staff, project_id, WorkerForm(person_id=person.person_id))
    await ProjectInvitee.insert(ProjectInvitee(project=project_id, person=person.person_id, invited_at=now()))
    await ProjectEvaluation.insert(
        ProjectEvaluation(
            project=project_id,
            person=person.person_id,
            solved="partly",
            satisfaction=4,
            comment="座椅很好，我家住12号",
            created_at=now(),
        )
    )
    data = (await collect_personal_data(person.person_id))["projects"]
    assert [row["project"] for row in data["working_on"]] == [project_id]
    assert [(e["solved"], e["satisfaction"], e["comment"]) for e in data["evaluations"]] == [
        ("partly", 4, "座椅很好，我家住12号")
    ]
    await delete_account_for(staff, person.person_id, StaffDeleteForm(confirm=True))
    assert await ProjectWorker.count().where(ProjectWorker.person == person.person_id) == 0
    kept = await ProjectEvaluation.select(
        ProjectEvaluation.solved, ProjectEvaluation.satisfaction, ProjectEvaluation.comment
    )
    assert kept == [{"solved": "partly", "satisfaction": 4, "comment": ""}]
