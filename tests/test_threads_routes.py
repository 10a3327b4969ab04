"""Thread pages through HTTP: the report form with photos, the thread page, fragments, refusals."""

import io

import pytest
from PIL import Image

from block_service.threads.tables import Photo, Thread
from tests.helpers import make_person, make_shop, make_thread, text_of


def _jpeg_with_gps(width: int = 3000, height: int = 2000) -> bytes:
    """A photo as a phone takes it: EXIF with a camera model, an orientation and GPS coordinates."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    exif = Image.Exif()
    exif[0x0110] = "Phone X"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° to show upright
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (31.0, 12.0, 30.0), "E", (121.0, 32.0, 10.0)
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif)
    return output.getvalue()


async def _signed_in(browser_factory, contact, name="王阿姨", roles=("resident",)):
    person = await make_person(name, contact, roles=roles)
    browser = browser_factory()
    await browser.log_in(contact)
    return browser, person


async def _category_id(slug: str) -> int:
    from block_service.threads.categories import list_categories

    return next(c.id for c in await list_categories() if c.slug == slug)


async def _report(browser, files=None, **fields):
    data = {
        "kind": "report",
        "title": "生煎店门口纸箱占道",
        "body": "人行道被堵住了。",
        "category_id": str(await _category_id("pavement")),
        "house_number": "1143号",
        **fields,
    }
    # A browser sends an empty file part when no photo is chosen; so does this.
    files = files or [("photos", ("", b"", "application/octet-stream"))]
    return await browser.client.post(
        "/threads/new", data=data, files=files, headers={"x-csrftoken": await browser.csrf_token()}
    )


async def test_a_photo_with_gps_comes_back_with_no_metadata(browser_factory):
    browser, _ = await _signed_in(browser_factory, "13900000201")
    response = await _report(browser, files=[("photos", ("IMG_0001.jpg", _jpeg_with_gps(), "image/jpeg"))])
    assert response.status_code == 303, response.text[:300]
    photo = await Photo.select(Photo.file_name, Photo.width, Photo.height).first()
    assert (photo["width"], photo["height"]) == (1365, 2048)  # turned upright, then shrunk to 2048 px
    served = await browser.get(f"/photos/{photo['file_name']}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    image = Image.open(io.BytesIO(served.content))
    assert dict(image.getexif()) == {}
    assert b"Phone X" not in served.content and b"GPS" not in served.content


async def test_a_file_that_is_not_a_photo_is_refused_and_leaves_no_thread(browser_factory, settings):
    browser, _ = await _signed_in(browser_factory, "13900000202")
    fake = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"
    response = await _report(browser, files=[("photos", ("cat.jpg", fake, "image/jpeg"))])
    assert response.status_code == 422
    assert "JPEG" in text_of(response.text)
    assert await Thread.count() == 0 and await Photo.count() == 0
    uploads = settings.var_dir / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


async def test_one_bad_photo_among_good_ones_leaves_nothing_behind(browser_factory, settings):
    browser, _ = await _signed_in(browser_factory, "13900000203")
    good = ("photos", ("a.jpg", _jpeg_with_gps(400, 300), "image/jpeg"))
    bad = ("photos", ("b.png", b"\x89PNG\r\n\x1a\nbroken", "image/png"))
    response = await _report(browser, files=[good, bad])
    assert response.status_code == 422
    assert await Thread.count() == 0
    uploads = settings.var_dir / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


async def test_more_than_three_photos_are_refused(browser_factory):
    browser, _ = await _signed_in(browser_factory, "13900000204")
    files = [("photos", (f"{n}.jpg", _jpeg_with_gps(200, 100), "image/jpeg")) for n in range(4)]
    response = await _report(browser, files=files)
    assert response.status_code == 422 and await Thread.count() == 0


async def test_html_in_any_text_field_renders_inert(browser_factory):
    browser, _ = await _signed_in(browser_factory, "13900000205")
    payload = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    response = await _report(browser, title=payload[:80], body=payload)
    assert response.status_code == 303
    thread_id = (await Thread.select(Thread.id).first())["id"]
    await browser.post(f"/threads/{thread_id}/answers", {"body": payload})
    for url in (f"/threads/{thread_id}", "/threads", "/me/threads", "/inbox"):
        page = await browser.get(url)
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, url
    assert "&lt;script&gt;" in (await browser.get(f"/threads/{thread_id}")).text


async def test_a_resident_cannot_change_anothers_thread_or_a_status_they_may_not_set(browser_factory):
    owner, owner_id = await _signed_in(browser_factory, "13900000206")
    other, _ = await _signed_in(browser_factory, "13900000207", name="李大爷")
    thread_id = await make_thread(owner_id)
    for status in ("resolved", "closed", "acknowledged", "rejected"):
        response = await other.post(f"/threads/{thread_id}/status", {"status": status, "reason": "我说了算"})
        assert response.status_code == 403
    own = await owner.post(f"/threads/{thread_id}/status", {"status": "resolved", "reason": "我说了算"})
    assert own.status_code == 403
    assert (await Thread.select(Thread.status).first())["status"] == "new"


async def test_a_status_change_without_a_reason_is_explained(browser_factory):
    staff, _ = await _signed_in(browser_factory, "staff@test.example", name="工作站", roles=("staff",))
    thread_id = await make_thread(await make_person("居民", "13900000208"))
    response = await staff.post(f"/threads/{thread_id}/status", {"status": "acknowledged", "reason": ""})
    assert response.status_code == 422
    assert 'id="e-reason"' in response.text
    assert (await Thread.select(Thread.status).first())["status"] == "new"


async def test_answering_with_htmx_returns_a_fresh_box_and_the_new_answer(browser_factory):
    merchant_id = await make_person("张师傅", "13800000209")
    shop_id = await make_shop(merchant_id)
    thread_id = await make_thread(await make_person("居民", "13900000209"), shop_id=shop_id)
    merchant = browser_factory()
    await merchant.log_in("13800000209")
    empty = await merchant.post(f"/threads/{thread_id}/answers", {"body": ""}, htmx=True)
    assert empty.status_code == 422 and 'id="answer-box"' in empty.text
    response = await merchant.post(f"/threads/{thread_id}/answers", {"body": "今天下午清理"}, htmx=True)
    assert response.status_code == 200
    assert 'id="thread-live"' in response.text and "今天下午清理" in response.text
    page = await merchant.get(f"/threads/{thread_id}")
    assert "官方答复" in text_of(page.text)


async def test_me_too_toggles_with_htmx(browser_factory):
    thread_id = await make_thread(await make_person("居民", "13900000210"))
    neighbour, _ = await _signed_in(browser_factory, "13900000211", name="邻居")
    on = await neighbour.post(f"/threads/{thread_id}/metoo", {"on": "1"}, htmx=True)
    assert on.status_code == 200 and "已关注 ✓ · 1 人遇到同样问题" in text_of(on.text)
    assert "取消“我也遇到”" in text_of(on.text)  # withdrawing: a separate disclosure with its own confirm
    again = await neighbour.post(f"/threads/{thread_id}/metoo", {"on": "1"}, htmx=True)
    assert "1 人遇到" in text_of(again.text)
    off = await neighbour.post(f"/threads/{thread_id}/metoo", {"on": "0"}, htmx=True)
    assert "已关注" not in off.text and ">0<" in off.text and "我也遇到" in off.text


async def test_similar_threads_are_suggested_while_typing(browser_factory):
    shop_id = await make_shop(await make_person("张师傅", "13800000212"))
    existing = await make_thread(await make_person("居民", "13900000212"), shop_id=shop_id)
    writer, _ = await _signed_in(browser_factory, "13900000213", name="邻居")
    response = await writer.get(f"/threads/similar?shop_id={shop_id}&title=纸箱", headers={"hx-request": "true"})
    assert response.status_code == 200 and f"/threads/{existing}" in response.text
    nothing = await writer.get("/threads/similar?title=")
    assert nothing.text.strip() == ""


async def test_the_inbox_shows_unread_answers_in_the_navigation(browser_factory):
    reporter, reporter_id = await _signed_in(browser_factory, "13900000214")
    thread_id = await make_thread(reporter_id)
    staff, _ = await _signed_in(browser_factory, "staff@test.example", name="工作站", roles=("staff",))
    await staff.post(f"/threads/{thread_id}/answers", {"body": "已收到，明天处理。"})
    home = await reporter.get("/")
    assert 'class="badge">1<' in home.text
    inbox = await reporter.get("/inbox")
    assert "工作站" in text_of(inbox.text)
    await reporter.get(f"/threads/{thread_id}")
    assert 'class="badge"' not in (await reporter.get("/")).text


async def test_a_hidden_thread_is_gone_for_the_public_but_not_for_staff(browser_factory):
    reporter_id = await make_person("居民", "13900000215")
    thread_id = await make_thread(reporter_id)
    staff, _ = await _signed_in(browser_factory, "staff@test.example", name="工作站", roles=("staff",))
    hide = await staff.post(f"/staff/moderation/thread/{thread_id}", {"action": "hide", "reason": "含有个人电话"})
    assert hide.status_code == 303
    assert (await browser_factory().get(f"/threads/{thread_id}")).status_code == 404
    assert (await staff.get(f"/threads/{thread_id}")).status_code == 200
    listed = await browser_factory().get("/threads")
    assert f"/threads/{thread_id}" not in listed.text


@pytest.mark.parametrize("size", [1, 5, 20])
async def test_the_thread_list_runs_the_same_number_of_statements_whatever_the_size(browser, count_queries, size):
    reporter = await make_person("居民", "13900000216")
    for number in range(20):
        await make_thread(reporter, title=f"第{number}件 占道问题")
    count_queries.statements.clear()
    response = await browser.get(f"/api/threads?per_page={size}")
    assert len(response.json()["items"]) == size
    assert count_queries.count == 2
    count_queries.statements.clear()
    page = await browser.get("/threads")
    assert page.text.count('class="card thread-card') == 20
    assert count_queries.count <= 5


async def test_a_list_longer_than_the_count_cap_says_more_than_and_still_pages_on(browser, monkeypatch):
    from block_service import pagination

    monkeypatch.setattr(pagination, "COUNT_CAP", 21)
    reporter = await make_person("居民", "13900000218")
    for number in range(23):
        await make_thread(reporter, title=f"第{number}件 占道问题")
    page = text_of((await browser.get("/threads")).text)
    assert "超过 21 条诉求" in page and "第 1 页，共 2 页以上" in page and "下一页" in page
    listed = (await browser.get("/api/threads?per_page=1")).json()
    assert (listed["total"], listed["total_capped"]) == (21, True)
    assert (await browser.get("/api/threads?q=第22件")).json()["total_capped"] is False


async def test_a_thread_page_with_many_answers_runs_a_fixed_number_of_statements(browser, count_queries):
    reporter = await make_person("居民", "13900000217")
    thread_id = await make_thread(reporter)
    from block_service.shops.segments import list_segments
    from block_service.threads.schemas import AnswerForm
    from block_service.threads.workflow import post_answer
    from tests.helpers import viewer_for

    await list_segments()  # the road's segments (the place map) are read once, then cached
    counts = []
    for _round in range(2):
        for _ in range(10):
            await post_answer(viewer_for(reporter, "resident"), thread_id, AnswerForm(body="补充情况"))
        count_queries.statements.clear()
        assert (await browser.get(f"/threads/{thread_id}")).status_code == 200
        counts.append(count_queries.count)
    assert counts[0] == counts[1]


async def test_the_shop_page_lists_the_threads_about_it(browser_factory):
    shop_id = await make_shop(await make_person("张师傅", "13800000218"))
    await make_thread(await make_person("居民", "13900000218"), shop_id=shop_id, title="门口油烟很大")
    page = await browser_factory().get(f"/shops/{shop_id}")
    assert "门口油烟很大" in text_of(page.text)


async def test_staff_fill_an_answer_from_a_prepared_template(browser_factory):
    staff, _ = await _signed_in(browser_factory, "staff@test.example", name="工作站", roles=("staff",))
    thread_id = await make_thread(await make_person("居民", "13900000219"))
    from block_service.threads.categories import list_response_templates

    template = (await list_response_templates(await _category_id("pavement")))[0]
    page = await staff.get(f"/threads/{thread_id}")
    assert f"/staff/templates/{template.id}/answer" in page.text
    box = await staff.get(f"/staff/templates/{template.id}/answer", headers={"hx-request": "true"})
    assert 'id="answer-box"' in box.text and "门前三包" in box.text


async def test_an_outsider_gets_the_404_of_no_thread_from_every_action_on_a_group_thread(browser_factory):
    """Outsiders of a group thread cannot flag it, mute it or flag its messages: the 404 of no thread."""
    from block_service.groups.membership import group_ids_of
    from block_service.threads import opening, workflow
    from block_service.threads.schemas import AnswerForm
    from block_service.threads.tables import Flag, Mute
    from tests.helpers import viewer_for

    merchant = await make_person("张师傅", "13800000601")
    shop = await make_shop(merchant)
    member = viewer_for(merchant, "resident", "merchant", shops=(shop,))
    group_id = next(iter(await group_ids_of(member)))
    secret = await opening.open_group_thread(member, group_id, "组内商量", "只给组里看")
    message_id = await workflow.post_answer(member, secret, AnswerForm(body="组内回复"))
    outsider, _ = await _signed_in(browser_factory, "13900000601", name="外人")
    for action, data in (
        ("flag", {"reason": "看看"}),
        ("mute", {"muted": "1"}),
        ("metoo", {"on": "1"}),
        ("answers", {"body": "外人"}),
        ("status", {"status": "closed", "reason": "x"}),
        ("evaluation", {"fixed": "yes", "score": "5"}),
    ):
        inside = await outsider.post(f"/threads/{secret}/{action}", data)
        nowhere = await outsider.post(f"/threads/{secret + 1000}/{action}", data)
        assert inside.status_code == nowhere.status_code == 404, action
        assert text_of(inside.text) == text_of(nowhere.text), action
    for url in (
        f"/threads/{secret}",
        f"/threads/{secret}/messages",
        f"/threads/{secret}/events",
        f"/api/threads/{secret}",
    ):
        assert (await outsider.get(url)).status_code == 404, url
    inside = await outsider.post(f"/messages/{message_id}/flag", {"reason": "看看"})
    nowhere = await outsider.post(f"/messages/{message_id + 1000}/flag", {"reason": "看看"})
    assert inside.status_code == nowhere.status_code == 404
    assert text_of(inside.text) == text_of(nowhere.text)
    assert not await Flag.exists() and not await Mute.exists()


@pytest.mark.parametrize(
    ("language", "rule", "merchants_rule"),
    [
        ("zh-Hans", "同一内容被3位注册满7天的用户举报后", "被反映店铺的商户的举报不计入自动隐藏"),
        ("en", "once 3 people whose accounts are at least 7 days old have flagged it", "never count toward hiding it"),
    ],
)
async def test_the_auto_hiding_rule_is_stated_where_people_flag_and_where_staff_moderate(
    browser_factory, language, rule, merchants_rule
):
    resident = await make_person("王阿姨", "13900000701")
    thread_id = await make_thread(resident)
    await make_person("李大爷", "13900000702")
    neighbour = browser_factory(language)
    await neighbour.log_in("13900000702")
    await neighbour.post("/language", {"language": language, "next": "/"})
    assert rule in text_of((await neighbour.get(f"/threads/{thread_id}")).text)
    await make_person("工作站", "staff@test.example", roles=("staff",))
    staff = browser_factory(language)
    await staff.log_in("staff@test.example")
    await staff.post("/language", {"language": language, "next": "/"})
    page = text_of((await staff.get("/staff/moderation")).text)
    assert rule in page and merchants_rule in page


async def test_the_flag_and_moderate_forms_render_where_residents_and_staff_use_them(browser_factory):
    resident = await make_person("王阿姨", "13900000711")
    thread_id = await make_thread(resident)
    await make_person("李大爷", "13900000712")
    neighbour = browser_factory("zh-Hans")
    await neighbour.log_in("13900000712")
    page = (await neighbour.get(f"/threads/{thread_id}")).text
    assert f'action="/threads/{thread_id}/flag"' in page and 'id="flag-reason"' in page
    assert "/staff/moderation/" not in page
    flagged = await neighbour.post(f"/threads/{thread_id}/flag", {"reason": "含有电话号码"})
    assert flagged.status_code < 400
    await make_person("工作站", "staff@test.example", roles=("staff",))
    staff = browser_factory("zh-Hans")
    await staff.log_in("staff@test.example")
    page = (await staff.get(f"/threads/{thread_id}")).text
    assert f'action="/staff/moderation/thread/{thread_id}"' in page and 'id="moderate-reason"' in page
    queue = (await staff.get("/staff/moderation")).text
    assert f'id="reason-thread-{thread_id}"' in queue and 'value="hide"' in queue
