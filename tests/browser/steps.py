"""What people do in the browser, shared by the browser tests: sign up, log in, log out, find fields."""

from __future__ import annotations

import re
import uuid

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the chromium fixture then skips the suite (or fails it under CI) with the reason
    Page = expect = None  # type: ignore[assignment,misc]

STAFF_EMAIL = "staff@test.example"
STAFF_NAME = "工作站测试"
STAFF_PASSWORD = "browser-desk-password-2026"  # may not contain the email name "staff"
PASSWORD = "browser-resident-2026"
MAIN_NAV = "主导航"


def label(text: str) -> re.Pattern:
    """A field's label as people read it: the text, maybe followed by the required-field star."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def label_starting(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}")


def unique_mobile() -> str:
    return f"139{uuid.uuid4().int % 10**8:08d}"


def unique_licence() -> str:
    """An 18-character unified social credit code, like 91310115MA1K4AB12X."""
    return "91310115MA" + uuid.uuid4().hex[:8].upper()


def main_nav(page: Page):
    return page.get_by_role("navigation", name=MAIN_NAV)


# Authenticator secrets of the accounts these tests set a second factor up for (staff must have one).
TOTP_SECRETS: dict[str, str] = {}


def totp_code(secret: str) -> str:
    """A code the server has not accepted yet; when this secret used up the steps the server takes now
    (the current one and its neighbours), wait for the authenticator's clock to move on (at most 30 s)."""
    import time

    from tests.helpers import _last_step, next_totp_code

    while _last_step.get(secret, 0) + 1 > int(time.time() // 30) + 1:
        time.sleep(0.5)
    return next_totp_code(secret)


def set_up_second_factor(page: Page) -> str:
    """On /me/security: read the key as a person types it into the app, confirm a code; returns the key."""
    expect(page.get_by_role("heading", level=1)).to_have_text("两步验证")
    expect(page.locator("figure.qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label(label("验证器应用中的验证码")).fill(totp_code(secret))
    page.get_by_role("button", name="开启两步验证").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("两步验证已开启")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    return secret


def log_in(page: Page, contact: str, password: str) -> None:
    """Log in; with a second factor, type the app's code; staff without one set it up first."""
    page.goto("/login")
    page.get_by_label(label_starting("手机号")).fill(contact)
    page.get_by_label(label("密码")).fill(password)
    page.get_by_role("main").get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/login$"))
    if re.search(r"/login/code$", page.url):
        page.get_by_label(label("验证器应用中的验证码，或一个恢复码")).fill(totp_code(TOTP_SECRETS[contact]))
        page.get_by_role("main").get_by_role("button", name="登录").click()
    elif re.search(r"/me/security$", page.url):
        TOTP_SECRETS[contact] = set_up_second_factor(page)
        page.goto("/me")
    expect(page).not_to_have_url(re.compile(r"/login"))


def log_out(page: Page) -> None:
    button = main_nav(page).get_by_role("button", name="退出登录")
    if not button.is_visible():  # on a phone it sits in the drawer
        main_nav(page).locator("details.drawer > summary").click()
    button.click()
    expect(main_nav(page).get_by_role("link", name="登录")).to_be_visible()


def apply_for_shop(page: Page, shop_name: str, house_number: str = "1143号", industry: str = "餐饮") -> None:
    """Send an application to act for a shop, as a signed-in person does on /shops/apply."""
    page.goto("/shops/apply")
    expect(page.get_by_role("heading", level=1)).to_have_text("商户入驻")
    page.get_by_label(label("店铺名称")).fill(shop_name)
    page.get_by_label(label("凌岩南路门牌号")).fill(house_number)
    page.get_by_label(label("行业")).select_option(label=industry)
    page.get_by_label(label_starting("营业执照号")).fill(unique_licence())
    page.get_by_label(label("店铺电话")).fill("021-58881143")
    page.get_by_role("button", name="提交申请").click()
    expect(page).to_have_url(re.compile(r"/me/shops$"))
    expect(page.get_by_role("status")).to_contain_text("申请已提交")


class Person:
    """One person in one browser context."""

    def __init__(self, page: Page, name: str, mobile: str, password: str = PASSWORD) -> None:
        self.page, self.name, self.mobile, self.password = page, name, mobile, password

    def sign_up(self) -> None:
        page = self.page
        page.goto("/signup")
        page.get_by_label(label("昵称")).fill(self.name)
        page.get_by_label(label_starting("手机号")).fill(self.mobile)
        page.get_by_label(label("密码")).fill(self.password)
        page.get_by_label(label("确认密码")).fill(self.password)
        page.locator("#f-accept_privacy").check()
        page.get_by_role("button", name="注册账号").click()
        expect(page).to_have_url(re.compile(r"/me$"))
        expect(main_nav(page)).to_contain_text(self.name)

    def log_in(self) -> None:
        log_in(self.page, self.mobile, self.password)
        expect(main_nav(self.page)).to_contain_text(self.name)

    def log_out(self) -> None:
        log_out(self.page)


def approve_shop(staff: Page, shop_name: str) -> None:
    """Staff approve the pending application for a shop on /staff/applications."""
    staff.goto("/staff/applications")
    application = staff.get_by_role("listitem").filter(
        has=staff.get_by_role("heading", name=re.compile(re.escape(shop_name)))
    )
    application.get_by_role("button", name="通过").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(shop_name)


def choose_shop(page: Page, shop_name: str) -> None:
    """Pick a shop in the report form's "涉及的店铺" list, whose options read "name · house number"."""
    shops = page.get_by_label(label("涉及的店铺（选填）"))
    option = shops.locator("option").filter(has_text=re.compile(rf"^{re.escape(shop_name)} · "))
    expect(option).to_have_count(1)
    shops.select_option(option.get_attribute("value"))


def report_problem(
    page: Page,
    *,
    category: str,
    house_number: str,
    title: str,
    body: str,
    shop_name: str | None = None,
    photos: tuple = (),
    anonymous: bool = False,
) -> int:
    """Send a report from /threads/new as a signed-in person does; returns the new thread's number."""
    page.goto("/threads/new?layout=one-page")  # the guided flow: tests/browser/test_report_flow_browser.py
    expect(page.get_by_role("heading", level=1)).to_have_text("反映问题")
    page.get_by_label(label("类别")).select_option(label=category)
    if shop_name is not None:
        choose_shop(page, shop_name)
    page.get_by_label(label("地点：凌岩南路门牌号或弄号")).fill(house_number)
    page.get_by_label(label("一句话说明")).fill(title)
    page.get_by_label(label("发生了什么、从什么时候开始、希望怎样解决")).fill(body)
    if photos:
        page.get_by_label(label_starting("照片")).set_input_files(list(photos))
    if anonymous:
        page.get_by_label(label("对外只显示为“一位居民”")).check()
    page.get_by_role("main").get_by_role("button", name="提交", exact=True).click()
    expect(page).to_have_url(re.compile(r"/threads/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return int(re.search(r"/threads/(\d+)$", page.url).group(1))


def move_thread_on(page: Page, action: str, reason: str) -> None:
    """Use a thread's "推进办理" form: choose what to do, say why, send."""
    form = page.get_by_role("region", name="推进办理")
    form.get_by_role("radio", name=action, exact=True).check()
    form.get_by_label(label("原因（所有参与者都能看到）")).fill(reason)
    form.get_by_role("button", name="更改状态").click()
    expect(page.get_by_role("status")).to_contain_text("状态已更新")
