"""Kept page bodies for the signed in: the shell is theirs, the body is kept per audience and never stale."""

from __future__ import annotations

from block_service.accounts.schemas import Viewer
from block_service.threads.schemas import AnswerForm
from block_service.threads.workflow import post_answer
from block_service.web import shared_pages
from block_service.web.shared_pages import PLACEHOLDER
from tests.council_helpers import merchant
from tests.helpers import TEST_PASSWORD, make_person, make_thread, text_of, viewer_for
from tests.test_shared_pages import caught_up, following_changes


async def _signed_in(browser_factory, contact: str):
    browser = browser_factory()
    response = await browser.log_in(contact, TEST_PASSWORD)
    assert response.status_code in (200, 303), response.text
    return browser


async def test_a_kept_thread_page_is_the_readers_own_and_shows_a_new_answer_at_once(browser_factory, count_queries):
    async with following_changes():
        author = await make_person("王阿姨", "13900000401")
        await make_person("李师傅", "13900000402")
        thread_id = await make_thread(author)
        await caught_up()
        wang = await _signed_in(browser_factory, "13900000401")
        li = await _signed_in(browser_factory, "13900000402")
        first = await wang.get(f"/threads/{thread_id}")
        assert first.status_code == 200 and "王阿姨" in text_of(first.text)
        count_queries.statements.clear()
        again = await wang.get(f"/threads/{thread_id}")
        # The person is loaded for the navigation; the thread itself is not read again.
        assert again.status_code == 200 and count_queries.count <= 1, count_queries.statements
        assert text_of(again.text) == text_of(first.text)
        # Another reader gets their own page: their name, their "me too" button (the author has none).
        other = await li.get(f"/threads/{thread_id}")
        assert "李师傅" in text_of(other.text) and "王阿姨 ·" not in text_of(other.text)
        assert 'id="metoo-' in other.text and 'id="metoo-' not in first.text
        # A change is seen at once by both.
        await post_answer(viewer_for(author, "resident"), thread_id, AnswerForm(body="纸箱还在门口"))
        await caught_up()
        for browser in (wang, li):
            assert "纸箱还在门口" in (await browser.get(f"/threads/{thread_id}")).text


async def test_every_signed_in_response_carries_its_own_csrf_token_and_flash(browser_factory):
    async with following_changes():
        await make_person("王阿姨", "13900000411")
        await make_person("李师傅", "13900000412")
        wang = await _signed_in(browser_factory, "13900000411")
        li = await _signed_in(browser_factory, "13900000412")
        pages = [await browser.get("/shops") for browser in (wang, li)]
        tokens = [browser.client.cookies.get("__Host-block_csrf") for browser in (wang, li)]
        assert tokens[0] != tokens[1]
        for page, token, other in zip(pages, tokens, reversed(tokens), strict=True):
            assert token in page.text and other not in page.text and PLACEHOLDER not in page.text
        # A flash message is part of the shell: shown once, on a kept body.
        saved = await wang.post("/privacy/accept", {"next": "/shops"})
        assert saved.status_code in (200, 303)
        flashed = await wang.get("/shops")
        assert "flash-success" in flashed.text
        assert "flash-success" not in (await wang.get("/shops")).text


async def test_bodies_kept_by_role_are_not_shown_to_other_roles(browser_factory):
    async with following_changes():
        await merchant("张师傅", "1143号", "老张生煎", contact="13800000421")
        await make_person("居民", "13900000421")
        resident = await _signed_in(browser_factory, "13900000421")
        member = await _signed_in(browser_factory, "13800000421")
        for _ in range(2):  # the second time from what was kept
            assert "张师傅" not in text_of((await resident.get("/groups/region-lane-1141")).text)
            assert "张师傅" in text_of((await member.get("/groups/region-lane-1141")).text)
            assert 'data-nav="merchant"' not in (await resident.get("/shops")).text
            assert 'data-nav="merchant"' in (await member.get("/shops")).text
    merchant_viewer = Viewer(person_id=1, roles=frozenset({"resident", "merchant"}))
    resident_viewer = Viewer(person_id=1, roles=frozenset({"resident"}))
    assert shared_pages.by_role(merchant_viewer) != shared_pages.by_role(resident_viewer)
    assert shared_pages.by_person(resident_viewer) != shared_pages.by_person(
        Viewer(person_id=2, roles=frozenset({"resident"}))
    )


async def test_languages_and_fragments_are_kept_apart(browser_factory):
    async with following_changes():
        await make_person("王阿姨", "13900000431")
        await make_person("Anna", "13900000432")
        chinese = await _signed_in(browser_factory, "13900000431")
        english = await _signed_in(browser_factory, "13900000432")
        await chinese.get("/threads")  # kept in Chinese first
        assert (await english.post("/language", {"language": "en", "next": "/threads"})).status_code in (200, 303)
        for _ in range(2):
            assert "居民反映与商户诉求" in (await chinese.get("/threads")).text
            assert "Reports and issues" in (await english.get("/threads")).text
            fragment = await chinese.get("/threads", headers={"hx-request": "true"})
            assert "<html" not in fragment.text and "共 0 条诉求" in fragment.text
            assert "<html" in (await chinese.get("/threads")).text


async def test_reading_a_kept_thread_page_still_reads_its_notices(browser_factory):
    async with following_changes():
        author = await make_person("王阿姨", "13900000441")
        thread_id = await make_thread(author)
        wang = await _signed_in(browser_factory, "13900000441")
        await wang.get(f"/threads/{thread_id}")  # kept, without notices
        await post_answer(viewer_for(await make_person("李师傅"), "resident"), thread_id, AnswerForm(body="收到"))
        await caught_up()
        assert 'class="badge"' in (await wang.get("/shops")).text
        page = await wang.get(f"/threads/{thread_id}")
        assert "收到" in page.text and 'class="badge"' not in page.text
        assert 'class="badge"' not in (await wang.get(f"/threads/{thread_id}")).text


async def test_a_kept_group_page_gets_each_members_own_shops_and_sees_a_new_shop_at_once(browser_factory):
    from block_service.groups.services import get_group

    async with following_changes():
        zhang = await merchant("张师傅", "1143号", "老张生煎", contact="13800000451")
        chen = await merchant("陈经理", "1152号", "好邻居便利店", contact="13800000452")
        await caught_up()
        mine = await get_group("region-lane-1141", zhang)
        theirs = await get_group("region-lane-1141", chen)
        assert [b.shop_name for b in mine.my_backings] == ["老张生煎"]
        assert [b.shop_name for b in theirs.my_backings] == ["好邻居便利店"]
        resident = await get_group("region-lane-1141", viewer_for(await make_person("居民"), "resident"))
        assert resident.my_backings == [] and not resident.is_member and resident.candidates == []
        visitor = browser_factory()
        assert "新开面馆" not in text_of((await visitor.get("/groups/region-lane-1141")).text)
        await merchant("王老板", "1145号", "新开面馆", contact="13800000453")
        await caught_up()
        page = text_of((await visitor.get("/groups/region-lane-1141")).text)
        assert "新开面馆" in page  # in the list and on the kept strip map alike
        assert page.count("新开面馆") >= 2


async def test_a_kept_api_answer_changes_with_the_data_and_differs_by_person(browser_factory):
    async with following_changes():
        author = await make_person("王阿姨", "13900000461")
        await make_person("李师傅", "13900000462")
        thread_id = await make_thread(author, anonymous=True)
        await caught_up()
        wang = await _signed_in(browser_factory, "13900000461")
        li = await _signed_in(browser_factory, "13900000462")
        for _ in range(2):
            own = (await wang.get("/api/threads")).json()["items"]
            other = (await li.get("/api/threads")).json()["items"]
            assert own[0]["author_label"] != other[0]["author_label"]  # the author knows it is theirs
        await make_thread(author, title="楼道灯坏了")
        await caught_up()
        assert [item["title"] for item in (await li.get("/api/threads")).json()["items"]][0] == "楼道灯坏了"
        assert thread_id in [item["id"] for item in (await li.get("/api/threads")).json()["items"]]


async def test_a_request_that_writes_changes_the_version_before_its_answer_is_sent(browser_factory):
    from block_service.db import data_version

    async with following_changes():
        await make_person("王阿姨", "13900000471")
        wang = await _signed_in(browser_factory, "13900000471")
        before = data_version()
        response = await wang.post("/privacy/accept", {"next": "/"})
        assert response.status_code in (200, 303)
        # No waiting for PostgreSQL's notice: the next read of this process already sees a new version.
        assert data_version() != before


async def test_with_shared_pages_off_nothing_is_kept(db, tmp_path, count_queries):
    import httpx

    from block_service.app import create_app
    from tests.conftest import make_settings

    await merchant("张师傅", "1143号", "老张生煎", contact="13800000481")
    app = create_app(make_settings(var_dir=tmp_path / "var", shared_pages="false"))
    try:
        async with (
            following_changes(),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as client,
        ):
            for path in ("/groups/region-lane-1141", "/api/shops"):
                await client.get(path)
                count_queries.statements.clear()
                assert (await client.get(path)).status_code == 200
                assert count_queries.count >= 1, path
    finally:
        create_app(make_settings(var_dir=tmp_path / "var2"))  # the next app keeps values again


async def test_people_without_a_shop_share_a_groups_page_and_its_members_get_their_own(browser_factory, count_queries):
    async with following_changes():
        await merchant("张师傅", "1143号", "老张生煎", contact="13800000491")
        await make_person("居民甲", "13900000491")
        await make_person("居民乙", "13900000492")
        await caught_up()
        first = await _signed_in(browser_factory, "13900000491")
        second = await _signed_in(browser_factory, "13900000492")
        member = await _signed_in(browser_factory, "13800000491")
        assert (await first.get("/groups/region-lane-1141")).status_code == 200
        count_queries.statements.clear()
        page = await second.get("/groups/region-lane-1141")
        assert count_queries.count <= 1, count_queries.statements  # only the person, for the navigation
        assert "居民乙" in text_of(page.text) and "居民甲" not in text_of(page.text)
        assert 'id="leader-form"' not in page.text and 'data-section="group-discussion"' not in page.text
        own = await member.get("/groups/region-lane-1141")
        assert 'id="leader-form"' in own.text and 'data-section="group-discussion"' in own.text


async def test_a_kept_inbox_and_notice_list_are_each_merchants_own_and_show_a_new_notice_at_once(
    browser_factory, count_queries
):
    from tests.notice_helpers import merchant_of, publish, staff_viewer

    async with following_changes():
        staff = await staff_viewer()
        _zhang, zhangs_shop = await merchant_of(None, "张师傅", "13800000451", "1143号", "老张生煎")
        await merchant_of(None, "李老板", "13800000452", "1021号", "凌岩水果店")
        await publish(staff, kind="shops", shops=[zhangs_shop], title="只给老张的通知")
        await caught_up()
        zhang = await _signed_in(browser_factory, "13800000451")
        li = await _signed_in(browser_factory, "13800000452")
        for path in ("/inbox", "/notices"):
            first = await zhang.get(path)
            assert first.status_code == 200 and "只给老张的通知" in first.text
            count_queries.statements.clear()
            again = await zhang.get(path)
            assert count_queries.count <= 1, count_queries.statements  # the person, for the navigation
            assert text_of(again.text) == text_of(first.text)
            theirs = await li.get(path)
            assert "只给老张的通知" not in theirs.text and "李老板" in text_of(theirs.text)
        await publish(staff, kind="shops", shops=[zhangs_shop], title="第二份通知")
        await caught_up()
        for path in ("/inbox", "/notices"):
            assert "第二份通知" in (await zhang.get(path)).text


async def test_the_kept_viewer_follows_a_role_revoked_and_an_account_disabled_at_once(browser_factory):
    from block_service.accounts.roles import disable_account, revoke_role

    async with following_changes():
        person = await make_person("张师傅", "13800000461", roles=("resident", "merchant"))
        staff = await make_person("工作站", "staff461@test.example", roles=("staff",))
        zhang = await _signed_in(browser_factory, "13800000461")
        for _ in range(2):  # the second time, the viewer is kept
            assert 'data-nav="merchant"' in (await zhang.get("/shops")).text  # "My shops" in the navigation
        await revoke_role(staff, person, "merchant")
        await caught_up()
        assert 'data-nav="merchant"' not in (await zhang.get("/shops")).text
        await disable_account(viewer_for(staff, "staff"), person, "冒用他人身份")
        await caught_up()
        page = await zhang.get("/shops")
        assert page.status_code == 200 and "张师傅" not in text_of(page.text)  # signed out
