"""The API docs page runs from the vendored Redoc bundle under the strict Content-Security-Policy, offline."""

from __future__ import annotations

import pytest

from tests.browser.steps import expect

pytestmark = pytest.mark.browser

# Redoc's footer shows Redocly's logo from their CDN, hard-coded in the bundle: the policy blocks it (nothing
# leaves the browser) and Redoc hides the image. Every other console error fails the test.
BLOCKED_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def test_the_api_docs_render_under_the_policy_without_outside_requests(page):
    problems: list[str] = []
    outside: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    # Requests the policy blocks still show as started, then failed: only finished ones left the browser.
    page.on(
        "requestfinished",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None
        ),
    )
    page.goto("/schema")
    # Redoc lays out the whole schema (well over a hundred operations) before it shows anything: on a busy
    # machine that takes longer than the usual ten seconds.
    expect(page.get_by_role("heading", name="Lingyan block workstation API")).to_be_visible(timeout=45_000)
    expect(page.get_by_role("heading", name="ApiThreads").first).to_be_attached()
    expect(page.get_by_text("/api/threads/{thread_id}").first).to_be_attached()
    assert [text for text in problems if BLOCKED_LOGO not in text] == []
    assert outside == []
