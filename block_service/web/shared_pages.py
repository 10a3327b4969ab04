"""Pages kept rendered until anything is written: whole pages for visitors, page bodies for the signed in.

Residents mostly read the public thread list and thread pages without signing in, many of them at once
when a link goes round a WeChat group. Such a page is the same for every visitor without a session, so
each worker keeps it rendered per URL, language and htmx fragment, as long as:

- no process has committed any write since it was rendered (db.data_version(): SQLite's
  PRAGMA data_version, PostgreSQL's block_changed notices), so nobody ever sees an answer missing
  that was already saved;
- it is younger than MAX_AGE_SECONDS (the "overdue" marks follow the clock, not writes); a page only too old
  is still served to others while one request renders it afresh (pages kept at the same moment do not all
  fall due together either: each is kept up to a quarter of the age less).

Signed-in people (and visitors whose session holds a flash message) get a page in two parts: the body
(the template's `title` and `content` blocks, or the whole htmx fragment) is kept under the same rules,
per URL, language, fragment and *audience*; the shell around it (base.html: the navigation with the
person's name, unread count and role links, the privacy banner, flash messages) is rendered for every
request. The controller names the audience, i.e. everything about the viewer the body depends on:
`by_role` when the body is the same for everybody with the same roles, `by_person` when it shows
anything of the person's own (their support, their forms, what only they may see). A controller that
names none is never served a kept body when signed in.

The one per-visitor part of a kept body, the CSRF token, is rendered as a placeholder; the body is kept
encoded, cut at the placeholders, and each response joins the pieces with its own token (no page-sized
text is searched or encoded again per request). Non-GET requests are never served from here. When the
version is unknown (the PostgreSQL listener is down), nothing is kept. BLOCK_SHARED_PAGES=false turns it all off.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, NamedTuple, TypeVar

from litestar import Request
from litestar.enums import MediaType
from litestar.response import Response, Template
from litestar.types import Message, Scope
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup

from block_service.accounts.schemas import Viewer
from block_service.db import data_version, note_local_write
from block_service.db.kept import forget_kept, kept
from block_service.web.auth import viewer_of
from block_service.web.i18n import current_language
from block_service.web.templating import FLASH_KEY, render

MAX_AGE_SECONDS = 60
MAX_BYTES = 16 * 1024 * 1024  # at most about 16 MB of kept pages per worker
# Token-shaped, so that escaping leaves it as it is wherever the token is written into the page.
PLACEHOLDER = "sharedpagecsrfplaceholder0000000000000000"
_PLACEHOLDER_BYTES = PLACEHOLDER.encode()
SHELL_TEMPLATE = "base.html"
_BODY_BLOCKS = ("title", "content")

Audience = Callable[[Viewer], Hashable]
T = TypeVar("T")


def by_role(viewer: Viewer) -> Hashable:
    """The body shows nothing of the person's own: people with the same roles share it."""
    return ("role", viewer.is_signed_in, viewer.roles, viewer.needs_second_factor)


def by_person(viewer: Viewer) -> Hashable:
    """The body shows something of the person's own: kept for them alone."""
    return ("person", viewer.person_id, viewer.roles, viewer.shop_ids, viewer.needs_second_factor)


Pieces = tuple[bytes, ...]  # UTF-8 text cut at the CSRF placeholders: joined with the request's token


def _pieces(text: str) -> Pieces:
    return tuple(text.encode().split(_PLACEHOLDER_BYTES))


def _size(pieces: Pieces) -> int:
    return sum(map(len, pieces))


class _Entry(NamedTuple):
    version: Hashable
    fresh_until: float  # time.monotonic() after which it is rendered again (served meanwhile)
    body: Pieces  # the whole page, the whole fragment, or the content block
    status_code: int
    title: Pieces | None = None  # the title block, when body is the content block


class SharedPage(NamedTuple):
    """What a handler needs to fill the cache after a miss: where, the data version read before the
    queries, and whether the whole page (a visitor's) or only its body is kept."""

    key: tuple
    version: Hashable
    whole_page: bool = True


_entries: OrderedDict[tuple, _Entry] = OrderedDict()
_stored_bytes = 0
_shells: OrderedDict[tuple, tuple[Pieces, Pieces, Pieces]] = OrderedDict()
MAX_SHELLS = 4000  # about 6 KB each
_TITLE_MARK = "\x00kept-title\x00"
_CONTENT_MARK = "\x00kept-content\x00"


def _key(request: Request, audience: Audience | None) -> tuple | None:
    if request.method != "GET" or not request.app.state.settings.shared_pages:
        return None
    where = (request.url.path, request.url.query, current_language.get(), bool(request.htmx))
    viewer = viewer_of(request)
    if not viewer.is_signed_in and not request.scope.get("session"):
        return ("page", *where)
    if audience is None:
        return None
    return ("body", *where, audience(viewer))


# Pages being rendered in this worker, by key: (the data version, settled once the page is kept or the request
# is over). A request missing a page another request is already rendering waits for it (at most WAIT_SECONDS)
# instead of rendering it too: after a write or the minute, a busy page is rendered once per worker, not once
# per waiting connection.
_rendering: dict[tuple, tuple[Hashable, asyncio.Future]] = {}
WAIT_SECONDS = 2.0
_RENDERING_KEY = "block.shared_page_rendering"


async def lookup(request: Request, audience: Audience | None = None) -> Response | SharedPage | None:
    """The kept page as a response; else where to keep it once rendered; None when it may not be kept."""
    key = _key(request, audience)
    if key is None:
        return None
    version = data_version()
    if version is None:
        return None
    entry = _entries.get(key)
    current = entry is not None and entry.version == version
    if current and time.monotonic() < entry.fresh_until:
        return _kept_response(request, key, entry)
    shared = SharedPage(key=key, version=version, whole_page=key[0] == "page")
    pending = _rendering.get(key)
    if pending is not None and pending[0] == version:
        if current:  # only too old: what it shows is still true but for the clock, while it is rendered again
            return _kept_response(request, key, entry)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(pending[1]), WAIT_SECONDS)
        entry = _entries.get(key)
        if entry is not None and entry.version == version:
            return _kept_response(request, key, entry)
        return shared  # not kept (an error, a write meanwhile): render it here
    future = asyncio.get_running_loop().create_future()
    _rendering[key] = (version, future)
    request.scope[_RENDERING_KEY] = (key, future)  # type: ignore[literal-required]
    return shared


def _kept_response(request: Request, key: tuple, entry: _Entry) -> Response:
    _entries.move_to_end(key)
    if entry.title is not None:
        return _response(request, _render_shell(request, entry.title, entry.body), entry.status_code)
    return _response(request, (entry.body,), entry.status_code)


def _rendered(scope: Scope) -> None:
    """This request is done with the page it was rendering: wake whoever waits for it."""
    rendering = scope.pop(_RENDERING_KEY, None)  # type: ignore[misc]
    if rendering is None:
        return
    key, future = rendering
    if not future.done():
        future.set_result(None)
    pending = _rendering.get(key)
    if pending is not None and pending[1] is future:  # not one registered since by a request of a newer version
        del _rendering[key]


def render_shared(
    request: Request,
    shared: SharedPage | None,
    template: str,
    *,
    fragment: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """Render like web.templating.render; with a SharedPage (from lookup), also keep the page or its body."""
    page = render(request, template, fragment=fragment, status_code=status_code, **context)
    if shared is None:
        return page
    state = ScopeState.from_scope(request.scope)
    token = state.csrf_token
    state.csrf_token = PLACEHOLDER
    try:
        body, title, whole = _render_parts(request, page, split=not shared.whole_page)
    finally:
        state.csrf_token = token
    kept = _pieces(body)
    if status_code == 200:
        _store(shared, kept, status_code, None if title is None else _pieces(title))
    _rendered(request.scope)
    return _response(request, (kept if whole is body else _pieces(whole),), status_code)


def _render_parts(request: Request, page: Template, split: bool) -> tuple[str, str | None, str]:
    """(what to keep, the kept title or None, the whole response), rendered once."""
    template_context = page.create_template_context(request)
    template = request.app.template_engine.get_template(page.template_name)
    if not split or "content" not in template.blocks:
        whole = template.render(**template_context)
        return whole, None, whole
    context = template.new_context(template_context)
    captured: dict[str, str] = {}
    shell = request.app.template_engine.get_template(SHELL_TEMPLATE)
    for name in _BODY_BLOCKS:
        # A block the page does not fill is the shell's own; the shell appends its blocks behind the page's.
        stack = context.blocks.setdefault(name, [shell.blocks[name]])
        stack[0] = _capturing(stack[0], name, captured)
    whole = template.environment.concat(template.root_render_func(context))  # type: ignore[attr-defined]
    return captured["content"], captured["title"], whole


def _capturing(block: Callable, name: str, captured: dict[str, str]) -> Callable:
    def render_block(context):
        text = "".join(block(context))
        captured[name] = text
        yield text

    return render_block


def _render_shell(request: Request, title: Pieces, content: Pieces) -> tuple[Pieces, ...]:
    """base.html for this request, around a kept title and content.

    The shell is a function of the language, the path and the viewer (name, roles, unread count, privacy
    version: all in the Viewer) and of nothing else but the CSRF token (a placeholder here) and the flash
    messages (then it is rendered afresh): kept by exactly that, it needs no data version."""
    session = request.scope.get("session")
    key = None
    if not (isinstance(session, dict) and session.get(FLASH_KEY)):
        key = (current_language.get(), request.url.path, viewer_of(request))
        parts = _shells.get(key)
        if parts is not None:
            _shells.move_to_end(key)
            return (parts[0], title, parts[1], content, parts[2])
    state = ScopeState.from_scope(request.scope)
    token = state.csrf_token
    if key is not None:
        state.csrf_token = PLACEHOLDER
    try:
        shell = _render_base(request, _TITLE_MARK, _CONTENT_MARK)
    finally:
        state.csrf_token = token
    before, rest = shell.split(_TITLE_MARK, 1)
    between, after = rest.split(_CONTENT_MARK, 1)
    parts = (_pieces(before), _pieces(between), _pieces(after))
    if key is not None:
        _shells[key] = parts
        while len(_shells) > MAX_SHELLS:
            _shells.popitem(last=False)
    return (parts[0], title, parts[1], content, parts[2])


def _render_base(request: Request, title: str, content: str) -> str:
    shell = Template(template_name=SHELL_TEMPLATE, context={})
    template = request.app.template_engine.get_template(SHELL_TEMPLATE)
    context = template.new_context(shell.create_template_context(request))
    context.blocks["title"] = [lambda _context: iter((title,))]
    context.blocks["content"] = [lambda _context: iter((content,))]
    return template.environment.concat(template.root_render_func(context))  # type: ignore[attr-defined]


def _response(request: Request, parts: tuple[Pieces, ...], status_code: int) -> Response:
    """The page from its parts, each joined with this request's CSRF token where the placeholder was."""
    token = (ScopeState.from_scope(request.scope).csrf_token or "").encode()
    body = b"".join(token.join(pieces) for pieces in parts)
    return Response(content=body, media_type=MediaType.HTML, status_code=status_code)


def _entry_size(entry: _Entry) -> int:
    return _size(entry.body) + (_size(entry.title) if entry.title is not None else 0)


def _store(shared: SharedPage, body: Pieces, status_code: int, title: Pieces | None) -> None:
    global _stored_bytes
    if data_version() != shared.version:
        return  # written to while this was being rendered: it may already be out of date
    old = _entries.pop(shared.key, None)
    if old is not None:
        _stored_bytes -= _entry_size(old)
    fresh_for = MAX_AGE_SECONDS * random.uniform(0.75, 1.0)  # noqa: S311 (spreading, not a secret)
    entry = _Entry(shared.version, time.monotonic() + fresh_for, body, status_code, title)
    _entries[shared.key] = entry
    _stored_bytes += _entry_size(entry)
    while _stored_bytes > MAX_BYTES and _entries:
        _key_dropped, dropped = _entries.popitem(last=False)
        _stored_bytes -= _entry_size(dropped)


async def kept_value(request: Request, audience: Audience, build: Callable[[], Awaitable[T]]) -> T:
    """What `build` returns for this URL, language and audience, kept under the same rules as the pages:
    for the JSON API, whose answers are encoded afresh but not queried again."""
    if request.method != "GET" or not request.app.state.settings.shared_pages:
        return await build()
    key = ("api", request.url.path, request.url.query, current_language.get(), audience(viewer_of(request)))
    return await kept(key, build)


async def kept_piece(request: Request, key: Hashable, template: str, **context: Any) -> Markup:
    """A piece of a page that is the same for everybody (say, a group's strip map), rendered once per key and
    language until the next write. It must not contain a form (no CSRF token is filled in)."""

    async def build() -> Markup:
        template_context = Template(template_name=template, context=context).create_template_context(request)
        return Markup(request.app.template_engine.get_template(template).render(**template_context))

    if not request.app.state.settings.shared_pages:
        return await build()
    return await kept(("piece", template, key, current_language.get()), build)


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def on_response_start(message: Message, scope: Scope) -> None:
    """A before_send hook: once a request that may have written answers, its writes are committed; count
    them at once, before the person's next request can ask for a kept page (PostgreSQL's notice of the
    write comes round a moment later). It also wakes the requests waiting for a page this one was to render
    and did not (it failed, or answered otherwise)."""
    if message["type"] == "http.response.start":
        if scope.get("method") not in _SAFE_METHODS:
            note_local_write()
        _rendered(scope)


def forget_all() -> None:
    global _stored_bytes
    _entries.clear()
    _rendering.clear()
    forget_kept()
    _shells.clear()
    _stored_bytes = 0
