"""The language switch in the header turns the interface into English and back."""

from __future__ import annotations

import re

import pytest

from tests.browser.steps import expect, label

pytestmark = pytest.mark.browser


def test_language_switch_to_english_and_back(page):
    page.goto("/shops")
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="登录")).to_be_visible()

    page.get_by_label(label("语言")).select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/shops$"))  # stays on the page it was switched on
    english_nav = page.get_by_role("navigation", name="Main")
    expect(english_nav.get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shops on the block")

    page.reload()
    expect(english_nav.get_by_role("link", name="Log in")).to_be_visible()

    page.get_by_label(label("Language")).select_option("zh-Hans")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(nav.get_by_role("link", name="登录")).to_be_visible()


def test_english_browser_gets_english_pages(new_context):
    page = new_context(locale="en-GB").new_page()
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_label(label("Password"))).to_be_visible()
