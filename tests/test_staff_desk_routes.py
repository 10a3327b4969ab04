"""The staff desk's routes: landing there, queues as tabs, assigning from a row, bulk actions, filing for someone."""

from __future__ import annotations

from block_service.threads.categories import list_categories
from block_service.threads.tables import Thread
from tests.helpers import make_person, make_thread, text_of


async def _staff_browser(browser_factory, name: str, contact: str, language: str = "zh-Hans"):
    person_id = await make_person(name, contact, roles=("staff",))
    browser = browser_factory(language)
    response = await browser.post("/login", {"contact": contact, "password": "correct horse battery"})
    assert response.status_code == 303
    if response.headers["location"] == "/login/code":
        from tests.helpers import TOTP_SECRETS, next_totp_code

        response = await browser.post("/login/code", {"code": next_totp_code(TOTP_SECRETS[contact])})
    return person_id, browser, response


async def test_staff_land_on_the_desk_after_logging_in_and_residents_do_not_reach_it(browser_factory):
    _staff_id, _browser, response = await _staff_browser(browser_factory, "王工", "wang@lingyan.example")
    assert response.headers["location"] == "/staff"
    await make_person("居民", "13900000401")
    resident = browser_factory()
    landed = await resident.post("/login", {"contact": "13900000401", "password": "correct horse battery"})
    assert landed.headers["location"] == "/"
    assert (await resident.get("/staff")).status_code == 403


async def test_the_desk_shows_queues_with_counts_and_rows_with_place_age_due_and_assignee(browser_factory):
    _staff_id, staff, _ = await _staff_browser(browser_factory, "王工", "wang@lingyan.example")
    reporter = await make_person("居民", "13900000402")
    await make_thread(reporter, title="门口纸箱占道", house_number="1143号")
    page = await staff.get("/staff")
    assert page.status_code == 200
    text = text_of(page.text)
    for label in ("新诉求 1", "未分派 1", "我的 0", "已超时 0", "紧急 0", "待反映人确认 0"):
        assert label in text, label
    assert "门口纸箱占道" in text and "1143号" in text and "期限" in text and "尚未分派" in text
    fragment = await staff.get("/staff?queue=mine", headers={"hx-request": "true"})
    assert "<html" not in fragment.text and "这个队列里没有诉求。" in text_of(fragment.text)


async def test_a_desk_page_runs_the_same_number_of_statements_whatever_its_size(browser_factory, count_queries):
    _staff_id, staff, _ = await _staff_browser(browser_factory, "王工", "wang@lingyan.example")
    reporter = await make_person("居民", "13900000403")
    counts = []
    for size in (3, 15):
        while await Thread.count() < size:
            await make_thread(reporter, title=f"第{await Thread.count()}件 占道问题")
        count_queries.statements.clear()
        page = await staff.get("/staff?queue=new")
        assert page.text.count('class="card desk-row') == size
        counts.append(count_queries.count)
    assert counts[0] == counts[1], count_queries.statements


async def test_assigning_from_a_row_swaps_the_row_and_the_colleague_sees_it_under_mine(browser_factory):
    _wang, wang, _ = await _staff_browser(browser_factory, "王工", "wang@lingyan.example")
    li_id, li, _ = await _staff_browser(browser_factory, "李工", "li@lingyan.example")
    thread_id = await make_thread(await make_person("居民", "13900000404"), title="路灯不亮好几天")
    response = await wang.post(f"/staff/desk/threads/{thread_id}/assign", {"staff_id": str(li_id)}, htmx=True)
    assert response.status_code == 200
    assert f'id="desk-row-{thread_id}"' in response.text and "李工" in text_of(response.text)
    assert "<html" not in response.text
    mine = text_of((await li.get("/staff?queue=mine")).text)
    assert "路灯不亮好几天" in mine and "我的 1" in mine
    inbox = text_of((await li.get("/inbox")).text)
    assert "路灯不亮好几天" in inbox
    refused = await wang.post(f"/staff/desk/threads/{thread_id}/assign", {"staff_id": "abc"}, htmx=True)
    assert refused.status_code in (400, 422)


async def test_bulk_without_a_prepared_answer_says_so_and_changes_nothing(browser_factory):
    _wang, wang, _ = await _staff_browser(browser_factory, "王工", "wang@lingyan.example")
    thread_id = await make_thread(await make_person("居民", "13900000405"))
    response = await wang.post(
        "/staff/desk/bulk", {"action": "status", "status": "acknowledged", "thread_ids": [str(thread_id)]}
    )
    assert response.status_code == 422
    assert "请选择反映人将看到的答复。" in text_of(response.text)
    assert (await Thread.select(Thread.status).where(Thread.id == thread_id).first())["status"] == "new"
    nothing = await wang.post("/staff/desk/bulk", {"action": "assign", "staff_id": ""})
    assert nothing.status_code == 422 and "请至少选择一条诉求。" in text_of(nothing.text)


async def test_bulk_assign_from_the_desk(browser_factory):
    wang_id, wang, _ = await _staff_browser(browser_factory, "王工", "wang@lingyan.example")
    reporter = await make_person("居民", "13900000406")
    ids = [await make_thread(reporter, title=f"第{n}件 噪音扰民") for n in range(2)]
    response = await wang.post(
        "/staff/desk/bulk", {"action": "assign", "staff_id": str(wang_id), "thread_ids": [str(i) for i in ids]}
    )
    assert response.status_code == 303
    rows = await Thread.select(Thread.assigned_to).where(Thread.id.is_in(ids))
    assert {row["assigned_to"] for row in rows} == {wang_id}


async def test_filing_for_someone_refuses_a_hotline_report_without_its_work_order(browser_factory):
    _wang, wang, _ = await _staff_browser(browser_factory, "王工", "wang@lingyan.example")
    assert (await wang.get("/staff/intake")).status_code == 200
    category = next(c.id for c in await list_categories() if c.slug == "pavement")
    form = {
        "title": "井盖松动有响声",
        "body": "踩上去会晃。",
        "category_id": str(category),
        "house_number": "1150号",
        "source": "hotline",
        "caller_name": "王阿姨",
        "caller_contact": "13700001111",
    }
    refused = await wang.post("/staff/intake", form)
    assert refused.status_code == 422 and "请填写 12345 工单号。" in text_of(refused.text)
    assert 'value="王阿姨"' in refused.text  # nothing typed is lost
    assert await Thread.count() == 0
    filed = await wang.post("/staff/intake", {**form, "work_order": "SH-0042"})
    assert filed.status_code == 303
    thread_id = (await Thread.select(Thread.id).first())["id"]
    assert filed.headers["location"] == f"/threads/{thread_id}"


async def test_notes_and_due_times_from_the_thread_page(browser_factory):
    _wang, wang, _ = await _staff_browser(browser_factory, "王工", "wang@lingyan.example")
    thread_id = await make_thread(await make_person("居民", "13900000407"))
    assert (await wang.post(f"/staff/threads/{thread_id}/notes", {"body": "已电话联系物业"})).status_code == 303
    assert (await wang.post(f"/staff/threads/{thread_id}/due", {"due_at": "2030-01-02T18:00"})).status_code == 303
    page = text_of((await wang.get(f"/threads/{thread_id}")).text)
    assert "已电话联系物业" in page and "2030-01-02 18:00" in page
    bad = await wang.post(f"/staff/threads/{thread_id}/due", {"due_at": "明天下午三点"})
    assert bad.status_code == 422
    empty = await wang.post(f"/staff/threads/{thread_id}/notes", {"body": ""})
    assert empty.status_code == 422
