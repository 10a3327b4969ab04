"""Sign-up, log-in, sessions, profile and password through HTTP, as a person's browser does them."""

import pytest

from block_service.accounts.tables import Person, RoleGrant
from block_service.audit.tables import AuditEntry
from tests.helpers import TEST_PASSWORD, make_person, text_of

SIGNUP = {
    "display_name": "王阿姨",
    "contact": "13912345678",
    "password": "安全的密码123",
    "password_again": "安全的密码123",
    "accept_privacy": "true",
}


async def test_signup_creates_a_resident_and_logs_them_in(browser):
    response = await browser.post("/signup", SIGNUP)
    assert response.status_code == 303
    assert response.headers["location"] == "/me"
    me = await browser.get("/me")
    assert me.status_code == 200
    assert "王阿姨" in text_of(me.text)
    person = await Person.select(Person.id, Person.phone, Person.password_hash).first()
    assert person["phone"] == "13912345678"
    assert person["password_hash"].startswith("$argon2id$")
    assert [r["role"] for r in await RoleGrant.select(RoleGrant.role)] == ["resident"]
    assert await AuditEntry.exists().where(AuditEntry.action == "account.created")


async def test_signup_twice_with_the_same_mobile_is_refused_and_changes_nothing(browser_factory):
    first = browser_factory()
    assert (await first.post("/signup", SIGNUP)).status_code == 303
    second = browser_factory()
    response = await second.post("/signup", SIGNUP)
    assert response.status_code == 409
    assert "已" in text_of(response.text)  # "already exists", in Chinese
    assert await Person.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "status"),
    [
        ("display_name", "", 422),
        ("display_name", "长" * 41, 422),
        ("contact", "not-a-phone", 422),
        ("password", "short", 422),
        ("password_again", "different-password", 422),
    ],
)
async def test_signup_with_bad_input_shows_the_form_again(browser, field, value, status):
    data = {**SIGNUP, field: value}
    response = await browser.post("/signup", data, htmx=True)
    assert response.status_code == status
    assert 'id="signup-form"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert await Person.count() == 0


async def test_signup_form_keeps_what_was_typed_but_never_the_password(browser):
    response = await browser.post("/signup", {**SIGNUP, "password_again": "other-password"})
    assert response.status_code == 422
    assert "13912345678" in response.text
    assert "安全的密码123" not in response.text


async def test_session_id_is_rotated_at_login(browser):
    await make_person("居民", "13900000002")
    await browser.post("/language", {"language": "en", "next": "/"})
    # A session exists before logging in (flash messages, a planted id...).
    browser.client.cookies.set("__Host-block_session", "planted-session-id", domain="testserver")
    response = await browser.log_in("13900000002")
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("__Host-block_session="))
    new_id = cookie.split(";")[0].split("=", 1)[1]
    assert new_id and new_id != "planted-session-id"
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax") and "Secure" in cookie


async def test_wrong_password_is_refused_without_saying_which_part_was_wrong(browser):
    await make_person("居民", "13900000003")
    wrong_password = await browser.post("/login", {"contact": "13900000003", "password": "nope-nope"})
    unknown_person = await browser.post("/login", {"contact": "13900000099", "password": "nope-nope"})
    assert wrong_password.status_code == unknown_person.status_code == 422
    assert text_of(wrong_password.text).count("密码") >= 1
    assert "__Host-block_session" not in browser.client.cookies


async def test_logout_ends_the_session_on_the_server(browser_factory):
    await make_person("居民", "13900000004")
    browser = browser_factory()
    await browser.log_in("13900000004")
    stolen_cookie = browser.client.cookies.get("__Host-block_session")
    assert (await browser.post("/logout")).status_code == 303
    thief = browser_factory()
    thief.client.cookies.set("__Host-block_session", stolen_cookie, domain="testserver")
    response = await thief.get("/me")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_pages_for_members_send_visitors_to_login_and_back(browser):
    await make_person("居民", "13900000005")
    response = await browser.get("/me")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/me"
    login = await browser.post("/login", {"contact": "13900000005", "password": TEST_PASSWORD, "next": "/me"})
    assert login.headers["location"] == "/me"


async def test_login_refuses_an_offsite_next(browser):
    await make_person("居民", "13900000006")
    response = await browser.post(
        "/login", {"contact": "13900000006", "password": TEST_PASSWORD, "next": "//evil.example/steal"}
    )
    assert response.headers["location"] == "/"


async def test_changing_the_password_logs_out_other_devices(browser_factory):
    await make_person("居民", "13900000007")
    phone, laptop = browser_factory(), browser_factory()
    await phone.log_in("13900000007")
    await laptop.log_in("13900000007")
    response = await laptop.post(
        "/me/password",
        {
            "current_password": TEST_PASSWORD,
            "new_password": "a-new-password-1",
            "new_password_again": "a-new-password-1",
        },
    )
    assert response.status_code == 303
    assert (await laptop.get("/me")).status_code == 200
    assert (await phone.get("/me")).status_code == 303
    fresh = browser_factory()
    await fresh.log_in("13900000007", "a-new-password-1")


async def test_wrong_current_password_changes_nothing(browser):
    await make_person("居民", "13900000008")
    await browser.log_in("13900000008")
    before = await Person.select(Person.password_hash).first()
    response = await browser.post(
        "/me/password",
        {
            "current_password": "wrong-password",
            "new_password": "a-new-password-1",
            "new_password_again": "a-new-password-1",
        },
        htmx=True,
    )
    assert response.status_code == 422
    assert 'id="password-form"' in response.text
    assert await Person.select(Person.password_hash).first() == before


async def test_profile_language_switches_the_interface(browser):
    await make_person("居民", "13900000009")
    await browser.log_in("13900000009")
    response = await browser.post("/me/profile", {"display_name": "Mrs Wang", "language": "en"})
    assert response.status_code == 303
    page = await browser.get("/me")
    assert "My account" in text_of(page.text)
    assert (await Person.select(Person.display_name, Person.language).first()) == {
        "display_name": "Mrs Wang",
        "language": "en",
    }


async def test_stale_csrf_token_is_refused_in_the_persons_language(browser):
    response = await browser.client.post("/signup", data=SIGNUP, headers={"x-csrftoken": "stale-token"})
    assert response.status_code == 403
    assert "表单已过期或来源无效，请刷新页面后重试。" in text_of(response.text)
    assert await Person.count() == 0


async def test_missing_csrf_token_is_refused(browser):
    response = await browser.post("/signup", SIGNUP, csrf=False)
    assert response.status_code == 403
    assert await Person.count() == 0


async def test_english_via_accept_language(browser_factory):
    browser = browser_factory(language="en-GB,en;q=0.9")
    page = await browser.get("/login")
    assert "Log in" in text_of(page.text)
    assert '<html lang="en">' in page.text


async def test_a_new_resident_is_welcomed_after_sign_up(browser):
    await browser.post("/signup", SIGNUP)
    page = await browser.get("/me")
    assert "欢迎" in text_of(page.text)
    again = await browser.get("/me")
    assert "欢迎" not in text_of(again.text)  # a flash message shows once
