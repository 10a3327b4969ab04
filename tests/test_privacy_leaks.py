"""The privacy promise, tried from outside: nobody who may not know who an anonymous reporter is can learn it.

A seeded block with anonymous reports (answers, a reopening and a confirmation by the reporter, me-too by a
neighbour, a shop concerned) is read by a visitor, a resident, the shop's merchant (not allowed the name) and
another merchant: every GET route of the app's route table (so a new route is walked without being listed
here), as a page and as an htmx fragment, the JSON API, each thread's live-update stream and the inbox.
None of it may carry the reporter's name, phone, e-mail or person id.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator

import pytest
from litestar.channels import ChannelsPlugin

from block_service.accounts.tables import Person
from block_service.web.permissions import route_key
from tests.helpers import make_person, make_shop, make_thread, text_of

REPORTER_NAME = "甄秘密举报人"
REPORTER_PHONE = "13912340987"
REPORTER_EMAIL = "zhen.mimi.reporter@example.org"
SECRETS = (REPORTER_NAME, REPORTER_PHONE, REPORTER_EMAIL)
# Keys under which a JSON answer names a person by id.
PERSON_KEYS = {
    "author",
    "author_id",
    "person",
    "person_id",
    "actor",
    "actor_id",
    "applicant",
    "applicant_id",
    "reporter_id",
    "user_id",
    "candidate_id",
    "nominee_id",
    "backed_by",
    "created_by",
}
# Handlers with nothing about people in them, and the endless stream (read below, on its own).
NOT_WALKED = {"static", "openapi", "options", "thread_events"}
VIEWERS = ("visitor", "resident", "shop_merchant", "other_merchant")
STREAM_DEADLINE = 10.0


@pytest.fixture
async def block(browser_factory):
    """Anonymous reports with everything that can happen to them, and a browser per kind of reader."""
    reporter = await make_person(REPORTER_NAME, REPORTER_PHONE)
    await Person.update({Person.email: REPORTER_EMAIL}).where(Person.id == reporter)
    await make_person("邻居小李", "13900000001")
    merchant = await make_person("店主老张", "13800000001")
    other = await make_person("隔壁店主", "13800000002")
    shop = await make_shop(merchant, name="老张生煎", house_number="1143号")
    other_shop = await make_shop(other, name="隔壁水果店", house_number="1021号")
    threads = [
        await make_thread(reporter, shop_id=shop, anonymous=True, title="生煎店门口纸箱占道"),
        await make_thread(reporter, anonymous=True, title="弄口夜里卸货噪音", category="noise", house_number="1141弄"),
        await make_thread(reporter, shop_id=shop, anonymous=True, title="生煎店油烟直排", category="cooking-fumes"),
    ]
    browsers = {"visitor": browser_factory()}
    for name, contact in (
        ("reporter", REPORTER_PHONE),
        ("resident", "13900000001"),
        ("shop_merchant", "13800000001"),
        ("other_merchant", "13800000002"),
    ):
        browsers[name] = browser_factory()
        await browsers[name].log_in(contact)

    def ok(response):
        assert response.status_code in (200, 303), response.text[:300]

    first, second, third = threads
    for thread_id in threads:
        ok(await browsers["resident"].post(f"/threads/{thread_id}/metoo", {"on": "1"}))
    # The first report goes round the whole loop: the shop answers and resolves, the reporter answers and
    # reopens, the shop resolves again, the reporter confirms.
    ok(await browsers["shop_merchant"].post(f"/threads/{first}/answers", {"body": "明天一早就清走。"}))
    ok(
        await browsers["shop_merchant"].post(
            f"/threads/{first}/status", {"status": "resolved", "reason": "纸箱已经清理了"}
        )
    )
    ok(await browsers["reporter"].post(f"/threads/{first}/answers", {"body": "今天早上还是有纸箱。"}))
    ok(
        await browsers["reporter"].post(
            f"/threads/{first}/evaluation", {"fixed": "no", "score": "2", "comment": "还是老样子"}
        )
    )
    ok(
        await browsers["shop_merchant"].post(
            f"/threads/{first}/status", {"status": "resolved", "reason": "已安排专人每天清理"}
        )
    )
    ok(
        await browsers["reporter"].post(
            f"/threads/{first}/evaluation", {"fixed": "yes", "score": "5", "comment": "确认已经解决"}
        )
    )
    ok(await browsers["reporter"].post(f"/threads/{second}/answers", {"body": "昨晚一点又来了。"}))
    ok(await browsers["reporter"].post(f"/threads/{third}/answers", {"body": "补充：晚饭时间最严重。"}))
    from block_service.groups.services import list_groups

    groups = [group.slug for group in await list_groups()]
    return {
        "reporter": reporter,
        "threads": threads,
        "shop": shop,
        "other_shop": other_shop,
        "browsers": browsers,
        "groups": groups,
    }


def _get_routes(app) -> Iterator[tuple[str, bool]]:
    """(path, whether the handler reads query parameters) of every GET route worth reading."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "GET" in handler.http_methods and route_key(handler) not in NOT_WALKED:
                inputs = set(handler.parsed_fn_signature.parameters) - set(route.path_parameters) - {"request"}
                yield route.path, bool(inputs)


def _urls(app, block) -> list[str]:
    """Every GET route, its path parameters filled with the seeded objects (each thread, each group)."""
    values = {
        "thread_id": block["threads"],
        "shop_id": [block["shop"], block["other_shop"]],
        "person_id": [block["reporter"]],
        "ref": block["groups"],
        "group_id": [1],
    }
    # A search for the reports' words, a shop filter, a similar-thread question: every list shows snippets.
    query = f"?q=生煎店&shop={block['shop']}&title=生煎店门口纸箱&shop_id={block['shop']}&discussion_page=1"
    urls = []
    for path, reads_query in _get_routes(app):
        filled = [path]
        for name in re.findall(r"\{(\w+)(?::\w+)?\}", path):
            filled = [
                re.sub(r"\{" + name + r"(?::\w+)?\}", str(value), url)
                for url in filled
                for value in values.get(name, [1])
            ]
        urls += filled + ([url + query for url in filled] if reads_query else [])
    return sorted(set(urls))


def _person_ids(value, key: str | None = None) -> Iterator[tuple[str, object]]:
    """(key, value) of every person-naming key in a JSON document, however deep."""
    if isinstance(value, dict):
        for inner_key, inner in value.items():
            if inner_key in PERSON_KEYS or inner_key.endswith("person_id"):
                yield inner_key, inner
            yield from _person_ids(inner, inner_key)
    elif isinstance(value, list):
        for inner in value:
            yield from _person_ids(inner, key)


def _leaks(url: str, body: str, content_type: str, reporter: int, person_url: str) -> list[str]:
    body = body.replace(url.split("?")[0], "")  # a page may name the address it was asked for
    found = [secret for secret in SECRETS if secret in body]
    if "json" in content_type and body.strip():
        document = json.loads(body)
        text = json.dumps(document, ensure_ascii=False)
        found += [secret for secret in SECRETS if secret in text and secret not in found]
        found += [f"{key}={value}" for key, value in _person_ids(document) if value == reporter]
    elif person_url in body or re.search(rf"person(?:_id)?={reporter}\b", body):
        found.append(f"link to person {reporter}")
    return found


async def test_no_surface_identifies_an_anonymous_reporter(app, block):
    reporter = block["reporter"]
    person_url = app.route_reverse("person", person_id=reporter)
    urls = _urls(app, block)
    assert any(url.startswith("/api/threads/") for url in urls) and "/inbox" in urls
    leaks, answered = [], 0
    for viewer in VIEWERS:
        browser = block["browsers"][viewer]
        for url in urls:
            for headers in ({}, {"hx-request": "true"}):
                response = await browser.get(url, headers=headers)
                assert response.status_code < 500, f"{viewer} GET {url}: {response.status_code}"
                answered += response.status_code == 200
                for leak in _leaks(url, response.text, response.headers.get("content-type", ""), reporter, person_url):
                    leaks.append(f"{viewer} GET {url}{' (htmx)' if headers else ''}: {leak}")
    assert not leaks, "the anonymous reporter is identified:\n" + "\n".join(sorted(set(leaks))[:40])
    assert answered > 100  # the walk reached real pages, not only refusals


async def test_the_inbox_names_an_anonymous_reporter_as_a_resident(block, browser_factory):
    """What the shop's merchant and the me-too neighbour read when the reporter answered, reopened, confirmed."""
    for viewer, contact in (("shop_merchant", "13800000001"), ("resident", "13900000001")):
        browser = browser_factory("en")
        await browser.log_in(contact)
        await browser.post("/language", {"language": "en", "next": "/inbox"})
        inbox = text_of((await browser.get("/inbox")).text)
        assert "A resident answered." in inbox, viewer
        if viewer == "shop_merchant":
            assert "A resident changed the status to “Reopened”." in inbox
            assert "A resident changed the status to “Closed”." in inbox
        assert REPORTER_NAME not in inbox


async def test_those_allowed_still_see_the_reporter(app, block, browser_factory):
    """The rule hides the reporter only from whom it must: staff, and the shop when the reporter allowed it."""
    reporter, shop = block["reporter"], block["shop"]
    allowed = await make_thread(reporter, shop_id=shop, anonymous=True, name_to_shop=True, title="生煎店蒸笼占道")
    await make_person("工作站", "staff@test.example", roles=("staff",))
    staff = browser_factory()
    await staff.log_in("staff@test.example")
    for thread_id in block["threads"][0], allowed:
        seen = (await staff.get(f"/api/threads/{thread_id}")).json()["thread"]
        assert (seen["author_id"], seen["author_label"]) == (reporter, REPORTER_NAME)
    merchant = block["browsers"]["shop_merchant"]
    seen = (await merchant.get(f"/api/threads/{allowed}")).json()["thread"]
    assert (seen["author_id"], seen["author_label"]) == (reporter, REPORTER_NAME)
    hidden = (await merchant.get(f"/api/threads/{block['threads'][0]}")).json()["thread"]
    assert "author_id" not in hidden and hidden["author_label"] == "一位居民"
    own = (await block["browsers"]["reporter"].get(f"/api/threads/{allowed}")).json()
    assert own["thread"]["author_id"] == reporter and own["viewer_is_author"]
    visitor = (await block["browsers"]["visitor"].get(f"/api/threads/{allowed}")).json()
    assert "author_id" not in visitor["thread"] and not visitor["viewer_is_author"]
    assert visitor["allowed_statuses"] == []


class _EventStream:
    """One SSE request straight into the ASGI app (httpx's in-process transport waits for the end of a body,
    and this body has none): the chunks as they come, then a disconnect."""

    def __init__(self, app, path: str, cookies: dict[str, str], client: str) -> None:
        cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "https",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"testserver"),
                (b"accept", b"text/event-stream"),
                (b"accept-language", b"zh-Hans"),
                (b"cookie", cookie.encode()),
            ],
            "client": (client, 50000),
            "server": ("testserver", 443),
            "state": {},
        }
        self.app, self.status, self.body = app, None, b""
        self._chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self._gone = asyncio.Event()

    async def _receive(self) -> dict:
        await self._gone.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            await self._chunks.put(message.get("body", b""))
            if not message.get("more_body"):
                await self._chunks.put(b"")

    def __enter__(self) -> _EventStream:
        self.task = asyncio.create_task(self.app(self.scope, self._receive, self._send))
        return self

    async def read_until(self, marker: bytes) -> bytes:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STREAM_DEADLINE
        while marker not in self.body:
            chunk = await asyncio.wait_for(self._chunks.get(), max(0.01, deadline - loop.time()))
            if not chunk and self.task.done():
                break
            self.body += chunk
        return self.body

    async def close(self) -> None:
        self._gone.set()
        await asyncio.wait_for(self.task, STREAM_DEADLINE)

    def __exit__(self, *exc) -> None:
        self._gone.set()


async def test_live_update_streams_carry_nothing_about_the_reporter(app, block):
    """Every reader's stream of every anonymous thread, while the reporter answers."""
    reporter = block["reporter"]
    async with app.plugins.get(ChannelsPlugin):
        for thread_id in block["threads"]:
            streams = [
                _EventStream(
                    app,
                    f"/threads/{thread_id}/events",
                    dict(block["browsers"][viewer].client.cookies),
                    f"10.0.0.{index + 1}",
                )
                for index, viewer in enumerate(VIEWERS)
            ]
            for stream in streams:
                stream.__enter__()
            try:
                for stream in streams:
                    await stream.read_until(b"listening")
                    assert stream.status == 200
                answer = await block["browsers"]["reporter"].post(
                    f"/threads/{thread_id}/answers", {"body": "又看到一次，补充一下。"}
                )
                assert answer.status_code == 303
                for viewer, stream in zip(VIEWERS, streams, strict=True):
                    body = (await stream.read_until(b"event:")).decode()
                    assert "event:" in body, f"{viewer} heard nothing on thread {thread_id}"
                    assert not [secret for secret in SECRETS if secret in body], body
                    for line in body.splitlines():
                        if line.startswith("data:") and line[5:].strip().startswith(("{", "[")):
                            named = [key for key, value in _person_ids(json.loads(line[5:])) if value == reporter]
                            assert not named, f"{viewer} stream of thread {thread_id}: {line}"
            finally:
                for stream in streams:
                    await stream.close()


async def test_merchants_are_shown_only_to_merchants_and_staff(app, block, browser_factory):
    """One rule for the shop page, /api/shops/{id}, the group pages and /api/groups: visitors and residents
    see shops, not the people acting for them."""
    shop = block["shop"]
    merchant_name = "店主老张"
    for viewer in ("visitor", "resident"):
        browser = block["browsers"][viewer]
        detail = (await browser.get(f"/api/shops/{shop}")).json()
        assert "merchants" not in detail, viewer
        assert merchant_name not in json.dumps(detail, ensure_ascii=False)
        assert merchant_name not in (await browser.get(f"/shops/{shop}")).text
        assert merchant_name not in json.dumps((await browser.get("/api/groups")).json(), ensure_ascii=False)
        for slug in block["groups"]:
            assert merchant_name not in (await browser.get(f"/groups/{slug}")).text
            assert merchant_name not in json.dumps(
                (await browser.get(f"/api/groups/{slug}")).json(), ensure_ascii=False
            )
    other = block["browsers"]["other_merchant"]
    detail = (await other.get(f"/api/shops/{shop}")).json()
    assert [m["display_name"] for m in detail["merchants"]] == [merchant_name]
    assert merchant_name in text_of((await other.get(f"/shops/{shop}")).text)
