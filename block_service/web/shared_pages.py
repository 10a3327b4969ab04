"""Pages that anonymous visitors share, kept rendered until anything is written.

Residents mostly read the public thread list and thread pages without signing in, many of them at once
when a link goes round a WeChat group. Such a page is the same for every visitor without a session, so
each worker keeps it rendered per URL, language and htmx fragment, as long as:

- no process has committed any write since it was rendered (db.data_version(): SQLite's
  PRAGMA data_version, PostgreSQL's block_changed notices), so nobody ever sees an answer missing
  that was already saved;
- it is younger than MAX_AGE_SECONDS (the "overdue" marks follow the clock, not writes).

The one per-visitor part, the CSRF token, is rendered as a placeholder and filled in for each response.
Signed-in people, sessions holding anything (a flash message) and non-GET requests are never served
from here. When the version is unknown (the PostgreSQL listener is down), nothing is cached.
BLOCK_SHARED_PAGES=false turns it off.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, NamedTuple

from litestar import Request
from litestar.enums import MediaType
from litestar.response import Response
from litestar.utils.scope.state import ScopeState

from block_service.db import data_version
from block_service.web.auth import viewer_of
from block_service.web.i18n import current_language
from block_service.web.templating import render

MAX_AGE_SECONDS = 60
MAX_CHARACTERS = 8 * 1024 * 1024  # at most about 16 MB of pages per worker (2 bytes per Chinese character)
# Token-shaped, so that escaping leaves it as it is wherever the token is written into the page.
PLACEHOLDER = "sharedpagecsrfplaceholder0000000000000000"


class _Entry(NamedTuple):
    version: Hashable
    stored_at: float
    body: str
    status_code: int


class SharedPage(NamedTuple):
    """What a handler needs to fill the cache after a miss: where, and the data version read before the queries."""

    key: tuple
    version: Hashable


_entries: OrderedDict[tuple, _Entry] = OrderedDict()
_stored_characters = 0


def _key(request: Request) -> tuple | None:
    if request.method != "GET" or viewer_of(request).is_signed_in or request.scope.get("session"):
        return None
    if not request.app.state.settings.shared_pages:
        return None
    return (request.url.path, request.url.query, current_language.get(), bool(request.htmx))


def lookup(request: Request) -> Response | SharedPage | None:
    """The shared page as a response; else where to store it once rendered; None when it may not be shared."""
    key = _key(request)
    if key is None:
        return None
    version = data_version()
    if version is None:
        return None
    entry = _entries.get(key)
    if entry is not None and entry.version == version and time.monotonic() - entry.stored_at < MAX_AGE_SECONDS:
        _entries.move_to_end(key)
        return _response(request, entry.body, entry.status_code)
    return SharedPage(key=key, version=version)


def render_shared(
    request: Request,
    shared: SharedPage | None,
    template: str,
    *,
    fragment: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """Render like web.templating.render; with a SharedPage (from lookup), also keep the page for the others."""
    page = render(request, template, fragment=fragment, status_code=status_code, **context)
    if shared is None:
        return page
    state = ScopeState.from_scope(request.scope)
    token = state.csrf_token
    state.csrf_token = PLACEHOLDER
    try:
        template_context = page.create_template_context(request)
        body = request.app.template_engine.get_template(page.template_name).render(**template_context)
    finally:
        state.csrf_token = token
    if status_code == 200:
        _store(shared, body, status_code)
    return _response(request, body, status_code)


def _response(request: Request, body: str, status_code: int) -> Response:
    token = ScopeState.from_scope(request.scope).csrf_token or ""
    return Response(content=body.replace(PLACEHOLDER, token), media_type=MediaType.HTML, status_code=status_code)


def _store(shared: SharedPage, body: str, status_code: int) -> None:
    global _stored_characters
    if data_version() != shared.version:
        return  # written to while this was being rendered: it may already be out of date
    old = _entries.pop(shared.key, None)
    if old is not None:
        _stored_characters -= len(old.body)
    _entries[shared.key] = _Entry(shared.version, time.monotonic(), body, status_code)
    _stored_characters += len(body)
    while _stored_characters > MAX_CHARACTERS and _entries:
        _key_dropped, dropped = _entries.popitem(last=False)
        _stored_characters -= len(dropped.body)


def forget_all() -> None:
    global _stored_characters
    _entries.clear()
    _stored_characters = 0
