"""The merchant's to-do on /me/shops: its part of the page, and answering a thread from it in place."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Response, Template

from block_service.accounts.schemas import Viewer
from block_service.errors import FormInvalid
from block_service.i18n import gettext as _
from block_service.shops.applications import applications_of
from block_service.shops.services import shops_of
from block_service.threads import todo, workflow
from block_service.threads.schemas import AnswerForm
from block_service.web.auth import viewer_of
from block_service.web.forms import read_form
from block_service.web.htmx import redirect_after_post
from block_service.web.live import announce
from block_service.web.page_parts import fills
from block_service.web.params import Id
from block_service.web.templating import flash, render


@fills("shop_todo")
async def shop_todo(viewer: Viewer) -> dict:
    """What waits for the answer of each shop the viewer acts for."""
    return {"todo": await todo.shop_todo(viewer)}


class MerchantDeskController(Controller):
    @post("/me/shops/threads/{thread_id:int}/answer", name="todo_answer", opt={"rate_limited": True})
    async def todo_answer(
        self, request: Request, thread_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        """The thread's answer, sent from the to-do: the item comes back in place (answered, or with the error)."""
        viewer = viewer_of(request)
        item = await todo.todo_item(viewer, thread_id)
        try:
            await workflow.post_answer(viewer, thread_id, read_form(AnswerForm, data))
        except FormInvalid as error:
            if not request.htmx:
                return await _my_shops_page(request, viewer, {thread_id: error.errors}, {thread_id: data})
            context = {"item": item, "values": data, "errors": error.errors, "answered_now": False}
            return Template(template_name="threads/_todo_item.html", context=context, status_code=422)
        announce(request.app, thread_id)
        if not request.htmx:
            flash(request, _("Your answer has been sent; the reporter is told."), "success")
            return redirect_after_post(request, request.app.route_reverse("my_shops") + f"#todo-{thread_id}")
        item = await todo.todo_item(viewer, thread_id)
        context = {"item": item, "values": {}, "errors": {}, "answered_now": True}
        return Template(template_name="threads/_todo_item.html", context=context)


async def _my_shops_page(request: Request, viewer: Viewer, errors: dict, values: dict) -> Template:
    """/me/shops again with a refused answer in place (without JavaScript): its error beside its box."""
    return render(
        request,
        "shops/mine.html",
        status_code=422,
        shops=await shops_of(viewer.person_id),
        applications=await applications_of(viewer.person_id),
        todo=await todo.shop_todo(viewer),
        todo_errors=errors,
        todo_values=values,
    )
