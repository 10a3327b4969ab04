"""Needs: anyone signed in posts one, with a plan or without; the author or staff mark it met or close it; the
list with filters, Chinese search and a constant number of statements; refusals in the person's language."""

import pytest

from block_service.errors import Conflict, Forbidden, FormInvalid
from block_service.needs import services
from block_service.needs.schemas import NeedFilter, NeedForm
from block_service.needs.tables import Need
from block_service.plans.plans import get_plan
from tests.council_helpers import zh
from tests.helpers import TEST_PASSWORD, make_person, text_of, viewer_for
from tests.need_helpers import days_ahead, make_need


async def _person(name="王阿姨", contact="13900000001", roles=("resident",)):
    return viewer_for(await make_person(name, contact, roles=roles), *roles)


async def test_a_resident_posts_a_need_on_a_plan_and_closes_it(db):
    author = await _person()
    plan = await get_plan("environment")
    need_id = await make_need(author, plan_id=plan.id, quantity=8)
    need = await services.get_need(need_id)
    assert (need.kind, need.quantity, need.unit, need.plan_slug, need.status) == (
        "volunteers",
        8,
        "人",
        "environment",
        "open",
    )
    assert services.is_open(need)
    await services.settle_need(author, need_id, "met")
    assert not services.is_open(await services.get_need(need_id))
    with pytest.raises(Conflict, match="already met or closed"):
        await services.settle_need(author, need_id, "closed")


async def test_only_the_author_or_staff_settle_a_need(db):
    author = await _person()
    other = await _person("李先生", "13900000002")
    staff = await _person("工作站", "staff@test.example", roles=("staff",))
    need_id = await make_need(author)
    with pytest.raises(Forbidden, match="author or staff"):
        await services.settle_need(other, need_id, "closed")
    assert (await services.get_need(need_id)).status == "open"
    await services.settle_need(staff, need_id, "closed")
    assert (await services.get_need(need_id)).status == "closed"


async def test_a_past_date_a_bad_date_or_an_unknown_plan_are_refused_and_nothing_is_written(db):
    author = await _person()
    form = NeedForm(kind="materials", title="需要绘本", until="2020-01-01", plan_id=987654)
    with pytest.raises(FormInvalid) as refusal:
        await services.post_need(author, form)
    assert set(refusal.value.messages) == {"until", "plan_id"}
    with pytest.raises(FormInvalid, match="YYYY-MM-DD"):
        await services.post_need(author, NeedForm(kind="materials", title="需要绘本", until="明天"))
    assert await Need.count() == 0


async def test_the_list_filters_searches_in_chinese_and_hides_settled_needs(db):
    author = await _person()
    books = await make_need(author, title="社区读书角缺少儿童绘本", kind="materials", description="旧书也可以")
    clean = await make_need(author, title="周六清扫1141弄")
    done = await make_need(author, title="搬沙发下楼")
    await services.settle_need(author, done, "met")
    ids = lambda page: [need.id for need in page.items]  # noqa: E731
    assert ids(await services.list_needs(NeedFilter())) == [clean, books]
    assert ids(await services.list_needs(NeedFilter(q="绘本"))) == [books]
    assert ids(await services.list_needs(NeedFilter(q="旧书"))) == [books]
    assert ids(await services.list_needs(NeedFilter(kind="volunteers"))) == [clean]
    assert ids(await services.list_needs(NeedFilter(status="met"))) == [done]
    assert ids(await services.list_needs(NeedFilter(status="all"))) == [done, clean, books]


async def test_needs_pages_refusals_and_the_api(db, browser_factory):
    author = await _person()
    browser = browser_factory("zh-Hans")
    await browser.log_in("13900000001", TEST_PASSWORD)
    assert (await browser.get("/needs/new")).status_code == 200
    posted = await browser.post(
        "/needs",
        {
            "kind": "materials",
            "title": "社区读书角缺少儿童绘本",
            "quantity": "40",
            "unit": "本",
            "until": days_ahead(30),
        },
    )
    assert posted.status_code == 303
    need_id = (await Need.select(Need.id).first())["id"]
    page = text_of((await browser.get(f"/needs/{need_id}")).text)
    assert "社区读书角缺少儿童绘本" in page and zh("Mark as met") in page
    refused = await browser.post("/needs", {"kind": "materials", "title": "需要绘本", "until": "2020-01-01"}, htmx=True)
    assert refused.status_code == 422 and zh("The last day must be today or later.") in refused.text
    visitor = browser_factory("zh-Hans")
    listing = text_of((await visitor.get("/needs?q=绘本")).text)
    assert "社区读书角缺少儿童绘本" in listing
    assert (await visitor.get("/needs?kind=money")).status_code == 400
    assert (await visitor.post(f"/needs/{need_id}/settle", {"outcome": "met"})).status_code in (401, 403, 303)
    other = browser_factory("zh-Hans")
    await make_person("李先生", "13900000002")
    await other.log_in("13900000002", TEST_PASSWORD)
    assert (await other.post(f"/needs/{need_id}/settle", {"outcome": "met"})).status_code == 403
    assert (await browser.post(f"/needs/{need_id}/settle", {"outcome": "met"})).status_code == 303
    again = await browser.post(f"/needs/{need_id}/settle", {"outcome": "closed"})
    assert again.status_code == 409 and zh("This need is already met or closed.") in again.text
    api = (await visitor.get("/api/needs?status=met")).json()
    assert [item["title"] for item in api["items"]] == ["社区读书角缺少儿童绘本"]
    assert (await visitor.get(f"/api/needs/{need_id}")).json()["status"] == "met"
    assert author


async def test_the_needs_list_takes_a_constant_number_of_statements(db, browser_factory, count_queries):
    author = await _person()
    visitor = browser_factory("zh-Hans")
    await make_need(author, title="第一件需要帮忙的事")
    await visitor.get("/needs")  # plans read once and cached
    await make_need(author, title="第二件需要帮忙的事")
    count_queries.statements.clear()
    assert (await visitor.get("/needs")).status_code == 200
    few = count_queries.count
    for n in range(6):
        await make_need(author, title=f"更多需要帮忙的事{n}")
    count_queries.statements.clear()
    page = await visitor.get("/needs?q=需要")
    assert page.status_code == 200 and page.text.count('class="card" id="need-') == 8
    assert count_queries.count == few


async def test_pledges_count_against_the_need_and_pledgers_hear_when_it_is_met(db, browser_factory):
    from block_service.inbox.tables import InboxEntry
    from block_service.needs.pledging import subject_of
    from block_service.pledges import services as pledge_services
    from block_service.pledges.tables import Pledge

    author = await _person()
    need_id = await make_need(author, title="周六清扫1141弄", quantity=6, unit="人")
    helper = await _person("李先生", "13900000002")
    browser = browser_factory("zh-Hans")
    await browser.log_in("13900000002", TEST_PASSWORD)
    page = await browser.get(f"/needs/{need_id}")
    assert page.status_code == 200 and f'id="pledges-need-{need_id}"' in page.text
    assert 'value="周六清扫1141弄"' in page.text  # the form offers the need's own goal first
    pledged = await browser.post(
        "/pledges", {"subject_kind": "need", "subject_id": str(need_id), "kind": "skill", "item": "周六清扫1141弄"}
    )
    assert pledged.status_code == 303 and pledged.headers["location"] == f"/needs/{need_id}"
    [row] = await pledge_services.progress(subject_of(need_id))
    assert (row.kind, row.item, row.goal, row.promised) == ("skill", "周六清扫1141弄", 6, 1)
    # Only the author (and staff) manage: the helper cannot mark their own pledge delivered.
    pledge_id = (await Pledge.select(Pledge.id).first())["id"]
    assert (await browser.post(f"/pledges/{pledge_id}/delivered")).status_code == 403
    await services.settle_need(author, need_id, "met")
    told = await InboxEntry.select(InboxEntry.person, InboxEntry.kind, InboxEntry.event).where(
        InboxEntry.kind == "need"
    )
    assert told == [{"person": helper.person_id, "kind": "need", "event": "met"}]
    refused = await browser.post(
        "/pledges", {"subject_kind": "need", "subject_id": str(need_id), "kind": "skill", "item": "再来一次"}, htmx=True
    )
    assert refused.status_code == 409 and zh("This no longer takes pledges.") in refused.text
    assert await Pledge.count() == 1
