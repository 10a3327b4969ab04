"""Threads on other domains' pages (a shop's threads, a group's discussion and the form that starts one) and in
the shared inbox."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Response

from block_service.accounts.schemas import Viewer
from block_service.errors import DomainError, FormInvalid
from block_service.groups.controllers import refused_group_form
from block_service.groups.schemas import GroupDetail
from block_service.groups.services import group_id_of
from block_service.i18n import gettext as _
from block_service.inbox import KindView, register_kind
from block_service.threads import listing, notify, opening, services
from block_service.threads.schemas import GroupThreadForm, ThreadFilter
from block_service.web.auth import viewer_of
from block_service.web.forms import read_form
from block_service.web.htmx import redirect_after_post
from block_service.web.labels import N_, thread_status_label
from block_service.web.page_parts import fills
from block_service.web.templating import flash


class GroupDiscussionController(Controller):
    @post("/groups/{ref:str}/threads", name="open_group_thread", opt={"rate_limited": True})
    async def open_group_thread(
        self, request: Request, ref: FromPath[str], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        group_id = await group_id_of(ref)
        try:
            form = read_form(GroupThreadForm, data)
            thread_id = await opening.open_group_thread(viewer_of(request), group_id, form.title, form.body)
        except (FormInvalid, DomainError) as error:
            return await refused_group_form(request, group_id, "groups/_discussion_form.html", error, data)
        flash(
            request,
            _("Your discussion has started; only the group's merchants and the workstation read it."),
            "success",
        )
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))


@fills("shop_threads")
async def shop_threads(viewer: Viewer, shop_id: int) -> dict:
    """The shop page's latest threads about the shop."""
    filters = ThreadFilter(shop=shop_id, per_page=10)
    result = await listing.list_threads(viewer, filters)
    thumbs = await listing.first_photos([thread.id for thread in result.items])
    return {"result": result, "filters": filters, "endpoint": "threads", "thumbs": thumbs}


@fills("group_discussion")
async def group_discussion(viewer: Viewer, detail: GroupDetail, discussion_page: int) -> dict:
    """A group's discussion on its page, for its members and staff; nobody else sees that it exists."""
    if not (detail.is_member or viewer.is_staff):
        return {"discussion": None}
    return {"discussion": await listing.list_group_threads(viewer, detail.group.id, discussion_page)}


async def _describe_threads(thread_ids: list[int], viewer) -> dict[int, KindView]:
    """Threads in a viewer's inbox: only those they may still see (a group's discussion, a hidden thread)."""
    titles = await services.thread_titles_for(thread_ids, viewer)
    return {thread_id: KindView(title=title, url=f"/threads/{thread_id}") for thread_id, title in titles.items()}


def _thread_detail(event: str, detail: str) -> str:
    return thread_status_label(detail) if event == "status" else detail


register_kind(
    notify.KIND,
    _describe_threads,
    {
        "opened": N_("A new thread concerns your shop."),
        "answer": N_("%(name)s answered."),
        "status": N_("%(name)s changed the status to “%(detail)s”."),
        "moderation": N_("Staff reviewed what you wrote: %(detail)s"),
        "evaluate": N_("This thread is closed. Was it fixed? Tell us in one click."),
        "assigned": N_("%(name)s assigned this thread to you."),
    },
    detail_label=_thread_detail,
)
