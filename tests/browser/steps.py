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
STAFF_PASSWORD = "browser-staff-password-2026"
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


def log_in(page: Page, contact: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label(label_starting("手机号")).fill(contact)
    page.get_by_label(label("密码")).fill(password)
    page.get_by_role("main").get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def log_out(page: Page) -> None:
    main_nav(page).get_by_role("button", name="退出登录").click()
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
        page.get_by_role("button", name="注册账号").click()
        expect(page).to_have_url(re.compile(r"/me$"))
        expect(main_nav(page)).to_contain_text(self.name)

    def log_in(self) -> None:
        log_in(self.page, self.mobile, self.password)
        expect(main_nav(self.page)).to_contain_text(self.name)

    def log_out(self) -> None:
        log_out(self.page)
