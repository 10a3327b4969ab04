"""The web shell: security headers, error pages in both languages, health probes, rate limits, timeouts."""

import time

import httpx
import pytest

from block_service.accounts.tables import Person
from tests.helpers import make_person, make_shop, text_of


@pytest.mark.parametrize("path", ["/", "/nope", "/shops?page=abc", "/static/block.css", "/healthz", "/me"])
async def test_security_headers_on_every_response(browser, path):
    response = await browser.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_security_headers_on_a_refused_csrf_post(browser):
    response = await browser.post("/signup", {}, csrf=False)
    assert response.status_code == 403
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_no_inline_scripts_in_pages(browser):
    page = await browser.get("/")
    assert "<script>" not in page.text
    assert 'src="/static/htmx-2.0.11.min.js"' in page.text
    assert "x-csrftoken" in page.text  # htmx sends the token on every request


@pytest.mark.parametrize(("language", "expected"), [("zh-CN", "页面不存在"), ("en", "This page does not exist.")])
async def test_not_found_page_in_both_languages(browser_factory, language, expected):
    response = await browser_factory(language).get("/no-such-page")
    assert response.status_code == 404
    assert expected in text_of(response.text)


async def test_wrong_type_in_the_address_gets_a_clear_400(browser):
    response = await browser.get("/shops?page=abc")
    assert response.status_code == 400
    assert "网址或表单中有内容无效，请检查后重试。" in text_of(response.text)


async def test_api_errors_are_json_in_the_persons_language(browser_factory):
    response = await browser_factory("en").get("/api/shops/999")
    assert response.status_code == 404
    assert response.json() == {"status_code": 404, "detail": "No such shop."}


async def test_health_probes(browser):
    assert (await browser.get("/healthz")).json() == {"status": "ok"}
    ready = await browser.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


async def test_anonymous_visitors_get_no_session(browser):
    response = await browser.get("/shops")
    assert not any(c.startswith("__Host-block_session=") for c in response.headers.get_list("set-cookie"))


async def test_login_is_rate_limited(db, browser_factory):
    from httpx import ASGITransport, AsyncClient

    from block_service.app import create_app
    from tests.conftest import make_settings
    from tests.helpers import Browser

    app = create_app(make_settings(login_rate_per_minute=3))
    client = AsyncClient(transport=ASGITransport(app=app), base_url="https://testserver")
    browser = Browser(client)
    try:
        statuses = [
            (await browser.post("/login", {"contact": "13900000000", "password": "x"})).status_code for _ in range(5)
        ]
        assert statuses[:3] == [422, 422, 422]
        assert statuses[3:] == [429, 429]
        page = await browser.post("/login", {"contact": "13900000000", "password": "x"})
        assert "过多" in text_of(page.text)
    finally:
        await client.aclose()


async def test_idle_sessions_expire(db):
    from block_service.accounts.schemas import ANONYMOUS
    from block_service.web.auth import _viewer_from_session
    from tests.conftest import make_settings

    person = await make_person()
    settings = make_settings()
    now = int(time.time())
    fresh = {"pid": person, "ver": 1, "auth_at": now - 60, "seen_at": now - 60}
    assert (await _viewer_from_session(fresh, settings)).person_id == person
    idle = {"pid": person, "ver": 1, "auth_at": now - 60, "seen_at": now - settings.session_idle_minutes * 60 - 1}
    assert await _viewer_from_session(idle, settings) is ANONYMOUS and idle == {}
    old = {"pid": person, "ver": 1, "auth_at": now - settings.session_absolute_hours * 3600 - 1, "seen_at": now}
    assert await _viewer_from_session(old, settings) is ANONYMOUS


async def test_disabling_an_account_ends_its_sessions(browser_factory):
    person = await make_person("被禁用的人", "13900000011")
    await make_person("工作站", "staff@test.example", roles=("staff",))
    victim, staff = browser_factory(), browser_factory()
    await victim.log_in("13900000011")
    await staff.log_in("staff@test.example")
    response = await staff.post(f"/staff/people/{person}/disable", {"reason": "冒用他人身份"})
    assert response.status_code == 303
    assert (await victim.get("/me")).status_code == 303
    again = await browser_factory().post("/login", {"contact": "13900000011", "password": "correct horse battery"})
    assert again.status_code == 403
    assert "该账号已被停用，请联系工作站。" in text_of(again.text)


async def test_disabling_needs_a_reason(browser_factory):
    person = await make_person("居民", "13900000012")
    await make_person("工作站", "staff@test.example", roles=("staff",))
    staff = browser_factory()
    await staff.log_in("staff@test.example")
    response = await staff.post(f"/staff/people/{person}/disable", {"reason": ""})
    assert response.status_code == 422
    assert (await Person.select(Person.is_active).where(Person.id == person).first())["is_active"] is True


async def test_user_text_is_rendered_inert(browser_factory):
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    owner = await make_person("<b>店主</b><script>x</script>", "13800000021")
    shop_id = await make_shop(owner, name=payload[:60])
    merchant = browser_factory()
    await merchant.log_in("13800000021")
    await merchant.post(f"/shops/{shop_id}/edit", {"phone": "13800000021", "description": payload})
    for page in (await merchant.get(f"/shops/{shop_id}"), await merchant.get("/shops"), await merchant.get("/me")):
        assert "<script>alert" not in page.text
        assert "<img src=x" not in page.text
        assert "&lt;script&gt;" in page.text
    me = await merchant.get("/me")
    assert "<b>店主</b>" not in me.text and "&lt;b&gt;店主&lt;/b&gt;" in me.text


async def test_shop_list_runs_the_same_number_of_statements_whatever_the_page_size(browser, count_queries):
    owner = await make_person()
    for number in range(25):
        await make_shop(
            owner, name=f"店铺{number}", house_number=f"{1001 + number}号", licence=f"9131011500000000{number:02d}"
        )
    counts = {}
    for size in (1, 5, 20):
        count_queries.statements.clear()
        response = await browser.get(f"/api/shops?per_page={size}")
        assert len(response.json()["items"]) == size
        counts[size] = count_queries.count
    assert counts[1] == counts[5] == counts[20]
    count_queries.statements.clear()
    page = await browser.get("/shops")
    assert page.status_code == 200 and page.text.count('class="card shop-card"') == 20
    assert count_queries.count <= 6


async def test_an_unexpected_error_gets_a_500_page_in_chinese_and_is_logged(browser, monkeypatch, caplog):
    from block_service.shops import services

    async def broken(_filters):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "list_shops", broken)
    response = await browser.get("/shops")
    assert response.status_code == 500
    assert "系统出了点问题，请稍后再试。" in text_of(response.text)
    assert "disk on fire" not in response.text
    assert any("unhandled error on GET /shops" in record.message for record in caplog.records)


async def test_readyz_says_when_the_database_is_gone(browser, monkeypatch):
    from block_service.web import system

    async def unreachable() -> bool:
        return False

    monkeypatch.setattr(system, "ping_database", unreachable)
    response = await browser.get("/readyz")
    assert response.status_code == 503 and response.json()["status"] == "database unreachable"


async def test_a_word_where_a_number_belongs_is_explained_and_changes_nothing(browser_factory):
    from block_service.shops.tables import ShopApplication

    await make_person("居民", "13900000061")
    browser = browser_factory()
    await browser.log_in("13900000061")
    response = await browser.post(
        "/shops/apply",
        {
            "shop_name": "老张生煎",
            "house_number": "1143号",
            "industry_id": "餐饮",
            "licence_number": "91310115MA1K4AB12X",
            "phone": "021-58880000",
        },
        htmx=True,
    )
    assert response.status_code == 422
    assert "请输入整数。" in text_of(response.text)
    api = await browser.post_json("/api/shop-applications", {"shop_name": "老张生煎", "house_number": 1143})
    assert api.status_code == 400 and "detail" in api.json()
    assert await ShopApplication.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "/shops?q=生煎&segment=&industry=&status=open",
        "/threads?q=&status=&category=&segment=&kind=&overdue=",
        "/api/shops?segment=&industry=",
        "/api/threads?shop=&overdue=",
    ],
)
async def test_filter_forms_left_on_any_are_not_errors(browser, url):
    assert (await browser.get(url)).status_code == 200


async def test_junk_in_a_filter_is_a_400(browser):
    assert (await browser.get("/shops?segment=north")).status_code == 400


async def test_a_persons_mistake_is_logged_at_info_without_a_traceback_even_in_debug(db, tmp_path):
    import logging

    from block_service.app import create_app
    from tests.conftest import make_settings

    class Keep(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.DEBUG)
            self.records: list[logging.LogRecord] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    kept = Keep()
    watched = [logging.getLogger(name) for name in ("block_service", "litestar", "")]
    for logger in watched:
        logger.addHandler(kept)
    try:
        app = create_app(make_settings(var_dir=tmp_path / "var", debug="true"))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            for url in ("/nope", "/shops?page=abc", "/api/threads/999999"):
                assert (await client.get(url)).status_code in (400, 404)
    finally:
        for logger in watched:
            logger.removeHandler(kept)
    assert not [record for record in kept.records if record.levelno >= logging.WARNING]
    assert not [record for record in kept.records if record.exc_info]
    assert any("refused GET /nope with 404" in record.getMessage() for record in kept.records)
