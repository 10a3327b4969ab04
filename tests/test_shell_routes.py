"""The shell (issue 13): tab bar, the way in (`next` through log-in and sign-up), the language kept at
log-in, the contact page and footer, compression, Chinese punctuation and house numbers in English."""

import gzip

import msgspec
import pytest

from block_service.accounts.tables import Person
from block_service.web.labels import house_number_label
from tests.conftest import make_settings
from tests.helpers import TEST_PASSWORD, make_person, text_of
from tests.test_accounts_routes import SIGNUP


async def test_home_and_list_show_the_report_action_to_visitors(browser):
    for path in ("/", "/threads"):
        page = (await browser.get(path)).text
        assert 'class="button primary-action" href="/threads/new">我要反映</a>' in page


async def test_a_visitor_starting_a_report_is_sent_to_log_in_with_next(browser):
    # The guided report lets a visitor fill it in and asks at the end (tests/test_report_flow.py); the
    # one-page form and merchants' issues still ask first.
    assert (await browser.get("/threads/new?kind=report")).status_code == 200
    response = await browser.get("/threads/new?layout=one-page")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/threads/new%3Flayout%3Done-page"
    login = (await browser.get(response.headers["location"])).text
    assert 'name="next" value="/threads/new?layout=one-page"' in login
    assert 'href="/signup?next=/threads/new%3Flayout%3Done-page"' in login
    assert "完成后直接回到刚才的页面" in text_of(login)


async def test_next_survives_sign_up(browser):
    form = (await browser.get("/signup?next=/threads/new")).text
    assert '<input type="hidden" name="next" value="/threads/new">' in form
    response = await browser.post("/signup", {**SIGNUP, "next": "/threads/new"})
    assert response.status_code == 303
    assert response.headers["location"] == "/threads/new"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
async def test_sign_up_refuses_a_foreign_next(browser, target):
    response = await browser.post("/signup", {**SIGNUP, "next": target})
    assert response.headers["location"] == "/me"


async def test_sign_up_with_a_wrong_form_keeps_next(browser):
    response = await browser.post("/signup", {**SIGNUP, "password_again": "不一样的", "next": "/threads/new"})
    assert response.status_code == 422
    assert '<input type="hidden" name="next" value="/threads/new">' in response.text


async def test_the_language_chosen_before_log_in_is_kept_after_it(browser):
    await make_person("钱先生", contact="13800000001", second_factor=False)
    assert (await browser.post("/language", {"language": "en", "next": "/login"})).status_code == 303
    response = await browser.post("/login", {"contact": "13800000001", "password": TEST_PASSWORD, "next": "/me"})
    assert response.status_code == 303
    assert "Change password" in (await browser.get("/me")).text
    person = await Person.select(Person.language).where(Person.phone == "13800000001").first()
    assert person["language"] == "en"


async def test_without_a_choice_the_person_s_own_language_applies_at_log_in(browser):
    person_id = await make_person("孙先生", contact="13800000002", second_factor=False)
    await Person.update({Person.language: "en"}).where(Person.id == person_id)
    await browser.post("/login", {"contact": "13800000002", "password": TEST_PASSWORD, "next": "/me"})
    assert "Change password" in (await browser.get("/me")).text


async def test_tab_bar_marks_the_current_area(browser):
    page = (await browser.get("/plans")).text
    assert 'href="/plans" aria-current="page"><span class="tab-icon" aria-hidden="true">☷</span>议事</a>' in page
    home = (await browser.get("/")).text
    assert 'href="/" aria-current="page"><span class="tab-icon" aria-hidden="true">⌂</span>首页</a>' in home
    assert 'class="drawer"' not in home  # a visitor has no drawer, only the way in
    assert 'href="/login?next=/"' in home


async def test_signed_in_people_get_the_drawer_and_staff_get_their_tools(browser_factory):
    await make_person("李阿姨", contact="13800000003", second_factor=False)
    resident = browser_factory()
    await resident.log_in("13800000003")
    page = (await resident.get("/")).text
    assert '<details class="drawer">' in page and "退出登录" in page
    assert 'data-nav="staff"' not in page
    await make_person("工作人员", contact="staff-shell@example.org", roles=("staff",))
    staff = browser_factory()
    await staff.log_in("staff-shell@example.org")
    assert 'data-nav="staff"' in (await staff.get("/")).text


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-Hans", "凌岩南路1141弄"), ("en", "Lane 1141, Lingyan South Road")]
)
async def test_contact_page_and_footer(browser_factory, language, expected):
    browser = browser_factory(language)
    contact = await browser.get("/contact")
    assert contact.status_code == 200
    text = text_of(contact.text)
    assert expected in text and "110" in text and "12345" in text
    assert 'href="tel:110"' in contact.text
    footer = (await browser.get("/shops")).text.split('<footer class="site-footer">')[1]
    assert expected in text_of(footer) and "12345" in footer


async def test_the_phone_line_shows_once_configured(db, tmp_path):
    import httpx

    from block_service.app import create_app

    app = create_app(msgspec.structs.replace(make_settings(var_dir=tmp_path / "var"), contact_phone="021-5888 1141"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as client:
        page = (await client.get("/contact")).text
    assert "电话：021-5888 1141" in text_of(page)
    assert 'href="tel:02158881141"' in page


@pytest.mark.parametrize("path", ["/", "/threads", "/static/block.css", "/static/htmx-2.0.11.min.js"])
async def test_pages_css_and_js_are_compressed(browser, path):
    response = await browser.client.get(path, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers.get("content-encoding") == "gzip"


async def test_compressed_page_is_much_smaller(browser):
    raw = await browser.client.get("/static/htmx-2.0.11.min.js", headers={"accept-encoding": "identity"})
    assert raw.headers.get("content-encoding") is None
    assert len(gzip.compress(raw.content, 6)) < len(raw.content) / 2


def test_house_numbers_read_in_english(monkeypatch):
    from block_service.i18n import current_language

    token = current_language.set("en")
    try:
        assert house_number_label("1063号") == "No. 1063"
        assert house_number_label("1141弄") == "Lane 1141"
        assert house_number_label("1141弄12号") == "Lane 1141, No. 12"
        assert house_number_label("1141弄东侧") == "1141弄东侧"
    finally:
        current_language.reset(token)
    token = current_language.set("zh-Hans")
    try:
        assert house_number_label("1063号") == "1063号"
        assert house_number_label("1141弄12号") == "1141弄12号"
    finally:
        current_language.reset(token)


async def test_chinese_labels_take_a_full_width_colon(browser_factory):
    zh = (await browser_factory("zh-Hans").get("/groups")).text
    en = (await browser_factory("en").get("/groups")).text
    assert "组长：" in zh and "组长: " not in zh
    assert "Leader: " in en


async def test_the_two_other_categories_differ_in_english(db):
    from block_service.threads.tables import Category

    names = [row["name_en"] for row in await Category.select(Category.name_en)]
    assert "Other problem" in names and "Other matter" in names
    assert len(names) == len(set(names))


@pytest.mark.parametrize("path", ["/login", "/signup"])
async def test_the_mobile_field_brings_up_digits_and_email_is_one_tap_away(browser, path):
    page = (await browser.get(path + "?next=/threads/new")).text
    assert 'name="contact" type="tel"' in page and 'inputmode="tel"' in page
    assert f'href="{path}?by=email&amp;next=/threads/new"' in page
    by_email = (await browser.get(path + "?by=email")).text
    assert 'name="contact" type="email"' in by_email and '<input type="hidden" name="by" value="email">' in by_email


async def test_logging_in_with_an_email_address_keeps_the_email_field_after_an_error(browser):
    response = await browser.post("/login", {"contact": "nobody@example.org", "password": "x" * 9, "by": "email"})
    assert response.status_code in (401, 422, 400)
    assert 'name="contact" type="email"' in response.text
