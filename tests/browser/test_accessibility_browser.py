"""Accessibility: no serious or critical axe-core violation, a sound page structure, no sideways scroll.

axe-core comes bundled in the axe-playwright-python package (axe.min.js inside the wheel): no download.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.steps import Person, apply_for_shop, expect

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
PUBLIC_PAGES = ["/", "/signup", "/login", "/shops"]
PHONE = {"width": 390, "height": 844}

# The page facts axe does not check in this form: one <main>, one <h1>, a named <nav>, the skip link.
STRUCTURE_SCRIPT = """() => {
  const named = (el) => {
    if ((el.getAttribute('aria-label') || '').trim()) return true;
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    if (ids.some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
    const labels = [...document.querySelectorAll('label')];
    if (el.id && labels.some((l) => l.htmlFor === el.id && l.textContent.trim())) return true;
    return Boolean(el.closest('label') && el.closest('label').textContent.trim());
  };
  const fields = [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden');
  const skip = document.querySelector('a.skip-link, body > a[href^="#"]');
  return {
    lang: document.documentElement.getAttribute('lang') || '',
    mains: document.querySelectorAll('main').length,
    h1s: document.querySelectorAll('h1').length,
    unnamedNavs: [...document.querySelectorAll('nav')].filter((nav) => !named(nav)).length,
    navs: document.querySelectorAll('nav').length,
    unnamedFields: fields.filter((el) => !named(el)).map((el) => el.outerHTML.slice(0, 120)),
    imagesWithoutText: [...document.querySelectorAll('img, svg[role="img"]')].filter((el) =>
      el.tagName.toLowerCase() === 'img' ? !el.hasAttribute('alt') : !named(el) && !el.querySelector('title')
    ).map((el) => el.outerHTML.slice(0, 120)),
    skipTarget: skip ? skip.getAttribute('href') : null,
  };
}"""


@pytest.fixture(scope="module")
def axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        reason = "axe-playwright-python (which bundles axe-core) is not installed: pip install -e '.[test]'"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return Axe()


def assert_accessible(page, axe, path: str) -> None:
    problems = check_page(page, axe, path)
    assert not problems, "\n".join(problems.values())


def check_page(page, axe, path: str) -> dict[tuple[str, str], str]:
    """Everything wrong with one page, keyed by (page, rule), as lines a person can act on."""
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    expect(page.locator("main")).to_be_visible()
    problems: dict[tuple[str, str], str] = {}
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in BLOCKING_IMPACTS:
            nodes = "; ".join(node["html"][:120] for node in violation["nodes"][:5])
            problems[(path, violation["id"])] = (
                f"{path}: axe {violation['id']} ({violation['impact']}): {violation['help']} -> {nodes}"
            )
    facts = page.evaluate(STRUCTURE_SCRIPT)
    checks = {
        "lang": (not facts["lang"], "<html> has no lang"),
        "one-main": (facts["mains"] != 1, f"{facts['mains']} <main> elements, expected 1"),
        "one-h1": (facts["h1s"] != 1, f"{facts['h1s']} <h1> elements, expected 1"),
        "named-nav": (
            facts["navs"] == 0 or facts["unnamedNavs"] > 0,
            f"{facts['navs']} <nav>, {facts['unnamedNavs']} without aria-label",
        ),
        "field-name": (bool(facts["unnamedFields"]), f"fields without an accessible name: {facts['unnamedFields']}"),
        "image-alt": (
            bool(facts["imagesWithoutText"]),
            f"images without a text alternative: {facts['imagesWithoutText']}",
        ),
        "skip-link": (facts["skipTarget"] != "#main", f"the skip link targets {facts['skipTarget']!r}, not '#main'"),
    }
    for rule, (failed, message) in checks.items():
        if failed:
            problems[(path, rule)] = f"{path}: {message}"
    return problems


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_is_accessible(page, axe, path):
    assert_accessible(page, axe, path)


def test_shop_application_form_is_accessible(resident: Person, axe):
    resident.sign_up()
    assert_accessible(resident.page, axe, "/shops/apply")


def test_staff_application_queue_is_accessible(resident: Person, staff_page, axe):
    resident.sign_up()
    apply_for_shop(resident.page, f"无障碍小店{resident.name[-4:]}", house_number="1205号", industry="零售")
    assert_accessible(staff_page, axe, "/staff/applications")
    expect(staff_page.get_by_role("main")).to_contain_text(resident.name)


@pytest.mark.parametrize("path", ["/", "/shops"])
def test_phone_screen_does_not_scroll_sideways(new_context, path):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{path} is {widths[0]} px wide on a {widths[1]} px phone screen"
