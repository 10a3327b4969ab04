"""First light: the shell answers and the database underneath works."""

from tests.helpers import make_person, text_of


async def test_home_page_is_chinese_by_default(browser):
    response = await browser.get("/")
    assert response.status_code == 200
    assert "凌岩" in text_of(response.text)


async def test_login_works(browser):
    await make_person("王阿姨", "13900000001")
    response = await browser.log_in("13900000001")
    assert response.headers["location"] == "/me"
    page = await browser.get("/me")
    assert page.status_code == 200
    assert "王阿姨" in page.text
