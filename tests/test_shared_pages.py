"""Pages anonymous visitors share: served without a query, never stale, never someone else's."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import pytest

from block_service.db import data_version, listening_for_changes
from block_service.threads.schemas import AnswerForm
from block_service.threads.workflow import post_answer
from block_service.web.shared_pages import PLACEHOLDER
from tests.conftest import ENGINE
from tests.helpers import eventually, make_person, make_thread, text_of, viewer_for


@contextlib.asynccontextmanager
async def following_changes() -> AsyncIterator[None]:
    """What the app's lifespan does; on PostgreSQL, wait until the listener is connected."""
    async with listening_for_changes():
        await eventually(lambda: data_version() is not None, timeout=2)
        yield


async def caught_up() -> None:
    """Every write so far has been noticed. SQLite knows at once; PostgreSQL delivers its notices a moment
    after each commit, in commit order, so once a marker sent now has arrived, all earlier ones have."""
    if ENGINE != "postgres":
        return
    from piccolo.querystring import QueryString

    from block_service.db import changes, engine

    marker = uuid.uuid4().hex
    await engine().run_querystring(QueryString("SELECT pg_notify('block_changed', {})", marker))

    def listener_caught_up() -> bool:
        return changes._listener is not None and changes._listener.last_payload == marker

    await eventually(listener_caught_up, timeout=3)


async def test_a_shared_page_is_served_without_a_query_and_shows_a_new_answer_at_once(browser, count_queries):
    async with following_changes():
        reporter = await make_person("王阿姨", "13900000301")
        thread_id = await make_thread(reporter)
        await caught_up()
        first = await browser.get(f"/threads/{thread_id}")
        assert first.status_code == 200 and "暂无答复" in text_of(first.text)
        count_queries.statements.clear()
        again = await browser.get(f"/threads/{thread_id}")
        assert again.status_code == 200 and count_queries.count == 0
        await post_answer(viewer_for(reporter, "resident"), thread_id, AnswerForm(body="纸箱还在门口"))
        await caught_up()
        after = await browser.get(f"/threads/{thread_id}")
        assert "纸箱还在门口" in after.text
        listed = await browser.get("/threads")
        assert "1 条留言" in text_of(listed.text)


async def test_every_visitor_gets_their_own_csrf_token_in_a_shared_page(browser_factory):
    async with following_changes():
        first, second = browser_factory(), browser_factory()
        pages = [await visitor.get("/threads") for visitor in (first, second)]
        tokens = [visitor.client.cookies.get("__Host-block_csrf") for visitor in (first, second)]
        assert tokens[0] and tokens[1] and tokens[0] != tokens[1]
        for page, token, other in zip(pages, tokens, reversed(tokens), strict=True):
            assert token in page.text and other not in page.text and PLACEHOLDER not in page.text
        # The language form on the shared page works with the visitor's own token.
        switched = await second.post("/language", {"language": "en", "next": "/threads"})
        assert switched.status_code in (200, 303)
        assert "Reports and issues" in (await second.get("/threads")).text
        assert "居民反映与商户诉求" in (await first.get("/threads")).text


async def test_signed_in_people_and_htmx_fragments_never_get_the_shared_page(browser_factory):
    async with following_changes():
        await make_person("王阿姨", "13900000302")
        visitor, resident = browser_factory(), browser_factory()
        assert "退出登录" not in text_of((await visitor.get("/threads")).text)
        await resident.log_in("13900000302")
        assert "退出登录" in text_of((await resident.get("/threads")).text)
        fragment = await visitor.get("/threads", headers={"hx-request": "true"})
        assert "<html" not in fragment.text and "共 0 条诉求" in fragment.text
        assert "<html" in (await visitor.get("/threads")).text


@pytest.mark.skipif(ENGINE != "postgres", reason="the notices are PostgreSQL's; SQLite has PRAGMA data_version")
async def test_every_table_tells_of_its_changes(db):
    from piccolo.querystring import QueryString

    from block_service.db import engine

    rows = await engine().run_querystring(
        QueryString(
            "SELECT tablename FROM pg_tables t WHERE schemaname = current_schema() AND tablename <> 'migration' "
            "AND NOT EXISTS (SELECT 1 FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
            "WHERE c.relname = t.tablename AND g.tgname = 'block_changed')"
        )
    )
    assert [row["tablename"] for row in rows] == []


async def test_with_shared_pages_off_every_visit_is_rendered_afresh(db, tmp_path, count_queries):
    import httpx

    from block_service.app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(var_dir=tmp_path / "var", shared_pages="false"))
    async with (
        following_changes(),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as client,
    ):
        await client.get("/threads")
        count_queries.statements.clear()
        assert (await client.get("/threads")).status_code == 200
        assert count_queries.count >= 2


async def test_a_shared_page_carries_the_security_headers_and_the_visitors_csrf_cookie(browser_factory):
    async with following_changes():
        await browser_factory().get("/threads")
        await caught_up()
        visitor = browser_factory()
        response = await visitor.get("/threads")
        assert "default-src" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-type"].startswith("text/html")
        assert visitor.client.cookies.get("__Host-block_csrf") in response.text


async def test_visitors_arriving_together_at_a_page_nobody_kept_yet_get_it_rendered_once(
    browser_factory, count_queries
):
    import asyncio

    from block_service.web.shared_pages import forget_all

    async with following_changes():
        author = await make_person("王阿姨", "13900000071")
        await make_thread(author, title="门口纸箱占道")
        visitors = [browser_factory() for _ in range(6)]
        await visitors[0].get("/threads")  # the app is up, its lists of categories and segments read
        forget_all()
        count_queries.statements.clear()
        alone = await visitors[0].get("/threads")
        one_rendering = count_queries.count
        assert alone.status_code == 200 and one_rendering > 0
        forget_all()
        count_queries.statements.clear()
        together = await asyncio.gather(*(visitor.get("/threads") for visitor in visitors))
        assert {page.status_code for page in together} == {200}
        assert {text_of(page.text) for page in together} == {text_of(alone.text)}
        assert count_queries.count == one_rendering, count_queries.statements  # the others waited for it


async def test_a_value_built_while_others_wait_is_built_once_and_a_failed_build_is_the_builders_alone(db):
    import asyncio

    from block_service.db.kept import forget_kept, kept

    async with following_changes():
        forget_kept()
        builds = []
        release = asyncio.Event()

        async def build():
            builds.append(1)
            await release.wait()
            return {"answer": len(builds)}

        waiting = [asyncio.create_task(kept(("probe", 1), build)) for _ in range(5)]
        await eventually(lambda: len(builds) == 1, timeout=2)
        release.set()
        assert [await task for task in waiting] == [{"answer": 1}] * 5 and len(builds) == 1

        go = asyncio.Event()

        async def failing():
            builds.append(1)
            await go.wait()
            raise RuntimeError("the database went away")

        async def succeeding():
            return "built again by the one who waited"

        first = asyncio.create_task(kept(("probe", 2), failing))
        await eventually(lambda: len(builds) == 2, timeout=2)  # the failing build has started
        others = [asyncio.create_task(kept(("probe", 2), succeeding)) for _ in range(3)]
        go.set()
        with pytest.raises(RuntimeError, match="the database went away"):
            await first
        assert [await task for task in others] == ["built again by the one who waited"] * 3


async def test_the_rounds_that_find_nothing_to_do_leave_every_kept_page_kept(browser, count_queries, tmp_path):
    """Every worker runs the motion round each half minute (and the others every few minutes): a round that
    writes nothing must not count as a write, or every person's kept page is rendered again each time."""
    from block_service.clock import now
    from block_service.council.motion_closing import run_motion_round
    from block_service.council.motion_tables import Motion
    from block_service.offers.tasks import warn_expiring
    from block_service.threads.tasks import run_housekeeping
    from tests.conftest import make_settings
    from tests.council_helpers import zh
    from tests.motion_helpers import a_motion, seated_council

    council = await seated_council(3)
    motion_id = await a_motion(council)  # open for three more days; nobody has voted yet
    async with following_changes():
        await caught_up()
        assert (await browser.get(f"/motions/{motion_id}")).status_code == 200
        version = data_version()
        await run_motion_round(now())
        await warn_expiring()
        await run_housekeeping(make_settings(var_dir=tmp_path / "var"))
        count_queries.statements.clear()
        again = await browser.get(f"/motions/{motion_id}")
        assert again.status_code == 200 and count_queries.count == 0, count_queries.statements
        await caught_up()  # and no notice of a change comes round from PostgreSQL either
        markers = 1 if ENGINE == "postgres" else 0  # caught_up's own notice
        assert data_version() == (version if not markers else (version[0] + markers, version[1]))
        assert zh("Roll-call") not in text_of(again.text)
        before = data_version()
        closes = (await Motion.select(Motion.closes_at).where(Motion.id == motion_id).first())["closes_at"]
        await run_motion_round(closes)  # now the motion is due: the round that closes it is a write
        if ENGINE == "postgres":  # counted by this process itself, not only once PostgreSQL's notice comes
            assert data_version()[1] == before[1] + 1
        closed = await browser.get(f"/motions/{motion_id}")
        assert zh("Roll-call") in text_of(closed.text)
