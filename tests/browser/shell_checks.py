"""Phone-first checks shared by browser tests: sideways scroll, console errors, tap targets, weight, screenshots.

Screenshots go to var/screenshots/ (git-ignored): `<name>-390.png` and `<name>-1280.png`, one run fills it.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

from tests.browser.test_accessibility_browser import BLOCKING_IMPACTS

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
MIN_TAP = 44
MAX_FIRST_LOAD_BYTES = 80 * 1024

# Interactive elements smaller than 44 px, leaving out links inside running text (WCAG's inline exception),
# check boxes and radios (their label is the target) and elements a person cannot see.
SMALL_TARGETS_SCRIPT = """(min) => {
  const inline = 'p a, dd a, td a, li > small a, .hint a, label a, .meta a, .prose a, h2 a, h3 a, address a';
  return [...document.querySelectorAll('a[href], button, select, input, textarea, summary')]
    .filter((el) => el.type !== 'hidden' && el.type !== 'checkbox' && el.type !== 'radio')
    .filter((el) => !el.matches(inline) && !el.closest('.skip-link') && !el.matches('.skip-link'))
    .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height < min - 0.5; })
    .map((el) => `${el.outerHTML.slice(0, 90)} (${Math.round(el.getBoundingClientRect().height)} px)`);
}"""

TRANSFERRED_SCRIPT = """() => {
  const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
  return entries.reduce((sum, e) => sum + (e.transferSize || 0), 0);
}"""


def watch_console(page: Page) -> list[str]:
    """Collects console errors and uncaught exceptions of this page (CSP refusals among them)."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def sideways_overflow(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def small_targets(page: Page) -> list[str]:
    return page.evaluate(SMALL_TARGETS_SCRIPT, MIN_TAP)


def transferred_bytes(page: Page) -> int:
    return page.evaluate(TRANSFERRED_SCRIPT)


def axe_problems(page: Page, axe) -> list[str]:
    return [
        f"axe {v['id']} ({v['impact']}): {v['help']} -> {'; '.join(n['html'][:100] for n in v['nodes'][:3])}"
        for v in axe.run(page).response["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}-{width}.png"), full_page=True)


def phone_problems(page: Page, axe, errors: list[str]) -> list[str]:
    """Everything the phone-first rules forbid on the page now shown."""
    problems = []
    if (overflow := sideways_overflow(page)) > 0:
        problems.append(f"scrolls sideways by {overflow} px")
    problems += [f"tap target under {MIN_TAP} px: {t}" for t in small_targets(page)]
    problems += axe_problems(page, axe)
    problems += [f"console: {e}" for e in errors]
    return problems
