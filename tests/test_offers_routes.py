"""Offer pages and JSON through HTTP: the list and "open now", publishing and its refusals in the person's
language, thanks once a month, a report that opens a thread, the shop's page, staff's kinds, the API."""

import pytest

from block_service.offers.tables import Offer, OfferThanks
from block_service.shops.tables import Shop
from block_service.web.shared_pages import forget_all
from tests.council_helpers import zh
from tests.helpers import TEST_PASSWORD, make_person, make_shop, text_of, viewer_for
from tests.offer_helpers import fix_clock, kind_id, make_offer


@pytest.fixture
async def people(db, browser_factory):
    zhang = await make_person("张师傅", "13800000001")
    li = await make_person("李老板", "13800000002")
    own = await make_shop(zhang, name="老张生煎", house_number="1143号")
    other = await make_shop(li, name="凌岩水果店", house_number="1021号")
    await make_person("王阿姨", "13900000001")
    browsers = {}
    for name, contact in (("zhang", "13800000001"), ("resident", "13900000001")):
        browsers[name] = browser_factory("zh-Hans")
        await browsers[name].log_in(contact, TEST_PASSWORD)
    return {
        "zhang": viewer_for(zhang, "resident", "merchant", shops=(own,)),
        "li": viewer_for(li, "resident", "merchant", shops=(other,)),
        "own": own,
        "other": other,
        "browsers": browsers,
    }


def _form(shop_id, kind, **fields):
    data = {"shop_id": str(shop_id), "kind_id": str(kind), "description": "免费温开水", "valid_until": "2027-06-30"}
    data.update({f"hours_{day}": "" for day in range(7)})
    data.update(fields)
    return data


async def test_the_list_shows_offers_open_now_in_beijing_time(people, browser_factory, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 23:30")  # Sunday night
    await make_offer(people["zhang"], people["own"], hours_6="22:00-次日02:00", description="夜里也有热水")
    await make_offer(people["li"], people["other"], slug="toilet", every_day="08:00-20:00", description="卫生间可借用")
    visitor = browser_factory("zh-Hans")
    page = await visitor.get("/offers")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "夜里也有热水" in text and "卫生间可借用" in text and zh("Open now") in text
    open_now = await visitor.get("/offers?open_now=1", headers={"hx-request": "true"})
    assert open_now.status_code == 200 and "<html" not in open_now.text
    assert "夜里也有热水" in open_now.text and "卫生间可借用" not in open_now.text
    toilets = text_of((await visitor.get(f"/offers?kind={await kind_id('toilet')}")).text)
    assert "卫生间可借用" in toilets and "夜里也有热水" not in toilets
    assert (await visitor.get("/offers?kind=abc")).status_code == 400
    api = (await visitor.get("/api/offers?open_now=1")).json()
    assert [item["description"] for item in api["items"]] == ["夜里也有热水"]
    assert api["items"][0]["open_now"] is True and api["items"][0]["hours"] == [
        {"weekday": 6, "opens": 1320, "closes": 1560}
    ]
    schema = (await visitor.get("/schema/openapi.json")).json()
    assert "/api/offers" in schema["paths"] and "/api/needs" in schema["paths"]


async def test_the_list_takes_a_constant_number_of_statements(people, browser_factory, count_queries, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 10:00")
    await make_offer(people["zhang"], people["own"], every_day="09:00-21:00")
    visitor = browser_factory("zh-Hans")
    await visitor.get("/offers")  # reference data (kinds, segments) read once and cached
    for url in ("/offers", "/offers?open_now=1"):
        await make_offer(people["zhang"], people["own"], slug="umbrella", every_day="09:00-21:00")  # a fresh render
        count_queries.statements.clear()
        assert (await visitor.get(url)).status_code == 200
        few = count_queries.count
        for slug in ("toilet", "seat", "wifi") if url == "/offers" else ("first-aid", "other"):
            await make_offer(people["zhang"], people["own"], slug=slug, every_day="09:00-12:00, 13:00-21:00")
        count_queries.statements.clear()
        page = await visitor.get(url)
        assert page.status_code == 200 and page.text.count('class="card" id="offer-') >= 4
        assert count_queries.count == few, url


async def test_a_merchant_publishes_an_offer_and_it_shows_on_the_shops_page(people, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 10:00")
    merchant = people["browsers"]["zhang"]
    form_page = await merchant.get(f"/offers/new?shop={people['own']}")
    assert form_page.status_code == 200 and "老张生煎" in form_page.text
    response = await merchant.post("/offers", _form(people["own"], await kind_id(), hours_6="09:00-21:00"))
    assert response.status_code == 303
    offer_id = (await Offer.select(Offer.id).first())["id"]
    assert response.headers["location"] == f"/offers/{offer_id}"
    shop_page = text_of((await merchant.get(f"/shops/{people['own']}")).text)
    assert zh("What this shop offers the community") in shop_page and "饮用水" in shop_page


async def test_refusals_are_clear_in_chinese_and_change_nothing(people, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 10:00")
    merchant = people["browsers"]["zhang"]
    kind = await kind_id()
    not_mine = await merchant.post("/offers", _form(people["other"], kind, hours_0="09:00-21:00"), htmx=True)
    assert not_mine.status_code == 403
    assert zh("You may publish offers only for a shop you act for.") in not_mine.text
    overlap = await merchant.post("/offers", _form(people["own"], kind, hours_0="09:00-12:00, 11:00-13:00"), htmx=True)
    assert overlap.status_code == 422
    assert zh("These hours overlap other hours of the week (counting ranges past midnight).") in overlap.text
    assert 'id="error-summary"' in overlap.text
    backwards = await merchant.post("/offers", _form(people["own"], kind, hours_2="21:00-09:00"))
    assert backwards.status_code == 422
    assert "次日" in text_of(backwards.text)
    assert await Offer.count() == 0


async def test_a_resident_thanks_once_a_month_and_can_report_an_offer_not_honoured(people, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 10:00")
    offer_id = await make_offer(people["zhang"], people["own"], every_day="09:00-21:00")
    resident = people["browsers"]["resident"]
    page = await resident.get(f"/offers/{offer_id}")
    assert zh("Thank you, I used it") in page.text
    thanked = await resident.post(f"/offers/{offer_id}/thanks", htmx=True)
    assert thanked.status_code == 200 and zh("Thank you! The shop will hear of it.") in thanked.text
    again = await resident.post(f"/offers/{offer_id}/thanks", htmx=True)
    assert again.status_code == 409
    assert zh("You already thanked this shop for this offer this month.") in again.text
    assert await OfferThanks.count() == 1
    assert zh("You thanked this shop for this offer this month.") in (await resident.get(f"/offers/{offer_id}")).text
    short = await resident.post(f"/offers/{offer_id}/report", {"body": "没"})
    assert short.status_code == 422
    report = await resident.post(f"/offers/{offer_id}/report", {"body": "店员说今天不提供热水"})
    assert report.status_code == 303 and report.headers["location"].startswith("/threads/")
    thread_page = text_of((await resident.get(report.headers["location"])).text)
    assert "店员说今天不提供热水" in thread_page and "老张生煎" in thread_page


async def test_the_merchant_changes_and_withdraws_their_offer_others_may_not(people, browser_factory, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 10:00")
    offer_id = await make_offer(people["zhang"], people["own"], every_day="09:00-21:00")
    resident = people["browsers"]["resident"]
    assert (await resident.get(f"/offers/{offer_id}/edit")).status_code == 403
    assert (await resident.post(f"/offers/{offer_id}/withdraw")).status_code == 403
    merchant = people["browsers"]["zhang"]
    edit = await merchant.get(f"/offers/{offer_id}/edit")
    assert edit.status_code == 200 and "09:00-21:00" in edit.text
    saved = await merchant.post(
        f"/offers/{offer_id}/edit", _form(people["own"], await kind_id(), hours_4="22:00-次日02:00")
    )
    assert saved.status_code == 303
    assert (await merchant.post(f"/offers/{offer_id}/withdraw")).status_code == 303
    assert (await Offer.select(Offer.status).first())["status"] == "withdrawn"
    assert "免费提供温开水" not in (await browser_factory("zh-Hans").get("/offers")).text


async def test_staff_edit_the_kinds(people, browser_factory):
    await make_person("工作站", "staff@test.example", roles=("staff",))
    staff = browser_factory("zh-Hans")
    await staff.log_in("staff@test.example", TEST_PASSWORD)
    assert (await staff.get("/staff/offer-kinds")).status_code == 200
    created = await staff.post(
        "/staff/offer-kinds", {"slug": "hot-water", "name_zh": "热水", "name_en": "Hot water", "active": "1"}
    )
    assert created.status_code == 303
    duplicate = await staff.post("/staff/offer-kinds", {"slug": "toilet", "name_zh": "厕所", "name_en": "Toilet"})
    assert duplicate.status_code == 422 and zh("This code is already used.") in duplicate.text
    assert (await people["browsers"]["resident"].get("/staff/offer-kinds")).status_code == 403


async def test_listed_offers_are_markers_on_the_road_map_withdrawn_ones_are_not(people, browser_factory, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 10:00")
    offer_id = await make_offer(people["zhang"], people["own"], every_day="09:00-21:00")
    visitor = browser_factory("zh-Hans")
    segment_id = (await Shop.select(Shop.segment).where(Shop.id == people["own"]).first())["segment"]
    panel = await visitor.get(f"/road/{segment_id}", headers={"HX-Request": "true"})
    assert panel.status_code == 200
    assert f'href="/offers/{offer_id}"' in panel.text and "饮用水 · 老张生煎" in text_of(panel.text)
    assert 'class="marker kind-offer' in (await visitor.get(f"/road/{segment_id}")).text
    await Offer.update({Offer.status: "withdrawn"}).where(Offer.id == offer_id)
    forget_all()
    assert f'href="/offers/{offer_id}"' not in (await visitor.get(f"/road/{segment_id}")).text
