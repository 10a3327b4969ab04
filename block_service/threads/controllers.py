"""Thread pages: lists, the report form, a thread with its answers and workflow, staff tools; threads in the inbox."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Response, ServerSentEvent, Template

from block_service.errors import FormInvalid, Invalid, NotFound
from block_service.i18n import gettext as _
from block_service.shops.segments import list_segments
from block_service.shops.services import shop_choices, shops_of
from block_service.threads import (
    access,
    categories,
    desk,
    listing,
    markers,
    moderation,
    reactions,
    reading,
    workflow,
)
from block_service.threads import photos as photo_store
from block_service.threads.photo_controllers import (
    draft_photos,
)
from block_service.threads.schemas import (
    AnswerForm,
    EvaluationForm,
    FlagForm,
    StatusForm,
    ThreadFilter,
    ThreadPage,
)
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form
from block_service.web.htmx import redirect_after_post
from block_service.web.labels import N_
from block_service.web.live import announce, take_stream_slot, thread_events, viewer_now
from block_service.web.opened import read_notices_about
from block_service.web.page_parts import part_of_page
from block_service.web.params import Id, OptionalIdText, PageNumber, checked, optional_int
from block_service.web.templating import flash, render

RATE_LIMITED = {"rate_limited": True}


# The photo routes take what three photos need, no more; the message says so (other routes: about 1 MB).
PHOTO_BODY = {
    "request_max_body_size": photo_store.MAX_PHOTO_REQUEST_BYTES,
    "opt": {**RATE_LIMITED, "too_large": N_("Photos may be at most 8 MB each, and at most 3 of them.")},
}


def thread_filters(
    q: FromQuery[str | None] = None,
    kind: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    category: FromQuery[OptionalIdText] = None,
    shop: FromQuery[OptionalIdText] = None,
    segment: FromQuery[OptionalIdText] = None,
    overdue: FromQuery[str | None] = None,
    page: FromQuery[PageNumber] = 1,
) -> ThreadFilter:
    """The filters of a thread list from its query, one dependency for every list that takes them."""
    return ThreadFilter(
        q=q or None,
        kind=kind or None,
        status=status or None,
        category=optional_int(category, "category"),
        shop=optional_int(shop, "shop"),
        segment=optional_int(segment, "segment"),
        overdue=checked(overdue),
        page=page,
    )


FILTERED = {"filters": Provide(thread_filters, sync_to_thread=False)}


class ThreadController(Controller):
    @get("/threads", name="threads", dependencies=FILTERED)
    async def threads(
        self,
        request: Request,
        filters: NamedDependency[ThreadFilter],
    ) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        result = await listing.list_threads(viewer_of(request), filters)
        return shared_pages.render_shared(
            request,
            shared,
            "threads/list.html",
            fragment="threads/_results.html",
            result=result,
            thumbs=await listing.first_photos([thread.id for thread in result.items]),
            filters=filters,
            categories=await categories.list_categories(active_only=False),
            segments=await list_segments(),
            endpoint="threads",
        )

    @get("/me/threads", name="my_threads")
    async def my_threads(
        self, request: Request, status: FromQuery[str | None] = None, page: FromQuery[PageNumber] = 1
    ) -> Template:
        filters = ThreadFilter(status=status or None, page=page)
        result = await listing.my_threads(viewer_of(request), filters)
        return render(
            request,
            "threads/mine.html",
            fragment="threads/_results.html",
            result=result,
            thumbs=await listing.first_photos([thread.id for thread in result.items]),
            filters=filters,
            endpoint="my_threads",
        )

    @get("/threads/similar", name="similar_threads")
    async def similar(
        self,
        request: Request,
        title: FromQuery[str | None] = None,
        shop_id: FromQuery[OptionalIdText] = None,
        category_id: FromQuery[OptionalIdText] = None,
        house_number: FromQuery[str | None] = None,
    ) -> Template:
        similar = await listing.similar_threads(
            optional_int(shop_id, "shop_id"), optional_int(category_id, "category_id"), house_number, title
        )
        return Template(template_name="threads/_similar.html", context={"similar": similar})

    @get("/threads/{thread_id:int}", name="thread")
    async def thread(self, request: Request, thread_id: FromPath[Id]) -> Response:
        await read_notices_about(
            request, "thread", thread_id, may_see=lambda: access.get_thread(viewer_of(request), thread_id)
        )
        viewer = viewer_of(request)
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        page = await reading.get_thread_page(viewer, thread_id)
        return await _thread_page(request, page, shared=shared)

    @get("/threads/{thread_id:int}/messages", name="thread_messages")
    async def messages(self, request: Request, thread_id: FromPath[Id]) -> Template:
        """What a live page fetches when told something changed: the thread's moving parts, as this viewer sees them."""
        page = await reading.get_thread_page(viewer_of(request), thread_id)
        return Template(template_name="threads/_live.html", context={"page": page, "errors": {}})

    @get("/threads/{thread_id:int}/events", name="thread_events")
    async def events(self, request: Request, thread_id: FromPath[Id]) -> ServerSentEvent:
        viewer = viewer_of(request)
        await access.get_thread(viewer, thread_id)
        give_back = take_stream_slot(request, viewer)

        async def still_allowed() -> bool:
            current = await viewer_now(request.scope, viewer)
            if current is None:
                return False
            try:
                await access.get_thread(current, thread_id)
            except NotFound:
                return False
            return True

        stream = thread_events(request.app, thread_id, still_allowed=still_allowed, give_back=give_back)
        return ServerSentEvent(stream, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @post("/threads/{thread_id:int}/answers", name="post_answer", opt=RATE_LIMITED)
    async def post_answer(
        self, request: Request, thread_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        viewer = viewer_of(request)
        is_htmx = bool(request.htmx)
        try:
            await workflow.post_answer(viewer, thread_id, read_form(AnswerForm, data))
        except FormInvalid as error:
            if is_htmx:
                return Template(
                    template_name="threads/_answer_box.html",
                    status_code=422,
                    context={"body": data.get("body", ""), "errors": error.errors},
                )
            page = await reading.get_thread_page(viewer, thread_id)
            return await _thread_page(request, page, status_code=422, errors=error.errors, values=data)
        announce(request.app, thread_id)
        if is_htmx:
            # A fresh, empty answer box in place, and the thread's answers updated beside it.
            page = await reading.get_thread_page(viewer, thread_id)
            return Template(template_name="threads/_answered.html", context={"page": page, "body": "", "errors": {}})
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id) + "#answers")

    @post("/threads/{thread_id:int}/status", name="change_status")
    async def change_status(
        self, request: Request, thread_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        viewer = viewer_of(request)
        try:
            await workflow.change_status(viewer, thread_id, read_form(StatusForm, data))
        except (FormInvalid, Invalid) as error:
            page = await reading.get_thread_page(viewer, thread_id)
            values = {**data, "form": "status"}
            return await _thread_page(request, page, status_code=422, errors=form_errors(error), values=values)
        announce(request.app, thread_id)
        flash(request, _("The status has been changed."), "success")
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))

    @post("/threads/{thread_id:int}/metoo", name="metoo")
    async def metoo(self, request: Request, thread_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        viewer = viewer_of(request)
        on = data.get("on") == "1"
        count = await reactions.set_metoo(viewer, thread_id, on)
        announce(request.app, thread_id)
        if request.htmx:
            return Template(
                template_name="threads/_metoo.html", context={"thread_id": thread_id, "count": count, "on": on}
            )
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))

    @post("/threads/{thread_id:int}/mute", name="mute")
    async def mute(self, request: Request, thread_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        muted = data.get("muted") == "1"
        await reactions.set_muted(viewer_of(request), thread_id, muted)
        flash(
            request,
            _("You will not be notified about this thread.")
            if muted
            else _("You will be notified about this thread again."),
            "info",
        )
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))

    @post("/threads/{thread_id:int}/evaluation", name="evaluate")
    async def evaluate(
        self, request: Request, thread_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        viewer = viewer_of(request)
        try:
            status = await reactions.evaluate(viewer, thread_id, read_form(EvaluationForm, data))
        except FormInvalid as error:
            page = await reading.get_thread_page(viewer, thread_id)
            values = {**data, "form": "evaluation"}
            return await _thread_page(request, page, status_code=422, errors=error.errors, values=values)
        announce(request.app, thread_id)
        if status == "reopened":
            flash(request, _("Thank you. The thread is open again and the shop and the workstation are told."), "info")
        else:
            flash(request, _("Thank you for telling us how the fix went."), "success")
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))

    @post("/threads/{thread_id:int}/flag", name="flag_thread", opt=RATE_LIMITED)
    async def flag_thread(
        self, request: Request, thread_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        return await _flag(request, "thread", thread_id, thread_id, data)

    @post("/messages/{message_id:int}/flag", name="flag_message", opt=RATE_LIMITED)
    async def flag_message(
        self, request: Request, message_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        return await _flag(request, "message", message_id, None, data)


async def _flag(request: Request, object_type: str, object_id: int, thread_id: int | None, data: dict) -> Response:
    viewer = viewer_of(request)
    try:
        form = read_form(FlagForm, data)
    except FormInvalid as error:
        raise Invalid("Say briefly why this should be reviewed.", field="reason") from error
    if thread_id is None:
        thread_id = (await moderation.load_flaggable_for(viewer, object_type, object_id))["thread_id"]
    hidden = await moderation.flag(viewer, object_type, object_id, form.reason)
    announce(request.app, thread_id)
    flash(
        request,
        _("Thank you. Staff will review it.")
        if not hidden
        else _("Thank you. It is hidden until staff have reviewed it."),
        "info",
    )
    return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))


async def _thread_form_page(request: Request, values: dict, errors: dict, status_code: int = 200) -> Template:
    viewer = viewer_of(request)
    kind = values.get("kind") if values.get("kind") in ("report", "issue") else "report"
    return render(
        request,
        "threads/new.html",
        fragment="threads/_form.html",
        status_code=status_code,
        values=values,
        errors=errors,
        kind=kind,
        categories=await categories.list_categories(kind),
        my_shops=await shops_of(viewer.person_id) if viewer.has("merchant") else [],
        shops=await shop_choices(),
        segments=await list_segments(),
        draft_photos=draft_photos(request),
    )


async def _thread_page(
    request: Request,
    page: ThreadPage,
    status_code: int = 200,
    errors: dict | None = None,
    values: dict | None = None,
    shared: shared_pages.SharedPage | None = None,
) -> Response:
    viewer = viewer_of(request)
    templates = await categories.list_response_templates(page.thread.category_id) if viewer.is_staff else []
    return shared_pages.render_shared(
        request,
        shared,
        "threads/detail.html",
        status_code=status_code,
        page=page,
        errors=errors or {},
        values=values or {},
        response_templates=templates,
        place_map=await markers.place_map(page.thread),
        **await part_of_page("thread_proposals", viewer=viewer, thread_id=page.thread.id),
        **await part_of_page("thread_meetings", viewer=viewer, thread_id=page.thread.id),
        **await desk.staff_panel(viewer, page.thread.id),
    )
