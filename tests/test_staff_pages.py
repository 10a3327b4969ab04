"""Staff pages a person can read: the audit log in sentences, filtered by name; the council counted from its seats."""

from __future__ import annotations

from block_service import clock
from block_service.accounts import roles
from block_service.audit.describe import FALLBACK, describe
from block_service.audit.services import record_change
from block_service.council.tables import Seat
from tests.council_helpers import make_term, staff_viewer
from tests.helpers import make_person, make_shop, text_of


async def test_every_recorded_action_has_a_describer_or_the_fallback():
    assert describe("role.granted", "person", 3, "", '{"role": "staff"}').params == {"role": "staff"}
    unknown = describe("something.new", "widget", 9, "", "")
    assert unknown.message == FALLBACK and unknown.params == {"action": "something.new", "object_type": "widget"}
    broken = describe("thread.opened", "thread", 1, "", "{not json")
    assert broken.params == {"title": ""}


async def test_the_audit_log_reads_as_sentences_in_the_readers_language_and_filters_by_name(browser_factory):
    await make_person("王工", "wang@lingyan.example", roles=("staff",))
    staff_zh = browser_factory()
    await staff_zh.log_in("wang@lingyan.example")
    zhang = await make_person("张阿姨", "13900000601")
    wang_viewer = await staff_viewer("li@lingyan.example")
    await roles.staff_grant_role(wang_viewer, zhang, "staff")
    await record_change(actor_id=None, action="something.new", object_type="widget", object_id=7)
    page = await staff_zh.get("/staff/audit")
    text = text_of(page.text)
    assert "工作站 授予 张阿姨 “工作站工作人员”角色。" in text
    assert "系统：something.new（widget #7）" in text
    assert '{"role"' not in text.split("记录详情")[0]  # the JSON waits behind "recorded details"
    filtered = text_of((await staff_zh.get("/staff/audit?who=张阿姨")).text)
    assert "共 0 条记录。" in filtered  # 张阿姨 did nothing herself
    by_name = text_of((await staff_zh.get("/staff/audit", params={"who": "工作"})).text)
    assert "授予 张阿姨" in by_name and "建立了小组 #" not in by_name
    staff_en = browser_factory("en")
    await make_person("Wang", "wang.en@lingyan.example", roles=("staff",))
    await staff_en.log_in("wang.en@lingyan.example")
    await staff_en.post("/language", {"language": "en", "next": "/"})
    english = text_of((await staff_en.get("/staff/audit")).text)
    assert "gave 张阿姨 the role" in english


async def test_the_audit_page_runs_the_same_number_of_statements_whatever_its_size(browser_factory, count_queries):
    await make_person("王工", "wang@lingyan.example", roles=("staff",))
    staff = browser_factory()
    await staff.log_in("wang@lingyan.example")
    counts = []
    for extra in (2, 30):
        for number in range(extra):
            person = await make_person(f"居民{number}")
            await record_change(actor_id=person, action="account.created", object_type="person", object_id=person)
        count_queries.statements.clear()
        assert (await staff.get("/staff/audit")).status_code == 200
        counts.append(count_queries.count)
    assert counts[0] == counts[1]


async def test_the_people_page_counts_the_sitting_council_from_its_seats(browser_factory):
    staff = await staff_viewer("wang@lingyan.example")
    term = await make_term(staff, seats=5)
    members = []
    for number in range(5):
        merchant = await make_person(f"理事{number}", f"1380000060{number}", roles=("resident", "merchant"))
        shop = await make_shop(merchant, name=f"理事小店{number}", house_number=f"{1101 + number * 2}号")
        await Seat.insert(Seat(term=term, person=merchant, shop=shop, started_at=clock.now()))
        members.append(merchant)
    await Seat.update({Seat.ceased_at: clock.now()}).where(Seat.person == members[0])  # resigned: not sitting
    browser = browser_factory()
    await browser.log_in("wang@lingyan.example")
    page = text_of((await browser.get("/staff/people")).text)
    assert "理事：4" in page
    council_only = text_of((await browser.get("/staff/people?role=council")).text)
    assert "理事1" in council_only and "理事0" not in council_only
