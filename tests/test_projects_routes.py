"""Project pages, forms and JSON: the list (constant statements), a project's page, starting one from a motion,
the management forms and their refusals in the person's language, documents with safe headers, evaluation."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image

from block_service.clock import block_today
from block_service.projects.schemas import UpdateForm
from block_service.projects.tables import Milestone, Project, ProjectEvaluation, ProjectPhoto
from block_service.projects.work import post_update
from block_service.web.shared_pages import forget_all
from tests.helpers import make_person, text_of, viewer_for
from tests.plans_helpers import age
from tests.project_helpers import milestone, passed_motion, started_project


def _jpeg() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 140, 200)).save(output, "JPEG")
    return output.getvalue()


async def _signed_in(browser_factory, name: str, contact: str, roles=("resident",), language: str = "zh-Hans"):
    person = await make_person(name, contact, roles=roles)
    await age(person)
    browser = browser_factory(language)
    await browser.log_in(contact)
    await browser.post("/language", {"language": language, "next": "/"})
    return viewer_for(person, *roles), browser


async def test_staff_start_a_project_from_the_motion_page(db, browser_factory):
    staff, browser = await _signed_in(browser_factory, "工作站", "staff-p@test.example", roles=("staff",))
    motion_id, proposal_id = await passed_motion(staff)
    motion_page = await browser.get(f"/motions/{motion_id}")
    assert "启动项目" in motion_page.text or "Start the project" in motion_page.text
    form = await browser.get(f"/projects/new?motion={motion_id}")
    assert form.status_code == 200
    created = await browser.post(
        "/projects",
        {
            "motion_id": str(motion_id),
            "title": "弄口休息座椅",
            "lead_type": "person",
            "lead_id": str(staff.person_id),
            "starts_on": block_today().isoformat(),
        },
    )
    assert created.status_code == 303
    project_id = (await Project.select(Project.id).first())["id"]
    assert created.headers["location"].startswith(f"/projects/{project_id}")
    page = await browser.get(f"/projects/{project_id}")
    assert page.status_code == 200 and "弄口休息座椅" in page.text and 'data-section="chain"' in page.text
    assert f"/projects/{project_id}" in (await browser.get(f"/motions/{motion_id}")).text
    assert f"/projects/{project_id}" in (await browser.get(f"/proposals/{proposal_id}")).text


async def test_a_resident_may_not_start_a_project(db, browser_factory):
    _resident, browser = await _signed_in(browser_factory, "居民", "13900000011")
    assert (await browser.get("/projects/new")).status_code == 403
    assert (await browser.post("/projects", {"motion_id": "1"})).status_code == 403


async def test_a_milestone_due_before_the_start_is_refused_in_chinese_and_nothing_changes(db, browser_factory):
    staff, browser = await _signed_in(browser_factory, "工作站", "staff-m@test.example", roles=("staff",))
    project_id = await started_project(staff)
    early = (block_today() - dt.timedelta(days=2)).isoformat()
    response = await browser.post(
        f"/projects/{project_id}/milestones", {"title": "提前", "due_on": early, "weight": "1"}
    )
    assert response.status_code == 422
    assert "里程碑不能早于项目开始日期" in text_of(response.text)
    assert await Milestone.count() == 0
    negative = await browser.post(
        f"/projects/{project_id}/milestones", {"title": "负数", "due_on": block_today().isoformat(), "weight": "-3"}
    )
    assert negative.status_code == 422 and await Milestone.count() == 0


async def test_completing_without_a_maintainer_is_refused_in_english_too(db, browser_factory):
    staff, browser = await _signed_in(browser_factory, "Staff", "staff-c@test.example", roles=("staff",), language="en")
    project_id = await started_project(staff)
    assert (await browser.post(f"/projects/{project_id}/state", {"state": "in_progress"})).status_code == 303
    response = await browser.post(f"/projects/{project_id}/state", {"state": "completed"})
    assert response.status_code == 422
    assert "name the maintainer first" in text_of(response.text)
    assert (await Project.select(Project.state).first())["state"] == "in_progress"


async def test_an_update_with_photos_shows_thumbnails(db, browser_factory):
    staff, browser = await _signed_in(browser_factory, "工作站", "staff-u@test.example", roles=("staff",))
    project_id = await started_project(staff)
    token = await browser.csrf_token()
    response = await browser.client.post(
        f"/projects/{project_id}/updates",
        data={"body": "座椅已经运到"},
        files=[("photos", ("a.jpg", _jpeg(), "image/jpeg"))],
        headers={"x-csrftoken": token},
    )
    assert response.status_code == 303
    name = (await ProjectPhoto.select(ProjectPhoto.file_name).first())["file_name"]
    page = await browser_factory().get(f"/projects/{project_id}")
    assert f"/projects/photos/{name}" in page.text
    photo = await browser_factory().get(f"/projects/photos/{name}")
    assert photo.status_code == 200 and photo.headers["x-content-type-options"] == "nosniff"


async def test_a_document_that_is_not_what_it_claims_is_refused_and_a_pdf_downloads_safely(db, browser_factory):
    staff, browser = await _signed_in(browser_factory, "工作站", "staff-d@test.example", roles=("staff",))
    project_id = await started_project(staff, size="large", budget_cap=None)
    token = await browser.csrf_token()

    async def attach(content: bytes, name: str, content_type: str):
        return await browser.client.post(
            f"/projects/{project_id}/documents",
            data={"document_title": "申报书"},
            files=[("document", (name, content, content_type))],
            headers={"x-csrftoken": token},
        )

    fake = await attach(b"<html><script>alert(1)</script></html>", "apply.pdf", "application/pdf")
    assert fake.status_code == 422
    assert "只接受 PDF" in text_of(fake.text)
    good = await attach(b"%PDF-1.4\n%%EOF\n", "apply.pdf", "application/pdf")
    assert good.status_code == 303
    download = await browser_factory().get(f"/projects/{project_id}/documents/1")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-type"].startswith("application/pdf")


async def test_evaluating_twice_or_uninvited_is_refused(db, browser_factory):
    from block_service.projects import lifecycle
    from block_service.projects.schemas import MaintainerForm, StateForm

    staff, _staff_browser = await _signed_in(browser_factory, "工作站", "staff-e@test.example", roles=("staff",))
    invited, browser = await _signed_in(browser_factory, "受益居民", "13900000021")
    _other, outsider = await _signed_in(browser_factory, "路人", "13900000022")
    project_id = await started_project(staff)
    proposal_id = (await Project.select(Project.proposal_id).first())["proposal_id"]
    from block_service.clock import now
    from block_service.plans.tables import Support

    await Support.insert(Support(proposal=proposal_id, person=invited.person_id, created_at=now()))
    await lifecycle.change_state(staff, project_id, StateForm(state="in_progress"))
    await lifecycle.name_maintainer(
        staff, project_id, MaintainerForm(maintainer_type="person", maintainer_id=staff.person_id, duties="定期维护")
    )
    await lifecycle.change_state(staff, project_id, StateForm(state="completed"))
    page = await browser.get(f"/projects/{project_id}")
    assert 'data-section="evaluation-form"' in page.text
    assert "checked" not in page.text.split('data-section="evaluation-form"')[1].split("</form>")[0]
    answer = {"solved": "partly", "satisfaction": "4", "comment": "座椅不错，但少了一张"}
    assert (await browser.post(f"/projects/{project_id}/evaluation", answer)).status_code == 303
    twice = await browser.post(f"/projects/{project_id}/evaluation", answer)
    assert twice.status_code == 409 and "已经评价过" in text_of(twice.text)
    uninvited = await outsider.post(f"/projects/{project_id}/evaluation", answer)
    assert uninvited.status_code == 403
    assert await ProjectEvaluation.count() == 1
    results = await browser_factory().get(f"/projects/{project_id}")
    assert "座椅不错" in results.text


async def test_the_list_filters_and_takes_a_constant_number_of_statements(db, browser_factory, count_queries):
    staff, browser = await _signed_in(browser_factory, "工作站", "staff-l@test.example", roles=("staff",))
    first = await started_project(staff)
    await milestone(staff, first)
    await post_update(staff, first, UpdateForm(body="第一次进展"))
    pages = ("/projects", "/projects?size=small", "/api/projects", f"/projects/{first}", f"/api/projects/{first}")
    before = {}
    for url in pages:
        await browser.get(url)
        forget_all()
        count_queries.statements.clear()
        assert (await browser.get(url)).status_code == 200
        before[url] = count_queries.count
    for index in range(6):
        project_id = await started_project(staff, size="mini" if index % 2 else "small")
        await milestone(staff, project_id, f"第{index}步")
        await milestone(staff, first, f"第{index}个节点")
        await post_update(staff, first, UpdateForm(body=f"第{index}次进展"))
    after = {}
    for url in pages:
        forget_all()
        count_queries.statements.clear()
        assert (await browser.get(url)).status_code == 200
        after[url] = count_queries.count
    assert after == before
    minis = (await browser_factory().get("/api/projects?size=mini")).json()
    assert minis["total"] == 3 and {item["size"] for item in minis["items"]} == {"mini"}


async def test_the_json_api_is_in_the_openapi_schema(db, browser_factory):
    staff, _browser = await _signed_in(browser_factory, "工作站", "staff-j@test.example", roles=("staff",))
    project_id = await started_project(staff)
    visitor = browser_factory()
    one = (await visitor.get(f"/api/projects/{project_id}")).json()
    assert one["id"] == project_id and one["lead"]["type"] == "person"
    assert (await visitor.get("/api/projects/99999")).status_code == 404
    schema = (await visitor.get("/schema/openapi.json")).json()
    assert "/api/projects" in schema["paths"] and "/api/projects/{project_id}" in schema["paths"]
