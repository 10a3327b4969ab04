"""The inbox pages: the list, marking everything read, the navigation's badge, and the JSON of the list."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Response, Template

from block_service.inbox import services
from block_service.inbox.kinds import kind_of
from block_service.inbox.schemas import InboxItem, InboxSubject
from block_service.names import shown_name
from block_service.pagination import Page
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.htmx import redirect_after_post
from block_service.web.i18n import gettext as _
from block_service.web.labels import N_
from block_service.web.params import PageNumber, PerPage

# Who acted, when they may not be named: the alias stored instead of a name.
ACTOR_ALIASES = {"resident": N_("A resident")}
UNKNOWN_EVENT = N_("There is news about this.")


def entry_text(item: InboxItem) -> str:
    """The entry's sentence in the request's language: its kind's msgid for the event, with %(name)s the
    actor and %(detail)s the detail (as the kind labels it)."""
    registered = kind_of(item.kind)
    # A deleted account's stored label reads in the reader's language (names.shown_name).
    name = _(ACTOR_ALIASES[item.actor_alias]) if item.actor_alias in ACTOR_ALIASES else shown_name(item.actor_name)
    detail = item.detail
    if registered is not None and registered.detail_label is not None:
        detail = registered.detail_label(item.event, item.detail)
    return _(item.message, name=name, detail=detail) if item.message else _(UNKNOWN_EVENT)


async def _page(request: Request, page: int, per_page: int = services.PER_PAGE) -> Page[InboxItem]:
    result = await services.list_entries(viewer_of(request), page, per_page)
    result.items = [msgspec.structs.replace(item, text=entry_text(item)) for item in result.items]
    return result


async def _subjects(request: Request, page: int) -> Page[InboxSubject]:
    result = await services.list_subjects(viewer_of(request), page)
    for subject in result.items:
        subject.entries = [msgspec.structs.replace(item, text=entry_text(item)) for item in subject.entries]
    return result


class InboxController(Controller):
    @get("/inbox", name="inbox")
    async def inbox(self, request: Request, page: FromQuery[PageNumber] = 1) -> Response:
        """One row per subject (a thread, the account, a proposal...): its latest news, how many are unread,
        and its earlier entries opened out below it. Kept for the person until anything is written."""
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        return shared_pages.render_shared(
            request, shared, "inbox/inbox.html", fragment="inbox/_entries.html", result=await _subjects(request, page)
        )

    @post("/inbox/read", name="mark_read")
    async def mark_all_read(self, request: Request) -> Response:
        await services.mark_read(viewer_of(request).person_id)
        return redirect_after_post(request, request.app.route_reverse("inbox"))

    @get("/inbox/badge", name="inbox_badge")
    async def badge(self) -> Template:
        """The navigation's unread count, which open pages fetch again every minute (the count comes with the
        viewer: no query of its own)."""
        return Template(template_name="inbox/_badge.html")


class InboxApiController(Controller):
    path = "/api/inbox"
    tags = ["inbox"]

    @get("/", name="api_inbox")
    async def api_inbox(
        self, request: Request, page: FromQuery[PageNumber] = 1, per_page: FromQuery[PerPage] = 30
    ) -> Page[InboxItem]:
        """The caller's inbox, newest first: each entry with its sentence in the caller's language, the title
        and path of its object (empty, with `available` false, when the caller may no longer see it), and its
        `subject` ("kind:object_id"), the key the inbox page groups entries by."""
        return await _page(request, page, per_page)
