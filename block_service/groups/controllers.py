"""Group pages: the groups of the block, one group's page, my groups, choosing and appointing leaders."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Response, Template

from block_service.accounts.schemas import Viewer
from block_service.errors import DomainError, FormInvalid
from block_service.groups import leaders, membership, services
from block_service.groups.schemas import (
    AppointLeaderForm,
    BackLeaderForm,
    GroupDetail,
    GroupOut,
    WithdrawBackingForm,
)
from block_service.groups.strip import whole_road
from block_service.i18n import gettext as _
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.page_parts import part_of_page
from block_service.web.params import Id, PageNumber
from block_service.web.templating import flash, render


class GroupController(Controller):
    @get("/groups", name="groups")
    async def groups(self, request: Request) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_role)
        if isinstance(shared, Response):
            return shared
        groups = await services.list_groups(show_names=services.may_see_names(viewer_of(request)))
        return shared_pages.render_shared(request, shared, "groups/list.html", groups=groups, road=await whole_road())

    @get("/groups/{ref:str}", name="group")
    async def group(
        self,
        request: Request,
        ref: FromPath[str],
        page: FromQuery[PageNumber] = 1,
        discussion_page: FromQuery[PageNumber] = 1,
    ) -> Response:
        shared = await shared_pages.lookup(request, _group_audience)
        if isinstance(shared, Response):
            return shared
        fragment = "groups/_discussion.html" if "discussion_page" in request.query_params else ("groups/_shops.html")
        return await group_page(
            request, ref, page=page, discussion_page=discussion_page, fragment=fragment, shared=shared
        )

    @get("/me/groups", name="my_groups")
    async def my_groups(self, request: Request) -> Template:
        return render(request, "groups/mine.html", groups=await membership.my_groups(viewer_of(request)))

    @post("/groups/{group_id:int}/leader", name="back_leader")
    async def back_leader(
        self, request: Request, group_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            await leaders.back_leader(viewer_of(request), group_id, read_form(BackLeaderForm, data))
        except (FormInvalid, DomainError) as error:
            return await refused_group_form(request, group_id, "groups/_leader_form.html", error, data)
        flash(request, _("Your shop's choice of leader has been saved."), "success")
        return await _back_to_group(request, group_id)

    @post("/groups/{group_id:int}/leader/withdraw", name="withdraw_backing")
    async def withdraw_backing(
        self, request: Request, group_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        form = read_form(WithdrawBackingForm, data)
        await leaders.withdraw_backing(viewer_of(request), group_id, form.shop_id)
        flash(request, _("Your shop no longer backs anyone as leader."), "info")
        return await _back_to_group(request, group_id)


class StaffGroupController(Controller):
    path = "/staff"

    @post("/groups/{group_id:int}/leader", name="appoint_leader")
    async def appoint_leader(
        self, request: Request, group_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            await leaders.appoint_leader(viewer_of(request), group_id, read_form(AppointLeaderForm, data))
        except (FormInvalid, DomainError) as error:
            # Staff see why an appointment was refused on the form, a 403 included.
            return await refused_group_form(request, group_id, "groups/_appoint_form.html", error, data, raised=(404,))
        flash(request, _("The leader has been appointed."), "success")
        return await _back_to_group(request, group_id)

    @post("/groups/{group_id:int}/leader/clear", name="clear_leader")
    async def clear_leader(self, request: Request, group_id: FromPath[Id]) -> Response:
        await leaders.clear_appointment(viewer_of(request), group_id)
        flash(request, _("The appointment has ended."), "info")
        return await _back_to_group(request, group_id)


class GroupApiController(Controller):
    path = "/api"
    tags = ["groups"]

    @get("/groups", name="api_groups")
    async def api_groups(self, request: Request) -> list[GroupOut]:
        """The regional and industry groups, with their open shops and leaders (leaders' names for merchants
        and staff only, as on the page)."""
        return await services.list_groups(show_names=services.may_see_names(viewer_of(request)))

    @get("/groups/{ref:str}", name="api_group")
    async def api_group(self, request: Request, ref: FromPath[str], page: FromQuery[PageNumber] = 1) -> GroupDetail:
        """One group (by slug or number): its open shops, a page at a time, and its strip map."""
        return await services.get_group(ref, viewer_of(request), page)


async def refused_group_form(
    request: Request, group_id: int, fragment: str, error: Exception, data: dict, raised: tuple[int, ...] = (403, 404)
) -> Response:
    """A form on the group page that was refused: shown again with its errors; the `raised` statuses propagate."""
    if status_of(error) in raised:
        raise error
    return await group_page(
        request, group_id, fragment=fragment, errors=form_errors(error), values=data, status_code=status_of(error)
    )


def _group_audience(viewer: Viewer) -> Hashable:
    """Only merchants (their own shops, backing and the members' discussion) and staff see anything of
    their own on a group's page; everybody else with the same roles sees the same page."""
    if viewer.shop_ids or viewer.is_staff:
        return shared_pages.by_person(viewer)
    return shared_pages.by_role(viewer)


async def group_page(
    request: Request,
    ref: str | int,
    *,
    page: int = 1,
    discussion_page: int = 1,
    fragment: str | None = None,
    errors: dict | None = None,
    values: dict | None = None,
    status_code: int = 200,
    shared: shared_pages.SharedPage | None = None,
) -> Response:
    """A group's page, or one of its fragments (a refused form again with its errors)."""
    viewer = viewer_of(request)
    detail = await services.get_group(ref, viewer, page)
    strip = None
    if detail.strip is not None:
        strip = await shared_pages.kept_piece(request, detail.group.id, "groups/_strip.html", detail=detail)
    discussion = await part_of_page("group_discussion", viewer=viewer, detail=detail, discussion_page=discussion_page)
    return shared_pages.render_shared(
        request,
        shared,
        "groups/detail.html",
        fragment=fragment,
        status_code=status_code,
        detail=detail,
        strip_map=strip,
        **discussion,
        errors=errors or {},
        values=values or {},
    )


async def _back_to_group(request: Request, group_id: int) -> Response:
    slug = await services.group_slug(group_id)
    return redirect_after_post(request, request.app.route_reverse("group", ref=slug))
