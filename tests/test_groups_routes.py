"""Group pages through HTTP: the list with its strip of the road, a group's page, my groups, leaders."""

from block_service.groups import services
from block_service.shops.segments import list_segments
from tests.council_helpers import merchant, shop_of, staff_viewer, zh, zh_plural
from tests.helpers import TEST_PASSWORD, make_person, text_of


async def _browser_for(browser_factory, contact: str):
    browser = browser_factory()
    await browser.log_in(contact, TEST_PASSWORD)
    return browser


async def _group_id(slug: str) -> int:
    return next(group.id for group in await services.list_groups() if group.slug == slug)


async def test_everyone_sees_the_groups_with_a_strip_of_the_road(db, browser_factory):
    await merchant("张师傅", "1143号", "老张生煎")
    page = await browser_factory().get("/groups")
    assert page.status_code == 200 and "<svg" in page.text
    text = text_of(page.text)
    assert zh("Regional groups") in text and zh("Industry groups") in text
    assert "1141弄节点" in text and "餐饮" in text and "教育培训" in text
    assert 'href="/groups/region-lane-1141"' in page.text and 'href="/groups/industry-catering"' in page.text


async def test_a_regional_groups_page_draws_its_shops_on_the_road_and_hides_names_from_visitors(db, browser_factory):
    await merchant("张师傅", "1143号", "老张生煎", contact="13800000001")
    await merchant("陈经理", "1152号", "好邻居便利店", contact="13800000002")
    await make_person("居民", "13900000001")
    visitor = await browser_factory().get("/groups/region-lane-1141")
    assert visitor.status_code == 200 and "<circle" in visitor.text
    text = text_of(visitor.text)
    assert "老张生煎" in text and "好邻居便利店" in text
    assert "张师傅" not in text and "陈经理" not in text  # merchants' names are not public
    assert 'data-section="group-discussion"' not in visitor.text
    resident = await (await _browser_for(browser_factory, "13900000001")).get("/groups/region-lane-1141")
    assert "张师傅" not in text_of(resident.text) and 'data-section="group-discussion"' not in resident.text
    member = await (await _browser_for(browser_factory, "13800000001")).get("/groups/region-lane-1141")
    assert "张师傅" in text_of(member.text) and "陈经理" in text_of(member.text)
    assert 'data-section="group-discussion"' in member.text and 'id="leader-form"' in member.text
    # An industry group has no strip map; the same page otherwise.
    industry = await browser_factory().get("/groups/industry-catering")
    assert industry.status_code == 200 and "<circle" not in industry.text and "老张生煎" in text_of(industry.text)


async def test_unknown_groups_are_not_found(db, browser_factory):
    browser = browser_factory()
    assert (await browser.get("/groups/region-nowhere")).status_code == 404
    assert (await browser.get("/groups/9999")).status_code == 404
    assert (await browser.get("/api/groups/9999")).status_code == 404


async def test_a_merchant_finds_their_groups_from_the_navigation(db, browser_factory):
    await merchant("张师傅", "1143号", "老张生煎", contact="13800000001")
    browser = await _browser_for(browser_factory, "13800000001")
    home = await browser.get("/")
    assert 'data-nav="my-groups"' in home.text
    mine = text_of((await browser.get("/me/groups")).text)
    assert "1141弄节点" in mine and "餐饮" in mine and "老张生煎" in mine and "北段" not in mine
    await make_person("居民", "13900000001")
    resident = await _browser_for(browser_factory, "13900000001")
    assert 'data-nav="my-groups"' not in (await resident.get("/")).text
    assert (await resident.get("/me/groups")).status_code == 403


async def test_shops_back_a_leader_and_a_bad_choice_comes_back_in_the_form(db, browser_factory):
    zhang = await merchant("张师傅", "1143号", "老张生煎", contact="13800000001")
    chen = await merchant("陈经理", "1152号", "好邻居便利店", contact="13800000002")
    li = await merchant("李老板", "1021号", "凌岩水果店", contact="13800000003")
    group = await _group_id("region-lane-1141")
    browser = await _browser_for(browser_factory, "13800000001")
    wrong = await browser.post(
        f"/groups/{group}/leader", {"shop_id": str(shop_of(zhang)), "candidate_id": str(li.person_id)}, htmx=True
    )
    assert wrong.status_code == 422 and wrong.text.lstrip().startswith("<form")
    assert zh("A group's leader must act for one of the group's open shops.") in text_of(wrong.text)
    ok = await browser.post(
        f"/groups/{group}/leader", {"shop_id": str(shop_of(zhang)), "candidate_id": str(zhang.person_id)}, htmx=True
    )
    assert ok.headers["hx-redirect"] == "/groups/region-lane-1141"
    neighbour = await _browser_for(browser_factory, "13800000002")
    page = await neighbour.get("/groups/region-lane-1141")
    assert f"张师傅：{zh_plural('%(num)s shop', '%(num)s shops', 1)}" in text_of(page.text)
    foreign = await neighbour.post(
        f"/groups/{group}/leader", {"shop_id": str(shop_of(zhang)), "candidate_id": str(zhang.person_id)}
    )
    assert foreign.status_code == 403
    backed = await neighbour.post(
        f"/groups/{group}/leader", {"shop_id": str(shop_of(chen)), "candidate_id": str(zhang.person_id)}
    )
    assert backed.status_code == 303
    public = text_of((await browser_factory().get("/groups/region-lane-1141")).text)
    assert zh("chosen by the group's shops") in public and "张师傅" not in public  # leader shown by shop


async def test_staff_appoint_a_leader_on_the_group_page(db, browser_factory):
    await merchant("张师傅", "1143号", "老张生煎")
    chen = await merchant("陈经理", "1152号", "好邻居便利店")
    await staff_viewer("staff@test.example")
    staff = await _browser_for(browser_factory, "staff@test.example")
    group = await _group_id("region-lane-1141")
    page = await staff.get("/groups/region-lane-1141")
    assert 'id="appoint-form"' in page.text and 'data-section="group-discussion"' in page.text
    empty = await staff.post(f"/staff/groups/{group}/leader", {"person_id": ""}, htmx=True)
    assert empty.status_code == 422 and empty.text.lstrip().startswith("<form")
    done = await staff.post(f"/staff/groups/{group}/leader", {"person_id": str(chen.person_id)})
    assert done.status_code == 303
    text = text_of((await staff.get("/groups/region-lane-1141")).text)
    assert "陈经理" in text and zh("appointed by the workstation") in text
    assert (await staff.post(f"/staff/groups/{group}/leader/clear")).status_code == 303
    assert (await staff.post(f"/staff/groups/{group}/leader/clear")).status_code == 409


async def test_the_groups_api_lists_groups_and_a_groups_shops(db, browser_factory):
    await merchant("张师傅", "1143号", "老张生煎")
    groups = (await browser_factory().get("/api/groups")).json()
    node = next(group for group in groups if group["slug"] == "region-lane-1141")
    assert (node["kind"], node["open_shops"], node["first_number"]) == ("regional", 1, 1140)
    detail = (await browser_factory().get("/api/groups/region-lane-1141")).json()
    assert [shop["name"] for shop in detail["shops"]["items"]] == ["老张生煎"]
    assert detail["shops"]["items"][0]["merchants"] == []  # no names for visitors


async def test_group_pages_take_a_constant_number_of_statements(db, browser_factory, count_queries):
    await merchant("张师傅", "1143号", "老张生煎")
    browser = browser_factory()
    count_queries.statements.clear()
    await browser.get("/groups/region-lane-1141")
    one_shop = count_queries.count
    await list_segments()  # the road's segments (the strip map's bands) are read once, then cached
    count_queries.statements.clear()
    await browser.get("/groups")
    list_one = count_queries.count
    for index in range(7):
        await merchant(f"店主{index}", f"{1142 + index * 2}号", f"节点店{index}")
    count_queries.statements.clear()
    await browser.get("/groups/region-lane-1141")
    assert count_queries.count == one_shop
    count_queries.statements.clear()
    await browser.get("/groups")
    assert count_queries.count == list_one
