"""Project rules: started only from a passed motion by staff or the chair, states, milestones, the maintainer,
documents, and the evaluation by the people served (once each, invited, within the window)."""

from __future__ import annotations

import datetime as dt

import pytest

from block_service.clock import block_today, now
from block_service.errors import Conflict, Forbidden, FormInvalid, Invalid
from block_service.inbox.tables import InboxEntry
from block_service.plans.tables import Proposal, Support
from block_service.projects import evaluation, lifecycle, projects, work
from block_service.projects.schemas import (
    EvaluationForm,
    MaintainerForm,
    MilestoneForm,
    ProjectFilter,
    ProjectForm,
    StageForm,
    StateForm,
    UpdateForm,
)
from block_service.projects.steps import evaluation_steps, milestone_steps, project_steps
from block_service.projects.tables import Project, ProjectEvaluation, ProjectInvitee, ProjectStep
from tests.council_helpers import staff_viewer
from tests.helpers import make_thread, viewer_for
from tests.plans_helpers import resident
from tests.project_helpers import milestone, passed_motion, started_project

pytestmark = pytest.mark.usefixtures("db")


def _form(motion_id: int, lead_id: int, **changes) -> ProjectForm:
    values = {
        "motion_id": motion_id,
        "title": "弄口休息座椅",
        "lead_type": "person",
        "lead_id": lead_id,
        "starts_on": block_today().isoformat(),
    } | changes
    return ProjectForm(**values)


async def _complete(staff, project_id: int) -> None:
    await lifecycle.change_state(staff, project_id, StateForm(state="in_progress"))
    await lifecycle.name_maintainer(
        staff,
        project_id,
        MaintainerForm(maintainer_type="person", maintainer_id=staff.person_id, duties="每周擦洗座椅一次"),
    )
    await lifecycle.change_state(staff, project_id, StateForm(state="completed"))


async def test_a_project_starts_from_a_passed_motion_and_links_back_to_the_proposal():
    staff = await staff_viewer()
    motion_id, proposal_id = await passed_motion(staff, size="small", budget_cap=6000)
    project_id = await projects.create_project(staff, _form(motion_id, staff.person_id))
    project = await projects.get_project(project_id)
    assert (project.size, project.budget_cap, project.state, project.proposal_id) == (
        "small",
        6000,
        "planned",
        proposal_id,
    )
    assert (await Proposal.select(Proposal.project_id).where(Proposal.id == proposal_id).first())[
        "project_id"
    ] == project_id
    with pytest.raises(Conflict) as twice:
        await projects.create_project(staff, _form(motion_id, staff.person_id))
    assert twice.value.message == "This proposal already has its project."
    assert await Project.count() == 1


async def test_only_staff_or_the_chair_start_a_project_and_only_from_a_passed_motion():
    staff = await staff_viewer()
    motion_id, _ = await passed_motion(staff)
    someone = await resident("路人")
    with pytest.raises(Forbidden):
        await projects.create_project(someone, _form(motion_id, someone.person_id))
    rejected, _ = await passed_motion(staff, result="rejected")
    with pytest.raises(Conflict) as refused:
        await projects.create_project(staff, _form(rejected, staff.person_id))
    assert refused.value.message == "A project starts only from a motion on a proposal that the council passed."
    with pytest.raises(Invalid) as no_lead:
        await projects.create_project(staff, _form(motion_id, 999999))
    assert no_lead.value.field == "lead_id"
    assert await Project.count() == 0


async def test_a_large_project_takes_its_size_from_the_motion_and_starts_drafted():
    staff = await staff_viewer()
    project_id = await started_project(staff, size="large", budget_cap=None)
    project = await projects.get_project(project_id)
    assert (project.size, project.stage) == ("large", "drafted")


async def test_a_milestone_due_before_the_start_is_refused_and_progress_is_weighted():
    staff = await staff_viewer()
    project_id = await started_project(staff, starts_on=block_today())
    early = (block_today() - dt.timedelta(days=1)).isoformat()
    with pytest.raises(FormInvalid) as refused:
        await work.add_milestone(staff, project_id, MilestoneForm(title="提前完成", due_on=early))
    assert refused.value.messages["due_on"][0] == "A milestone cannot be due before the project starts (%(date)s)."
    first = await milestone(staff, project_id, "采购", weight=1)
    await milestone(staff, project_id, "安装", weight=3)
    await work.complete_milestone(staff, project_id, first)
    await work.complete_milestone(staff, project_id, first)  # a double tap changes nothing
    project = await projects.get_project(project_id)
    assert project.progress == 25
    assert [m.title for m in project.milestones] == ["采购", "安装"]


async def test_overdue_milestones_are_flagged():
    staff = await staff_viewer()
    project_id = await started_project(staff, starts_on=block_today() - dt.timedelta(days=30))
    await milestone(staff, project_id, "早该完成", days=-3)
    long_title = "在弄口人行道内侧安装防腐木座椅并做好防滑处理" * 2  # longer than any step code: kept as its reason
    await work.complete_milestone(staff, project_id, await milestone(staff, project_id, long_title, days=5))
    project = await projects.get_project(project_id)
    assert project.overdue == 1 and project.milestones[0].overdue
    listed = await projects.list_projects(ProjectFilter())
    assert listed.items[0].overdue == 1


async def test_completing_without_a_maintainer_is_refused_and_nothing_changes():
    staff = await staff_viewer()
    project_id = await started_project(staff)
    await lifecycle.change_state(staff, project_id, StateForm(state="in_progress"))
    with pytest.raises(Invalid) as refused:
        await lifecycle.change_state(staff, project_id, StateForm(state="completed"))
    assert refused.value.message.startswith("A project is completed only once someone maintains it")
    assert (await projects.get_project(project_id)).state == "in_progress"


async def test_stalling_and_cancelling_need_a_reason_and_a_closed_project_takes_nothing_more():
    staff = await staff_viewer()
    project_id = await started_project(staff)
    with pytest.raises(FormInvalid) as refused:
        await lifecycle.change_state(staff, project_id, StateForm(state="stalled"))
    assert "reason" in refused.value.messages
    await lifecycle.change_state(staff, project_id, StateForm(state="stalled", reason="施工队撤场"))
    await lifecycle.change_state(staff, project_id, StateForm(state="cancelled", reason="业主不同意"))
    with pytest.raises(Conflict):
        await lifecycle.change_state(staff, project_id, StateForm(state="in_progress"))
    with pytest.raises(Conflict):
        await milestone(staff, project_id)
    project = await projects.get_project(project_id)
    assert (project.state, project.state_reason) == ("cancelled", "业主不同意")


async def test_only_staff_and_the_lead_manage_a_project():
    staff = await staff_viewer()
    lead = await resident("牵头人")
    project_id = await started_project(staff, lead=lead)
    await milestone(lead, project_id)
    other = await resident("旁人")
    with pytest.raises(Forbidden):
        await milestone(other, project_id)
    with pytest.raises(Forbidden):
        await work.post_update(other, project_id, UpdateForm(body="我来说两句"))
    update = await work.post_update(lead, project_id, UpdateForm(body="座椅已下单"))
    assert update > 0


async def test_large_project_stages_need_a_reference_and_a_decline_needs_a_reason():
    staff = await staff_viewer()
    project_id = await started_project(staff, size="large", budget_cap=None)
    with pytest.raises(FormInvalid) as missing:
        await lifecycle.change_stage(staff, project_id, StageForm(stage="submitted"))
    assert set(missing.value.messages) == {"reference_number", "submitted_on"}
    await lifecycle.change_stage(
        staff,
        project_id,
        StageForm(stage="submitted", reference_number="凌街实〔2026〕12号", submitted_on="2026-11-20"),
    )
    with pytest.raises(FormInvalid):
        await lifecycle.change_stage(staff, project_id, StageForm(stage="declined"))
    await lifecycle.change_stage(staff, project_id, StageForm(stage="accepted"))
    await lifecycle.change_stage(staff, project_id, StageForm(stage="construction"))
    assert (await projects.get_project(project_id)).state == "in_progress"
    with pytest.raises(Invalid):
        await lifecycle.change_stage(staff, project_id, StageForm(stage="completed"))
    project = await projects.get_project(project_id)
    assert (project.stage, project.reference_number) == ("construction", "凌街实〔2026〕12号")


async def test_a_document_must_be_what_it_claims(tmp_path):
    staff = await staff_viewer()
    project_id = await started_project(staff, size="large", budget_cap=None)
    with pytest.raises(Invalid) as refused:
        await work.attach_document(staff, project_id, tmp_path, "申报书", b"MZ\x90\x00 not a pdf at all")
    assert refused.value.message == "Only PDF files and JPEG, PNG or WebP images are accepted."
    assert not (tmp_path / "documents").exists() or not any((tmp_path / "documents").iterdir())
    document_id = await work.attach_document(staff, project_id, tmp_path, "申报书", b"%PDF-1.4\n%%EOF\n")
    path, content_type, _name = await work.document_file(project_id, document_id, tmp_path)
    assert content_type == "application/pdf" and path.read_bytes().startswith(b"%PDF-")


async def test_completion_invites_the_people_served_who_evaluate_once_within_the_window():
    staff = await staff_viewer()
    reporter_id = (await resident("报告人")).person_id
    thread_id = await make_thread(reporter_id)
    supporter = await resident("支持者")
    project_id = await started_project(staff)
    project = await projects.get_project(project_id)
    from block_service.plans.tables import ProposalThread

    await ProposalThread.insert(ProposalThread(proposal=project.proposal_id, thread=thread_id, linked_at=now()))
    await Support.insert(Support(proposal=project.proposal_id, person=supporter.person_id, created_at=now()))
    await _complete(staff, project_id)
    invited = {row["person"] for row in await ProjectInvitee.select(ProjectInvitee.person)}
    assert {reporter_id, supporter.person_id} <= invited
    assert await InboxEntry.exists().where(
        (InboxEntry.person == supporter.person_id) & (InboxEntry.event == "evaluate")
    )

    await evaluation.evaluate(supporter, project_id, EvaluationForm(solved="yes", satisfaction=5, comment="很好"))
    with pytest.raises(Conflict) as twice:
        await evaluation.evaluate(supporter, project_id, EvaluationForm(solved="no", satisfaction=1))
    assert twice.value.message == "You have already evaluated this project."
    outsider = await resident("局外人")
    with pytest.raises(Forbidden) as uninvited:
        await evaluation.evaluate(outsider, project_id, EvaluationForm(solved="no", satisfaction=1))
    assert uninvited.value.message == "Only the people this project serves are invited to evaluate it."
    assert await ProjectEvaluation.count() == 1
    results = (await projects.get_project(project_id)).results
    assert (results.answered, results.solved["yes"], results.satisfaction_average) == (1, 1, 5.0)


async def test_the_window_ends_the_evaluation_once_and_later_answers_are_refused():
    staff = await staff_viewer()
    supporter = await resident("支持者")
    project_id = await started_project(staff)
    project = await projects.get_project(project_id)
    await Support.insert(Support(proposal=project.proposal_id, person=supporter.person_id, created_at=now()))
    await _complete(staff, project_id)
    assert await evaluation.close_evaluations() == []
    later = now() + dt.timedelta(days=15)
    assert await evaluation.close_evaluations(later) == [project_id]
    assert await evaluation.close_evaluations(later) == []  # idempotent
    assert (await projects.get_project(project_id)).state == "evaluated"
    with pytest.raises(Conflict) as closed:
        await evaluation.evaluate(supporter, project_id, EvaluationForm(solved="yes", satisfaction=4))
    assert closed.value.message == "The evaluation of this project has closed."
    assert await ProjectStep.count().where(ProjectStep.status_to == "evaluated") == 1


async def test_the_chain_shows_the_project_its_milestones_and_the_evaluation_with_who_acted():
    staff = await staff_viewer()
    project_id = await started_project(staff)
    proposal_id = (await projects.get_project(project_id)).proposal_id
    done = await milestone(staff, project_id, "采购")
    await work.complete_milestone(staff, project_id, done)
    await _complete(staff, project_id)
    viewer = viewer_for(None)
    project = await project_steps([proposal_id], viewer)
    assert [s.label for s in project][:1] == ["Project started"]
    assert project[0].detail_params == {"name": "工作站"}
    assert [s.state for s in await milestone_steps([proposal_id], viewer)] == ["done"]
    assert [s.state for s in await evaluation_steps([proposal_id], viewer)] == ["current"]


async def test_the_evaluation_ends_when_the_linked_evaluation_meeting_publishes_its_minutes():
    from block_service.meetings.tables import Meeting
    from block_service.projects.schemas import MeetingLinkForm
    from tests.meeting_helpers import make_meeting

    staff = await staff_viewer()
    project_id = await started_project(staff)
    hearing = await make_meeting(staff, kind="hearing")
    with pytest.raises(Invalid) as refused:
        await lifecycle.link_meeting(staff, project_id, MeetingLinkForm(meeting_id=hearing))
    assert refused.value.message == "Choose an evaluation meeting."
    meeting_id = await make_meeting(staff, kind="evaluation", title="弄口座椅评议会")
    await lifecycle.link_meeting(staff, project_id, MeetingLinkForm(meeting_id=meeting_id))
    await _complete(staff, project_id)
    assert await evaluation.close_evaluations() == []  # the window is open and no minutes yet
    await Meeting.update({Meeting.minutes_published_at: now()}).where(Meeting.id == meeting_id)
    assert await evaluation.close_evaluations() == [project_id]
    assert (await projects.get_project(project_id)).state == "evaluated"


async def test_a_worker_is_added_once_and_may_post_updates():
    from block_service.projects.schemas import WorkerForm

    staff = await staff_viewer()
    project_id = await started_project(staff)
    helper = await resident("帮忙的街坊")
    await work.add_worker(staff, project_id, WorkerForm(person_id=helper.person_id))
    with pytest.raises(Conflict) as twice:
        await work.add_worker(staff, project_id, WorkerForm(person_id=helper.person_id))
    assert twice.value.message == "This person already works on the project."
    assert await work.post_update(helper, project_id, UpdateForm(body="今天搬来了两张座椅")) > 0
    assert [w.name for w in (await projects.get_project(project_id)).workers] == ["帮忙的街坊"]


async def test_a_deleted_leads_updates_milestones_and_place_name_a_former_resident_in_the_readers_language():
    from block_service.i18n import current_language
    from block_service.privacy.schemas import StaffDeleteForm
    from block_service.privacy.services import delete_account_for

    staff = await staff_viewer()
    lead = await resident("牵头人")
    project_id = await started_project(staff, lead=lead)
    await work.complete_milestone(lead, project_id, await milestone(lead, project_id))
    await work.post_update(lead, project_id, UpdateForm(body="座椅已下单"))
    await delete_account_for(staff, lead.person_id, StaffDeleteForm(confirm=True))
    for language, label in (("en", "A former resident"), ("zh-Hans", "一位前居民")):
        token = current_language.set(language)
        try:
            project = await projects.get_project(project_id)
            assert [(str(u.author_name), u.body) for u in project.updates] == [(label, "座椅已下单")]
            assert str(project.lead.name) == label
            steps = await milestone_steps([project.proposal_id], staff)
            assert [str(step.detail_params["name"]) for step in steps] == [label]
        finally:
            current_language.reset(token)
