"""The staff desk: queues and their counts, assignment, due times, internal notes, bulk actions, filing for someone."""

from __future__ import annotations

import datetime as dt

import pytest

from block_service import clock
from block_service.errors import Forbidden, FormInvalid, Invalid
from block_service.inbox.tables import InboxEntry
from block_service.threads import desk, workflow
from block_service.threads.categories import list_categories, list_response_templates, save_response_template
from block_service.threads.desk_schemas import BulkForm, IntakeForm, NoteForm
from block_service.threads.schemas import TemplateForm
from block_service.threads.tables import Intake, Message, Thread
from tests.helpers import english_reader, make_person, make_thread, text_of, viewer_for


async def _staff(name: str, contact: str):
    return viewer_for(await make_person(name, contact, roles=("staff",)), "staff")


async def _category_id(slug: str = "pavement") -> int:
    return next(c.id for c in await list_categories() if c.slug == slug)


def _intake(**changes) -> IntakeForm:
    values = {
        "title": "井盖松动有响声",
        "body": "1150号门口的井盖踩上去会晃。",
        "category_id": 0,
        "house_number": "1150号",
        "source": "walk_in",
        "caller_name": "王阿姨",
        "caller_contact": "13700001111",
    }
    values.update(changes)
    return IntakeForm(**values)


async def test_queues_hold_what_their_names_say_and_the_counts_match(db):
    wang = await _staff("王工", "wang@lingyan.example")
    li = await _staff("李工", "li@lingyan.example")
    reporter = await make_person("居民", "13900000301")
    fresh = await make_thread(reporter, title="新的诉求一件")
    mine = await make_thread(reporter, title="分给我的诉求")
    late = await make_thread(reporter, title="已经超时的诉求")
    gas = await make_thread(
        reporter,
        title="闻到煤气味道",
        category="gas" if any(c.slug == "gas" for c in await list_categories()) else "pavement",
    )
    await workflow.assign_thread(wang, mine, wang.person_id)
    await Thread.update({Thread.due_at: clock.now() - dt.timedelta(hours=1)}).where(Thread.id == late)
    counts = await desk.queue_counts(wang)
    for queue in counts:
        page = await desk.desk_queue(wang, queue)
        assert page.total == counts[queue], queue
    assert {row.id for row in (await desk.desk_queue(wang, "mine")).items} == {mine}
    assert (await desk.desk_queue(li, "mine")).total == 0
    assert mine not in {row.id for row in (await desk.desk_queue(wang, "unassigned")).items}
    assert {row.id for row in (await desk.desk_queue(wang, "overdue")).items} == {late}
    assert {fresh, mine, late, gas} <= {row.id for row in (await desk.desk_queue(wang, "new")).items}
    assert counts["new"] == 4 and counts["unassigned"] == 3 and counts["mine"] == 1 and counts["overdue"] == 1


async def test_only_staff_reach_the_desk_services(db):
    resident = viewer_for(await make_person("居民", "13900000302"), "resident")
    thread_id = await make_thread(resident.person_id)
    with pytest.raises(Forbidden):
        await desk.desk_queue(resident, "new")
    with pytest.raises(Forbidden):
        await desk.add_note(resident, thread_id, NoteForm(body="想偷看"))
    with pytest.raises(Forbidden):
        await desk.bulk_act(resident, [thread_id], BulkForm(action="assign"))
    with pytest.raises(Forbidden):
        await workflow.assign_thread(resident, thread_id, resident.person_id)
    with pytest.raises(Forbidden):
        await desk.file_on_behalf(resident, _intake(category_id=await _category_id()))
    assert await desk.staff_panel(resident, thread_id) == {}


async def test_assigning_is_audited_and_tells_the_assignee_once(db):
    wang = await _staff("王工", "wang@lingyan.example")
    li = await _staff("李工", "li@lingyan.example")
    thread_id = await make_thread(await make_person("居民", "13900000303"))
    await workflow.assign_thread(wang, thread_id, li.person_id)
    await workflow.assign_thread(wang, thread_id, li.person_id)  # a double submit changes nothing more
    notices = await InboxEntry.select(InboxEntry.event).where(InboxEntry.person == li.person_id)
    assert [row["event"] for row in notices] == ["assigned"]
    from block_service.audit.tables import AuditEntry

    assert await AuditEntry.count().where(AuditEntry.action == "thread.assigned") == 1
    resident = await make_person("另一位居民", "13900000304")
    with pytest.raises(Invalid) as refused:
        await workflow.assign_thread(wang, thread_id, resident)
    assert refused.value.message == "Only staff can be assigned."


async def test_the_due_time_follows_the_category_else_the_setting_and_staff_may_move_it(db, monkeypatch):
    from block_service.threads.tables import Category

    wang = await _staff("王工", "wang@lingyan.example")
    reporter = await make_person("居民", "13900000305")
    before = clock.now()
    thread_id = await make_thread(reporter)
    hours = (await Category.select(Category.response_hours).where(Category.slug == "pavement").first())[
        "response_hours"
    ]
    due = (await Thread.select(Thread.due_at).where(Thread.id == thread_id).first())["due_at"]
    assert abs((due - before) - dt.timedelta(hours=hours)) < dt.timedelta(minutes=1)
    await Category.update({Category.response_hours: 0}).where(Category.slug == "pavement")
    other = await make_thread(reporter, title="没有期限规则的类别")
    due = (await Thread.select(Thread.due_at).where(Thread.id == other).first())["due_at"]
    assert abs((due - before) - dt.timedelta(hours=48)) < dt.timedelta(minutes=1)  # BLOCK_DEFAULT_DUE_HOURS
    new_due = desk.parse_due("2030-01-02T18:00")
    assert new_due == dt.datetime(2030, 1, 2, 10, 0, tzinfo=dt.UTC)  # typed in Shanghai time
    await desk.set_due(wang, thread_id, new_due)
    stored = (await Thread.select(Thread.due_at).where(Thread.id == thread_id).first())["due_at"]
    assert stored == new_due
    with pytest.raises(FormInvalid) as refused:
        desk.parse_due("明天下午")
    assert refused.value.messages["due_at"][0] == "Give a date and time, such as 2026-12-01 18:00."


async def test_internal_notes_reach_staff_and_nobody_else(browser_factory, db):
    wang = await _staff("王工", "wang@lingyan.example")
    reporter_id = await make_person("居民", "13900000306")
    thread_id = await make_thread(reporter_id)
    await desk.add_note(wang, thread_id, NoteForm(body="机密备注：城管周三来"))
    panel = await desk.staff_panel(wang, thread_id)
    assert [note.body for note in panel["staff_notes"]] == ["机密备注：城管周三来"]
    reporter = browser_factory()
    await reporter.log_in("13900000306")
    for url in (
        f"/threads/{thread_id}",
        f"/api/threads/{thread_id}",
        "/inbox",
        "/api/inbox",
        f"/threads/{thread_id}/messages",
    ):
        response = await reporter.get(url)
        assert response.status_code == 200, url
        assert "城管周三来" not in response.text, url
    visitor = browser_factory()
    assert "城管周三来" not in (await visitor.get(f"/threads/{thread_id}")).text
    assert "城管周三来" not in (await visitor.get(f"/api/threads/{thread_id}")).text
    staff = browser_factory()
    await staff.log_in("wang@lingyan.example")
    assert "城管周三来" in (await staff.get(f"/threads/{thread_id}")).text


async def test_bulk_status_change_with_a_prepared_answer_is_one_transaction(db):
    wang = await _staff("王工", "wang@lingyan.example")
    reporter = await make_person("居民", "13900000307")
    first = await make_thread(reporter, title="第一件占道")
    second = await make_thread(reporter, title="第二件占道")
    await save_response_template(
        wang, TemplateForm(category_id=await _category_id(), title="已受理", body="您好，已受理，正在处理。"), None
    )
    template = next(t for t in await list_response_templates() if t.title == "已受理")
    moved = await desk.bulk_act(
        wang, [first, second], BulkForm(action="status", status="acknowledged", template_id=template.id)
    )
    assert moved == 2
    rows = await Thread.select(Thread.status).where(Thread.id.is_in([first, second]))
    assert {row["status"] for row in rows} == {"acknowledged"}
    bodies = await Message.select(Message.body).where(Message.status_to == "acknowledged")
    assert [row["body"] for row in bodies] == ["您好，已受理，正在处理。"] * 2
    from block_service.audit.tables import AuditEntry

    assert await AuditEntry.count().where(AuditEntry.action == "thread.status_changed") == 2
    # A batch with one thread that may not move: nothing changes, not even the threads before it.
    third = await make_thread(reporter, title="第三件占道")
    with pytest.raises(Invalid):
        await desk.bulk_act(wang, [third, first], BulkForm(action="status", status="new", template_id=template.id))
    assert (await Thread.select(Thread.status).where(Thread.id == third).first())["status"] == "new"
    with pytest.raises(Invalid) as refused:
        await desk.bulk_act(wang, [third], BulkForm(action="status", status="acknowledged"))
    assert refused.value.message == "Choose the answer the reporters will read."
    with pytest.raises(Invalid) as refused:
        await desk.bulk_act(wang, [], BulkForm(action="assign"))
    assert refused.value.message == "Select at least one thread."


async def test_bulk_assign_assigns_each_and_audits_each(db):
    wang = await _staff("王工", "wang@lingyan.example")
    li = await _staff("李工", "li@lingyan.example")
    reporter = await make_person("居民", "13900000308")
    ids = [await make_thread(reporter, title=f"第{n}件 路灯不亮") for n in range(3)]
    assert await desk.bulk_act(wang, ids, BulkForm(action="assign", staff_id=li.person_id)) == 3
    assert {row.id for row in (await desk.desk_queue(li, "mine")).items} == set(ids)
    from block_service.audit.tables import AuditEntry

    assert await AuditEntry.count().where(AuditEntry.action == "thread.assigned") == 3


async def test_a_report_filed_for_someone_keeps_their_name_and_contact_for_staff_only(browser_factory, db):
    wang = await _staff("王工", "wang@lingyan.example")
    category_id = await _category_id()
    with pytest.raises(FormInvalid) as refused:
        await desk.file_on_behalf(wang, _intake(category_id=category_id, source="hotline"))
    assert refused.value.messages["work_order"][0] == "Give the 12345 work-order number."
    thread_id = await desk.file_on_behalf(
        wang, _intake(category_id=category_id, source="hotline", work_order="SH20261129-0042")
    )
    intake = await Intake.select().where(Intake.thread == thread_id).first()
    assert (intake["caller_name"], intake["work_order"], intake["filed_by"]) == (
        "王阿姨",
        "SH20261129-0042",
        wang.person_id,
    )
    assert (await Thread.select(Thread.author).where(Thread.id == thread_id).first())["author"] is None
    visitor = browser_factory()
    page = await visitor.get(f"/threads/{thread_id}")
    assert "由工作站代为登记" in text_of(page.text)
    listed = await visitor.get("/threads")
    for response in (page, listed, await visitor.get(f"/api/threads/{thread_id}"), await visitor.get("/api/threads")):
        assert (
            "王阿姨" not in response.text and "13700001111" not in response.text and "SH20261129" not in response.text
        )
    staff = browser_factory()
    await staff.log_in("wang@lingyan.example")
    seen = text_of((await staff.get(f"/threads/{thread_id}")).text)
    assert "王阿姨" in seen and "13700001111" in seen and "SH20261129-0042" in seen


async def test_closing_a_report_filed_for_someone_asks_nobody_missing_for_a_rating(db):
    wang = await _staff("王工", "wang@lingyan.example")
    thread_id = await desk.file_on_behalf(wang, _intake(category_id=await _category_id()))
    from block_service.threads.schemas import StatusForm

    for status in ("acknowledged", "resolved", "closed"):
        await workflow.change_status(wang, thread_id, StatusForm(status=status, reason="已处理完毕"))
    assert (await Thread.select(Thread.status).where(Thread.id == thread_id).first())["status"] == "closed"


async def test_a_deleted_staff_members_notes_intake_and_assignment_name_a_former_resident_in_english(
    browser_factory, db
):
    from block_service.privacy.schemas import StaffDeleteForm
    from block_service.privacy.services import delete_account_for

    wang = await _staff("王工", "wang@lingyan.example")
    li = await _staff("李工", "li@lingyan.example")
    thread_id = await desk.file_on_behalf(wang, _intake(category_id=await _category_id()))
    await desk.add_note(wang, thread_id, NoteForm(body="城管周三来"))
    await Thread.update({Thread.assigned_to: wang.person_id}).where(Thread.id == thread_id)
    await delete_account_for(li, wang.person_id, StaffDeleteForm(confirm=True))
    english = await english_reader(browser_factory, "li@lingyan.example")
    page = await english.get(f"/threads/{thread_id}")
    assert page.status_code == 200
    text = text_of(page.text)
    # Assigned to, filed by, and the note's author.
    assert text.count("A former resident") >= 3 and "一位前居民" not in text and "王工" not in text
    queue = text_of((await english.get("/staff/?queue=new")).text)
    assert "A former resident" in queue and "一位前居民" not in queue
    await english.post("/language", {"language": "zh-Hans", "next": "/"})
    chinese = text_of((await english.get(f"/threads/{thread_id}")).text)
    assert chinese.count("一位前居民") >= 3 and "A former resident" not in chinese


async def test_the_demo_fills_every_part_of_the_desk(db):
    from block_service.accounts.tables import Person
    from block_service.seed import seed_demo
    from block_service.threads.tables import StaffNote

    assert await seed_demo()
    staff = {
        row["email"]: row["id"]
        for row in await Person.select(Person.id, Person.email).where(Person.email.like("%@lingyan.example"))
    }
    for email in ("staff@lingyan.example", "desk@lingyan.example"):
        counts = await desk.queue_counts(viewer_for(staff[email], "staff"))
        assert counts["mine"] > 0, email
    assert counts["overdue"] > 0 and counts["unassigned"] > 0
    assert await Intake.count() == 2 and await StaffNote.count() == 1


async def test_block_default_due_hours_sets_the_due_time_where_the_category_has_no_deadline(db):
    from block_service.app import create_app
    from block_service.settings import SettingsError
    from block_service.threads.tables import Category
    from tests.conftest import make_settings

    assert make_settings().default_due_hours == 48
    with pytest.raises(SettingsError):
        make_settings(default_due_hours="soon")
    create_app(make_settings(default_due_hours=72))
    try:
        await Category.update({Category.response_hours: 0}).where(Category.slug == "pavement")
        before = clock.now()
        thread_id = await make_thread(await make_person("居民", "13900000309"))
        due = (await Thread.select(Thread.due_at).where(Thread.id == thread_id).first())["due_at"]
        assert abs((due - before) - dt.timedelta(hours=72)) < dt.timedelta(minutes=1)
    finally:
        workflow.configure_due_hours(48)
