"""Account security: guessable passwords, the second factor, per-account log-in back-off, trusted proxies,
cookie names, the demo and backup commands, and the API docs page."""

from __future__ import annotations

import re

import httpx
import pyotp
import pytest

from block_service.accounts.tables import Person, RecoveryCode, TotpCredential
from block_service.audit.tables import AuditEntry
from block_service.inbox.tables import InboxEntry
from tests.conftest import make_settings
from tests.helpers import SESSION_COOKIE, TEST_PASSWORD, TOTP_SECRETS, Browser, make_person, next_totp_code, text_of

SIGNUP = {
    "display_name": "王阿姨",
    "contact": "13912340001",
    "password": "安全的密码123",
    "password_again": "安全的密码123",
    "accept_privacy": "true",
}


def _client(app, address: str = "203.0.113.7", language: str = "en") -> Browser:
    return Browser(
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(address, 40000)),
            base_url="https://testserver",
            headers={"accept-language": language},
        )
    )


def _field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="e-{field}">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else ""


# ---- guessable passwords ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("12345678", "most common passwords"),
        ("password1", "most common passwords"),
        ("qwertyui", "most common passwords"),
        ("abcd1234", "most common passwords"),
        ("woaini1314", "most common passwords"),
        ("aaaaaaaaaa", "simple pattern"),
    ],
)
async def test_signup_refuses_common_and_trivial_passwords_and_says_why(browser_factory, password, reason):
    browser = browser_factory(language="en")
    response = await browser.post("/signup", {**SIGNUP, "password": password, "password_again": password})
    assert response.status_code == 422
    assert reason in _field_error(response.text, "password")
    assert await Person.count() == 0


@pytest.mark.parametrize("password", ["13912340001abc", "王阿姨的好密码啊", "x12340001x-long"])
async def test_signup_refuses_a_password_made_of_the_persons_own_name_or_number(browser_factory, password):
    browser = browser_factory(language="en")
    response = await browser.post("/signup", {**SIGNUP, "password": password, "password_again": password})
    assert response.status_code == 422
    assert "must not contain your name, mobile number or email" in _field_error(response.text, "password")
    assert await Person.count() == 0


async def test_the_refusal_is_in_the_persons_language(browser_factory):
    browser = browser_factory(language="zh-CN")
    response = await browser.post("/signup", {**SIGNUP, "password": "12345678", "password_again": "12345678"})
    assert response.status_code == 422
    assert "常见" in _field_error(response.text, "password")


async def test_a_password_change_to_a_guessable_password_is_refused_and_changes_nothing(browser_factory):
    await make_person("林阿姨", "13900000401")
    browser = browser_factory(language="en")
    await browser.log_in("13900000401")
    before = await Person.select(Person.password_hash, Person.session_version).first()
    response = await browser.post(
        "/me/password",
        {"current_password": TEST_PASSWORD, "new_password": "iloveyou", "new_password_again": "iloveyou"},
        htmx=True,
    )
    assert response.status_code == 422
    assert "最常见的密码之一" in _field_error(response.text, "new_password")  # the account's language
    assert await Person.select(Person.password_hash, Person.session_version).first() == before


async def test_the_demo_passwords_pass():
    from block_service.accounts.passwords import password_problem
    from block_service.seed import DEMO_PASSWORD_PEOPLE, DEMO_PASSWORD_STAFF

    assert password_problem(DEMO_PASSWORD_STAFF, display_name="工作站 小凌", email="staff@lingyan.example") is None
    assert password_problem(DEMO_PASSWORD_PEOPLE, display_name="张师傅", phone="13800001001") is None


# ---- the second factor -----------------------------------------------------------------


async def _set_up_second_factor(browser: Browser) -> tuple[str, list[str]]:
    """Set up an authenticator through the pages, as a person does: read the key, type a code."""
    page = await browser.get("/me/security")
    assert page.status_code == 200
    assert "<svg" in page.text  # the QR code, drawn on the server
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page.text).group(1).replace(" ", "")
    done = await browser.post("/me/security/enable", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200, done.text[:300]
    codes = re.findall(r"<code>([A-Z2-9]{5}-[A-Z2-9]{5})</code>", done.text)
    return secret, codes


async def test_staff_without_a_second_factor_are_sent_to_set_it_up_before_any_staff_page(browser_factory):
    staff_id = await make_person("工作站", "new-staff@test.example", roles=("staff",), second_factor=False)
    browser = browser_factory(language="en")
    login = await browser.post("/login", {"contact": "new-staff@test.example", "password": TEST_PASSWORD, "next": "/"})
    assert login.headers["location"] == "/me/security"
    for url in ("/staff/people", "/staff/triage", "/staff/audit"):
        response = await browser.get(url)
        assert response.status_code == 303 and response.headers["location"] == "/me/security", url
    # No staff power anywhere until then, not through an API or a form either.
    api = await browser.get("/api/staff/shop-applications")
    assert api.status_code == 403 and "两步验证" in api.json()["detail"]  # the account's language
    refused = await browser.post(f"/staff/people/{staff_id}/roles", {"role": "resident"})
    assert refused.status_code in (303, 403)
    assert not await AuditEntry.exists().where(AuditEntry.action == "role.granted")
    secret, codes = await _set_up_second_factor(browser)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert (await browser.get("/staff/people")).status_code == 200
    # Stored hashed only: no code and no part of one is in the database.
    stored = await RecoveryCode.select(RecoveryCode.code_hash)
    assert len(stored) == 10 and all(len(row["code_hash"]) == 64 for row in stored)
    assert not {code.replace("-", "") for code in codes} & {row["code_hash"] for row in stored}
    assert await AuditEntry.exists().where(AuditEntry.action == "account.totp_enabled")


async def test_login_with_a_second_factor_needs_the_code_before_anything_opens(browser_factory):
    await make_person("工作站", "staff@test.example", roles=("staff",))
    secret = TOTP_SECRETS["staff@test.example"]
    browser = browser_factory(language="en")
    first = await browser.post(
        "/login", {"contact": "staff@test.example", "password": TEST_PASSWORD, "next": "/staff/people"}
    )
    assert first.status_code == 303 and first.headers["location"] == "/login/code"
    # The password alone signs nobody in.
    assert (await browser.get("/me")).headers["location"].startswith("/login")
    wrong = await browser.post("/login/code", {"code": "000000"})
    assert wrong.status_code == 422
    assert "wrong or has been used" in text_of(wrong.text)
    right = await browser.post("/login/code", {"code": next_totp_code(secret)})
    assert right.status_code == 303 and right.headers["location"] == "/staff/people"
    assert (await browser.get("/staff/people")).status_code == 200


async def test_a_used_code_cannot_be_replayed_within_its_window(browser_factory):
    await make_person("工作站", "staff@test.example", roles=("staff",))
    code = next_totp_code(TOTP_SECRETS["staff@test.example"])
    first, thief = browser_factory(language="en"), browser_factory(language="en")
    for browser in (first, thief):
        await browser.post("/login", {"contact": "staff@test.example", "password": TEST_PASSWORD, "next": "/me"})
    assert (await first.post("/login/code", {"code": code})).status_code == 303
    replay = await thief.post("/login/code", {"code": code})
    assert replay.status_code == 422
    assert "wrong or has been used" in text_of(replay.text)
    assert (await thief.get("/me")).status_code == 303


async def test_a_recovery_code_works_once(browser_factory):
    await make_person("居民", "13900000402")
    browser = browser_factory(language="en")
    await browser.log_in("13900000402")
    _secret, codes = await _set_up_second_factor(browser)  # residents and council members may opt in
    for attempt, expected in ((1, 303), (2, 422)):
        other = browser_factory(language="en")
        step = await other.post("/login", {"contact": "13900000402", "password": TEST_PASSWORD, "next": "/me"})
        assert step.headers["location"] == "/login/code", attempt
        response = await other.post("/login/code", {"code": codes[0].lower()})
        assert response.status_code == expected, attempt
    assert await RecoveryCode.count().where(RecoveryCode.used_at.is_not_null()) == 1


async def test_turning_the_second_factor_off_needs_the_password_and_a_code(browser_factory):
    await make_person("居民", "13900000403")
    browser = browser_factory(language="en")
    await browser.log_in("13900000403")
    secret, _codes = await _set_up_second_factor(browser)
    no_password = await browser.post(
        "/me/security/disable", {"password": "not-my-password", "code": pyotp.TOTP(secret).at(0)}
    )
    # The account's language (zh-Hans) holds once signed in.
    assert no_password.status_code == 422 and "当前密码不正确" in text_of(no_password.text)
    no_code = await browser.post("/me/security/disable", {"password": TEST_PASSWORD, "code": "123456"})
    assert no_code.status_code == 422 and "验证码不正确或已经用过" in text_of(no_code.text)
    assert await TotpCredential.count() == 1
    next_step = pyotp.TOTP(secret).at(int(__import__("time").time()) + 30)
    done = await browser.post("/me/security/disable", {"password": TEST_PASSWORD, "code": next_step})
    assert done.status_code == 303
    assert await TotpCredential.count() == 0 and await RecoveryCode.count() == 0


async def test_staff_reset_a_lost_authenticator_audited_and_the_owner_is_told(browser_factory):
    chief_id = await make_person("站长", "chief@test.example", roles=("staff",))
    helper_id = await make_person("小凌", "helper@test.example", roles=("staff",))
    chief, helper = browser_factory(language="en"), browser_factory(language="en")
    await chief.log_in("chief@test.example")
    await helper.log_in("helper@test.example")
    response = await chief.post(f"/staff/people/{helper_id}/second-factor/reset")
    assert response.status_code == 303
    assert not await TotpCredential.exists().where(TotpCredential.person == helper_id)
    entry = (
        await AuditEntry.select(AuditEntry.actor, AuditEntry.object_id)
        .where(AuditEntry.action == "account.totp_reset")
        .first()
    )
    assert entry == {"actor": chief_id, "object_id": helper_id}
    assert (await helper.get("/staff/people")).status_code == 303  # their sessions ended
    await helper.post("/login", {"contact": "helper@test.example", "password": TEST_PASSWORD, "next": "/"})
    inbox = await helper.get("/inbox")
    assert "工作站重置了您的两步验证" in text_of(inbox.text)  # in the account's language
    own = await chief.post(f"/staff/people/{chief_id}/second-factor/reset")
    assert own.status_code == 422 and "不能重置自己的两步验证" in text_of(own.text)


# ---- per-account back-off and forwarded headers ------------------------------------------


async def test_failed_logins_from_many_addresses_close_the_account_for_a_while_and_tell_its_owner(app):
    await make_person("林阿姨", "13900000404")
    owner = _client(app, "198.51.100.1")
    await owner.log_in("13900000404")
    try:
        for attempt in range(5):  # five addresses, one guess each: no address reaches its rate limit
            attacker = _client(app, f"203.0.113.{attempt + 10}")
            response = await attacker.post("/login", {"contact": "13900000404", "password": f"guess-{attempt}-x"})
            assert response.status_code == 422
        right_password = await _client(app, "203.0.113.99").post(
            "/login", {"contact": "13900000404", "password": TEST_PASSWORD}
        )
        assert right_password.status_code == 429
        assert "Too many failed log-ins for this account" in text_of(right_password.text)
        assert int(right_password.headers["retry-after"]) > 0
        inbox = await owner.get("/inbox")
        assert "连续 5 次为您的账号输错了密码或验证码" in text_of(inbox.text)  # in the owner's language
        assert await InboxEntry.count().where(InboxEntry.kind == "account") == 1
        # Another account is not affected.
        await make_person("王先生", "13900000405")
        await _client(app, "203.0.113.99").log_in("13900000405")
    finally:
        await owner.client.aclose()


async def test_workers_sharing_redis_agree_on_the_back_off(db):
    """Two app instances (two workers) with one Redis: failures on either count for the account."""
    from tests.test_redis_shared_state import REDIS_URL, fresh_redis

    redis = await fresh_redis()
    from block_service.app import close_stores, create_app

    apps = [create_app(make_settings(redis_url=REDIS_URL)) for _ in range(2)]
    await make_person("林阿姨", "13900000407")
    try:
        for attempt in range(5):
            worker = _client(apps[attempt % 2], f"203.0.113.{attempt + 20}")
            response = await worker.post("/login", {"contact": "13900000407", "password": "nope-nope-1"})
            assert response.status_code == 422
        response = await _client(apps[1], "203.0.113.40").post(
            "/login", {"contact": "13900000407", "password": TEST_PASSWORD}
        )
        assert response.status_code == 429
    finally:
        for app in apps:
            await close_stores(app)
        await redis.flushdb()
        await redis.aclose()


def test_the_wait_doubles_up_to_a_limit():
    from block_service.accounts.backoff import LONGEST_WAIT_SECONDS, wait_after

    assert [wait_after(n) for n in range(4, 9)] == [0, 30, 60, 120, 240]
    assert wait_after(40) == LONGEST_WAIT_SECONDS


async def test_a_successful_log_in_starts_the_count_again(app):
    await make_person("王先生", "13900000408")
    browser = _client(app, "198.51.100.8")
    for _round in range(2):
        for _ in range(4):
            response = await browser.post("/login", {"contact": "13900000408", "password": "nope-nope-2"})
            assert response.status_code == 422
        await browser.log_in("13900000408")
        await browser.post("/logout")
    assert await InboxEntry.count().where(InboxEntry.kind == "account") == 0


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_change_the_rate_limit_key(db):
    from block_service.app import create_app

    app = create_app(make_settings(login_rate_per_minute=3))
    browser = _client(app, "203.0.113.50")
    statuses = []
    for number in range(4):
        response = await browser.post(
            "/login",
            {"contact": f"1390000050{number}", "password": "x"},
            headers={"x-forwarded-for": f"10.1.1.{number}"},
        )
        statuses.append(response.status_code)
    assert statuses == [422, 422, 422, 429]


async def test_forwarded_for_is_believed_from_a_trusted_proxy(db):
    from block_service.app import create_app

    app = create_app(make_settings(login_rate_per_minute=3, trusted_proxies="10.0.0.0/8"))
    proxy = _client(app, "10.0.0.2")
    statuses = []
    for number in range(4):
        response = await proxy.post(
            "/login",
            {"contact": f"1390000060{number}", "password": "x"},
            headers={"x-forwarded-for": f"1.2.3.4, 198.51.100.{number}"},
        )
        statuses.append(response.status_code)
    assert statuses == [422, 422, 422, 422]  # four clients behind the proxy, one attempt each


def test_client_address_takes_the_nearest_untrusted_hop():
    from block_service.web.security import client_address

    def scope(peer: str, forwarded: str | None) -> dict:
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return {"client": (peer, 1), "headers": headers}

    trusted = ("10.0.0.0/8",)
    assert client_address(scope("203.0.113.5", "1.1.1.1"), trusted) == "203.0.113.5"
    assert client_address(scope("203.0.113.5", "1.1.1.1"), ()) == "203.0.113.5"
    assert client_address(scope("10.0.0.2", "6.6.6.6, 198.51.100.9, 10.0.0.3"), trusted) == "198.51.100.9"
    assert client_address(scope("10.0.0.2", "not-an-address"), trusted) == "10.0.0.2"
    assert client_address(scope("10.0.0.2", None), trusted) == "10.0.0.2"


# ---- cookies, demo, backup, API docs --------------------------------------------------


async def test_cookies_outside_debug_are_host_only_and_secure(browser_factory):
    await make_person("居民", "13900000406")
    browser = browser_factory(language="en")
    response = await browser.log_in("13900000406")
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))
    language = next(c for c in cookies if c.startswith("lang="))
    csrf = next(c for c in (await browser_factory().get("/healthz")).headers.get_list("set-cookie"))
    assert csrf.startswith("__Host-block_csrf=")
    for cookie in (session, csrf):
        assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
    assert "Secure" in language


async def test_cookies_in_debug_keep_plain_names(db, tmp_path):
    from block_service.app import create_app

    app = create_app(make_settings(debug="true", var_dir=tmp_path / "var"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        response = await client.get("/healthz")
    assert any(c.startswith("block_csrf=") for c in response.headers.get_list("set-cookie"))


@pytest.mark.parametrize("command", [("serve", "--demo", "--port", "1"), ("seed", "--demo")])
def test_the_demo_is_refused_without_debug(tmp_path, command):
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if not key.startswith("BLOCK_")}
    env.update(
        {
            "BLOCK_VAR_DIR": str(tmp_path),
            "BLOCK_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}",
            "BLOCK_SECRET_KEY": "x" * 40,
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "block_service.cli", *command], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "BLOCK_DEBUG=true" in result.stderr
    assert not (tmp_path / "d.db").exists()  # nothing was loaded


def test_backup_never_prints_the_database_password(capsys):
    import argparse

    from block_service.cli import cmd_backup
    from block_service.settings import read_settings

    settings = read_settings(
        {"BLOCK_DATABASE_URL": "postgresql://block:s3cret-Pa55@db.internal:5432/block", "BLOCK_SECRET_KEY": "x" * 40}
    )
    assert cmd_backup(settings, argparse.Namespace(path="/tmp/block.dump")) == 0
    printed = capsys.readouterr().out
    assert "s3cret-Pa55" not in printed
    assert "postgresql://block:***@db.internal:5432/block" in printed


async def test_the_api_docs_page_loads_a_vendored_bundle_under_a_strict_policy(browser):
    page = await browser.get("/schema")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "http" not in policy
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts and all(body.strip() == "" for _attrs, body in scripts)  # no inline script
    sources = [re.search(r'src="([^"]+)"', attrs).group(1) for attrs, _body in scripts]
    assert sources == ["/static/redoc-2.5.4.standalone.js"]
    assert 'spec-url="/schema/openapi.json"' in page.text
    bundle = await browser.get(sources[0])
    assert bundle.status_code == 200 and len(bundle.content) > 500_000


def test_serve_proxy_headers_believes_only_the_configured_proxies(monkeypatch, tmp_path, capsys):
    import argparse

    import uvicorn

    from block_service import cli
    from block_service.settings import read_settings

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    monkeypatch.setattr(cli, "cmd_migrate", lambda settings, args: 0)
    base = {"BLOCK_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "BLOCK_SECRET_KEY": "x" * 40}
    args = argparse.Namespace(demo=False, host="127.0.0.1", port=1, workers=1, log_level="warning", proxy_headers=True)
    assert cli.cmd_serve(read_settings(base), args) == 2  # no proxy configured: refused, with the reason
    assert "BLOCK_TRUSTED_PROXIES" in capsys.readouterr().err and calls == []
    settings = read_settings({**base, "BLOCK_TRUSTED_PROXIES": "10.0.0.2, 10.0.1.0/24"})
    assert cli.cmd_serve(settings, args) == 0
    assert calls[-1]["proxy_headers"] is True and calls[-1]["forwarded_allow_ips"] == "10.0.0.2,10.0.1.0/24"
    assert cli.cmd_serve(settings, argparse.Namespace(**{**vars(args), "proxy_headers": False})) == 0
    assert calls[-1]["proxy_headers"] is False
