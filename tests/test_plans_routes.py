"""Plan and proposal pages, fragments and JSON: what a visitor, a resident and staff see and can do."""

import io

from PIL import Image

from block_service.plans import proposals
from block_service.plans.supports import set_support
from block_service.plans.tables import Proposal, Support
from block_service.web.shared_pages import forget_all
from tests.council_helpers import merchant, staff_viewer, zh
from tests.helpers import make_person, make_thread, text_of, viewer_for
from tests.plans_helpers import age, file, zh_status


def _jpeg() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 140, 200)).save(output, "JPEG")
    return output.getvalue()


async def _signed_in(browser_factory, name: str, contact: str, roles=("resident",)):
    person = await make_person(name, contact, roles=roles)
    await age(person)
    browser = browser_factory()
    await browser.log_in(contact)
    return viewer_for(person, *roles), browser


async def test_the_plans_page_shows_six_cards_and_a_plan_its_sections(db, browser_factory):
    visitor = browser_factory()
    response = await visitor.get("/plans")
    assert response.status_code == 200
    text = text_of(response.text)
    for name in ("环境共治", "平安共护", "商业共兴", "邻里共融", "服务共享", "文化共建"):
        assert name in text
    assert zh("Open proposals") in text and zh("Upcoming meetings") in text
    page = await visitor.get("/plans/environment")
    assert page.status_code == 200
    for section in ("proposals", "motions", "meetings", "reports", "projects"):
        assert f'data-section="{section}"' in page.text
    assert "垃圾堆放" in text_of(page.text)
    assert (await visitor.get("/plans/no-such-plan")).status_code == 404
    assert (await visitor.get("/plans/NOT%20A%20SLUG")).status_code == 400


async def test_a_resident_files_a_proposal_from_a_thread_with_photos_and_both_pages_link(db, browser_factory):
    resident, browser = await _signed_in(browser_factory, "王先生", "13900000001")
    thread_id = await make_thread(resident.person_id, category="garbage", title="垃圾桶满了没人清")
    form = await browser.get(f"/proposals/new?from_thread={thread_id}")
    assert form.status_code == 200
    assert "垃圾桶满了没人清" in form.text and 'name="thread_ids"' in form.text
    response = await browser.post(
        "/proposals/new",
        {
            "plan_id": "1",
            "title": "增加一个垃圾桶",
            "body": "1143号门口垃圾桶每天都满，建议增加一个并加一次清运。",
            "house_number": "1143号",
            "size": "mini",
            "cost_yuan": "800",
            "thread_ids": str(thread_id),
        },
        files={"photos": ("p.jpg", _jpeg(), "image/jpeg")},
    )
    assert response.status_code == 303, [line for line in response.text.splitlines() if "error" in line]
    url = response.headers["location"]
    page = await browser.get(url)
    text = text_of(page.text)
    assert "增加一个垃圾桶" in text and "垃圾桶满了没人清" in text and zh_status("submitted") in text
    assert '<img src="/photos/' in page.text
    assert 'data-section="chain"' in page.text
    thread_page = await browser_factory().get(f"/threads/{thread_id}")
    assert url in thread_page.text and "增加一个垃圾桶" in thread_page.text


async def test_a_refused_form_comes_back_with_its_errors_and_nothing_written(db, browser_factory):
    _resident, browser = await _signed_in(browser_factory, "王先生", "13900000001")
    no_photo = [("photos", ("", b"", "application/octet-stream"))]  # what a browser sends when none is chosen
    response = await browser.post(
        "/proposals/new", {"plan_id": "1", "title": "短", "body": "太短"}, htmx=True, files=no_photo
    )
    assert response.status_code == 422
    assert (
        'id="proposal-form"' in response.text and zh("Enter at least %(count)s characters.", count=4) in response.text
    )
    assert await Proposal.count() == 0


async def test_support_toggles_through_htmx_and_twice_is_a_conflict(db, browser_factory):
    author = viewer_for(await make_person("作者"), "resident")
    proposal_id = await file(author)
    _supporter, browser = await _signed_in(browser_factory, "林阿姨", "13900000002")
    response = await browser.post(f"/proposals/{proposal_id}/support", {"on": "1"}, htmx=True)
    assert response.status_code == 200 and 'id="support"' in response.text
    assert zh("Take back my support") in response.text
    again = await browser.post(f"/proposals/{proposal_id}/support", {"on": "1"}, htmx=True)
    assert again.status_code == 409 and await Support.count() == 1
    off = await browser.post(f"/proposals/{proposal_id}/support", {"on": "0"}, htmx=True)
    assert off.status_code == 200 and zh("I support this") in off.text and await Support.count() == 0


async def test_staff_accept_with_a_reason_and_a_resident_may_not(db, browser_factory):
    author = viewer_for(await make_person("作者"), "resident")
    proposal_id = await file(author)
    _resident, resident_browser = await _signed_in(browser_factory, "林阿姨", "13900000002")
    refused = await resident_browser.post(f"/proposals/{proposal_id}/steps", {"step": "accept", "reason": "我觉得行"})
    assert refused.status_code == 403
    await staff_viewer("staff@test.example")
    staff_browser = browser_factory()
    await staff_browser.log_in("staff@test.example")
    ready = await staff_browser.get("/staff/proposals/ready")
    assert ready.status_code == 200
    no_reason = await staff_browser.post(f"/proposals/{proposal_id}/steps", {"step": "accept", "reason": ""})
    assert no_reason.status_code == 422
    done = await staff_browser.post(f"/proposals/{proposal_id}/steps", {"step": "accept", "reason": "支持者够了"})
    assert done.status_code == 303
    page = text_of((await browser_factory().get(f"/proposals/{proposal_id}")).text)
    assert zh_status("deliberation") in page and "支持者够了" in page
    assert zh("Submitted") in page  # the chain keeps every step


async def test_lists_and_json_filter_and_hide_drafts(db, browser_factory):
    author = viewer_for(await make_person("作者"), "resident")
    await file(author, title="夜市摊位规范", plan="business")
    draft = await file(author, title="草稿里的想法", submit=False)
    visitor = browser_factory()
    listing = await visitor.get("/proposals?q=夜市")
    assert "夜市摊位规范" in listing.text and "草稿里的想法" not in listing.text
    fragment = await visitor.get("/proposals?sort=supports", headers={"hx-request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert (await visitor.get(f"/proposals/{draft}")).status_code == 404
    api = (await visitor.get("/api/proposals?status=submitted")).json()
    assert [item["title"] for item in api["items"]] == ["夜市摊位规范"]
    one = (await visitor.get(f"/api/proposals/{api['items'][0]['id']}")).json()
    assert one["proposal"]["plan_slug"] == "business" and one["allowed_steps"] == []
    assert (await visitor.get(f"/api/proposals/{draft}")).status_code == 404
    plans = (await visitor.get("/api/plans")).json()
    assert [card["plan"]["slug"] for card in plans][:2] == ["environment", "safety"]
    business = (await visitor.get("/api/plans/business")).json()
    assert business["proposals"]["total"] == 1


async def test_staff_edit_reorder_and_archive_plans(db, browser_factory):
    await staff_viewer("staff@test.example")
    browser = browser_factory()
    await browser.log_in("staff@test.example")
    assert (await browser.get("/staff/plans")).status_code == 200
    saved = await browser.post(
        "/staff/plans/culture",
        {"name_zh": "文化共建行动", "name_en": "Culture", "people_threshold": "5", "shop_threshold": "2"},
    )
    assert saved.status_code == 303
    moved = await browser.post("/staff/plans/culture/move", {"direction": "up"})
    assert moved.status_code == 303
    archived = await browser.post("/staff/plans/culture/archive", {"action": "archive", "reason": "并入其他计划"})
    assert archived.status_code == 303
    cards = text_of((await browser_factory().get("/plans")).text)
    assert "文化共建行动" not in cards
    bad = await browser.post("/staff/plans/culture", {"name_zh": "", "name_en": "Culture"})
    assert bad.status_code == 422


async def test_the_lists_take_a_constant_number_of_statements(db, browser_factory, count_queries):
    author = viewer_for(await make_person("作者"), "resident")
    first = await file(author)
    _reader, reader = await _signed_in(browser_factory, "读者", "13900000009")
    pages = ("/proposals", "/plans", "/plans/safety", f"/proposals/{first}")
    before = {}
    for url in pages:
        await reader.get(url)
        forget_all()  # measure the page as rendered, not its kept body
        count_queries.statements.clear()
        assert (await reader.get(url)).status_code == 200
        before[url] = count_queries.count
    shop_merchant = await merchant("张师傅", "1143号")
    for index in range(8):
        proposal_id = await file(shop_merchant if index % 2 else author, title=f"第{index}个提议内容", plan="safety")
        await proposals.link_thread(author, first, await make_thread(author.person_id, title=f"第{index}条反映"))
        await set_support(viewer_for(await make_person(f"支持者{index}"), "resident"), first, True)
        await set_support(shop_merchant, proposal_id, True)
    after = {}
    for url in pages:
        forget_all()
        count_queries.statements.clear()
        assert (await reader.get(url)).status_code == 200
        after[url] = count_queries.count
    assert after == before


async def test_a_kept_proposal_page_is_each_persons_own_and_a_support_is_seen_at_once(db, browser_factory):
    author = viewer_for(await make_person("作者"), "resident")
    proposal_id = await file(author)
    _lin, lin = await _signed_in(browser_factory, "林阿姨", "13900000002")
    _wang, wang = await _signed_in(browser_factory, "王先生", "13900000003")
    for browser in (lin, wang):  # rendered, then kept for each of them
        assert zh("I support this") in (await browser.get(f"/proposals/{proposal_id}")).text
    await lin.post(f"/proposals/{proposal_id}/support", {"on": "1"})
    mine = (await lin.get(f"/proposals/{proposal_id}")).text
    assert zh("Take back my support") in mine and "林阿姨" in mine
    theirs = (await wang.get(f"/proposals/{proposal_id}")).text
    assert zh("I support this") in theirs and zh("Take back my support") not in theirs
    assert "林阿姨" not in theirs.split("<main", 1)[0]  # the shell around the kept body is 王先生's own
