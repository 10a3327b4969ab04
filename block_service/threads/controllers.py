"""Thread pages: lists, the report form, a thread with its answers and workflow, staff tools; threads in the inbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, MultipartBody, URLEncodedBody
from litestar.response import File, Response, ServerSentEvent, Template

from block_service.errors import DomainError, FormInvalid, Invalid, NotFound
from block_service.i18n import gettext as _
from block_service.inbox import KindView, register_kind
from block_service.pagination import Page
from block_service.shops.services import list_segments, shop_choices, shops_of
from block_service.threads import notify, photo_review, services
from block_service.threads import photos as photo_store
from block_service.threads.schemas import (
    AnswerForm,
    AssignForm,
    CategoryForm,
    EvaluationForm,
    FlagForm,
    ModerationForm,
    StatusForm,
    TemplateForm,
    ThreadFilter,
    ThreadForm,
    ThreadPage,
    ThreadSummary,
)
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.forms import read_form
from block_service.web.htmx import redirect_after_post
from block_service.web.labels import N_, thread_status_label
from block_service.web.live import announce, take_stream_slot, thread_events, viewer_now
from block_service.web.page_parts import part_of_page
from block_service.web.params import Id, OptionalIdText, PageNumber, PerPage, checked, optional_int
from block_service.web.templating import flash, render

RATE_LIMITED = {"rate_limited": True}
# The photo routes take what three photos need, no more; the message says so (other routes: about 1 MB).
PHOTO_BODY = {
    "request_max_body_size": photo_store.MAX_PHOTO_REQUEST_BYTES,
    "opt": {**RATE_LIMITED, "too_large": N_("Photos may be at most 8 MB each, and at most 3 of them.")},
}


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


def _errors_of(error: Exception) -> dict[str, str]:
    if isinstance(error, FormInvalid):
        return error.errors
    assert isinstance(error, DomainError)
    return {error.field or "__all__": error.translated()}


def _filters(q, kind, status, category, shop, segment, overdue, page) -> ThreadFilter:
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


def _var_dir(request: Request) -> Path:
    return request.app.state.settings.var_dir


def _uploads(data: dict[str, Any]) -> list[UploadFile]:
    files = data.get("photos")
    if files is None:
        return []
    files = files if isinstance(files, list) else [files]
    return [f for f in files if isinstance(f, UploadFile) and f.filename]


async def _store_uploads(request: Request, uploads: list[UploadFile]) -> list[tuple[str, int, int, int]]:
    return await photo_store.store_uploads(_var_dir(request), uploads)


class ThreadController(Controller):
    @get("/threads", name="threads")
    async def threads(
        self,
        request: Request,
        q: FromQuery[str | None] = None,
        kind: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        category: FromQuery[OptionalIdText] = None,
        shop: FromQuery[OptionalIdText] = None,
        segment: FromQuery[OptionalIdText] = None,
        overdue: FromQuery[str | None] = None,
        page: FromQuery[PageNumber] = 1,
    ) -> Response:
        filters = _filters(q, kind, status, category, shop, segment, overdue, page)
        shared = shared_pages.lookup(request)
        if isinstance(shared, Response):
            return shared
        return shared_pages.render_shared(
            request,
            shared,
            "threads/list.html",
            fragment="threads/_results.html",
            result=await services.list_threads(viewer_of(request), filters),
            filters=filters,
            categories=await services.list_categories(active_only=False),
            segments=await list_segments(),
            endpoint="threads",
        )

    @get("/me/threads", name="my_threads")
    async def my_threads(
        self, request: Request, status: FromQuery[str | None] = None, page: FromQuery[PageNumber] = 1
    ) -> Template:
        filters = ThreadFilter(status=status or None, page=page)
        return render(
            request,
            "threads/mine.html",
            fragment="threads/_results.html",
            result=await services.my_threads(viewer_of(request), filters),
            filters=filters,
            endpoint="my_threads",
        )

    @get("/threads/new", name="thread_form")
    async def thread_form(
        self, request: Request, kind: FromQuery[str] = "report", shop: FromQuery[OptionalIdText] = None
    ) -> Template:
        viewer = viewer_of(request)
        kind = "issue" if kind == "issue" and (viewer.has("merchant") or viewer.is_staff) else "report"
        return await _thread_form_page(request, {"kind": kind, "shop_id": str(shop or "")}, {})

    @post("/threads/new", name="open_thread", **PHOTO_BODY)
    async def open_thread(self, request: Request, data: MultipartBody[dict[str, Any]]) -> Response:
        viewer = viewer_of(request)
        fields = {k: v for k, v in data.items() if not isinstance(v, UploadFile | list)}
        stored: list[tuple[str, int, int, int]] = []
        try:
            form = read_form(ThreadForm, fields)
            stored = await _store_uploads(request, _uploads(data))
            thread_id = await services.open_thread(viewer, form, stored)
        except (FormInvalid, DomainError) as error:
            photo_store.discard_photos(_var_dir(request), [name for name, *_rest in stored])
            if isinstance(error, DomainError) and error.status_code in (403, 404):
                raise
            return await _thread_form_page(request, fields, _errors_of(error), status_code=422)
        flash(
            request,
            _("Thank you. Your report is number %(id)s; you will be told of every step.", id=thread_id),
            "success",
        )
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))

    @get("/threads/similar", name="similar_threads")
    async def similar(
        self,
        request: Request,
        title: FromQuery[str | None] = None,
        shop_id: FromQuery[OptionalIdText] = None,
        category_id: FromQuery[OptionalIdText] = None,
        house_number: FromQuery[str | None] = None,
    ) -> Template:
        similar = await services.similar_threads(
            optional_int(shop_id, "shop_id"), optional_int(category_id, "category_id"), house_number, title
        )
        return Template(template_name="threads/_similar.html", context={"similar": similar})

    @get("/threads/{thread_id:int}", name="thread")
    async def thread(self, request: Request, thread_id: FromPath[Id]) -> Response:
        shared = shared_pages.lookup(request)
        if isinstance(shared, Response):
            return shared
        viewer = viewer_of(request)
        page = await services.get_thread_page(viewer, thread_id)
        if viewer.is_signed_in and viewer.unread:
            await services.mark_read(viewer, thread_id)
            # The navigation on this very page should already count this thread's notices as read.
            request.scope["user"] = msgspec.structs.replace(
                viewer, unread=await services.unread_count(viewer.person_id)
            )
        return await _thread_page(request, page, shared=shared)

    @get("/threads/{thread_id:int}/messages", name="thread_messages")
    async def messages(self, request: Request, thread_id: FromPath[Id]) -> Template:
        """What a live page fetches when told something changed: the thread's moving parts, as this viewer sees them."""
        page = await services.get_thread_page(viewer_of(request), thread_id)
        return Template(template_name="threads/_live.html", context={"page": page, "errors": {}})

    @get("/threads/{thread_id:int}/events", name="thread_events")
    async def events(self, request: Request, thread_id: FromPath[Id]) -> ServerSentEvent:
        viewer = viewer_of(request)
        await services.get_thread(viewer, thread_id)
        give_back = take_stream_slot(request, viewer)

        async def still_allowed() -> bool:
            current = await viewer_now(request.scope, viewer)
            if current is None:
                return False
            try:
                await services.get_thread(current, thread_id)
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
        is_htmx = request.headers.get("hx-request") == "true"
        try:
            await services.post_answer(viewer, thread_id, read_form(AnswerForm, data))
        except FormInvalid as error:
            if is_htmx:
                return Template(
                    template_name="threads/_answer_box.html",
                    status_code=422,
                    context={"body": data.get("body", ""), "errors": error.errors},
                )
            page = await services.get_thread_page(viewer, thread_id)
            return await _thread_page(request, page, status_code=422, errors=error.errors, values=data)
        announce(request.app, thread_id)
        if is_htmx:
            # A fresh, empty answer box in place, and the thread's answers updated beside it.
            page = await services.get_thread_page(viewer, thread_id)
            return Template(template_name="threads/_answered.html", context={"page": page, "body": "", "errors": {}})
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id) + "#answers")

    @post("/threads/{thread_id:int}/status", name="change_status")
    async def change_status(
        self, request: Request, thread_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        viewer = viewer_of(request)
        try:
            await services.change_status(viewer, thread_id, read_form(StatusForm, data))
        except (FormInvalid, Invalid) as error:
            page = await services.get_thread_page(viewer, thread_id)
            return await _thread_page(request, page, status_code=422, errors=_errors_of(error), values=data)
        announce(request.app, thread_id)
        flash(request, _("The status has been changed."), "success")
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))

    @post("/threads/{thread_id:int}/metoo", name="metoo")
    async def metoo(self, request: Request, thread_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        viewer = viewer_of(request)
        on = data.get("on") == "1"
        count = await services.set_metoo(viewer, thread_id, on)
        announce(request.app, thread_id)
        if request.headers.get("hx-request") == "true":
            return Template(
                template_name="threads/_metoo.html", context={"thread_id": thread_id, "count": count, "on": on}
            )
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))

    @post("/threads/{thread_id:int}/mute", name="mute")
    async def mute(self, request: Request, thread_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        muted = data.get("muted") == "1"
        await services.set_muted(viewer_of(request), thread_id, muted)
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
            await services.evaluate(viewer, thread_id, read_form(EvaluationForm, data))
        except FormInvalid as error:
            page = await services.get_thread_page(viewer, thread_id)
            return await _thread_page(request, page, status_code=422, errors=error.errors, values=data)
        announce(request.app, thread_id)
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

    @get("/photos/{file_name:str}", name="photo")
    async def photo(self, request: Request, file_name: FromPath[str]) -> File:
        await photo_review.photo_for(viewer_of(request), file_name)
        path = photo_store.photo_file(_var_dir(request), file_name)
        if path is None:
            raise NotFound("No such photo.")
        return File(
            path=path,
            media_type="image/jpeg",
            content_disposition_type="inline",
            filename=file_name,
            headers={
                "Cache-Control": "private, max-age=86400",
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )


async def _flag(request: Request, object_type: str, object_id: int, thread_id: int | None, data: dict) -> Response:
    viewer = viewer_of(request)
    try:
        form = read_form(FlagForm, data)
    except FormInvalid as error:
        raise Invalid("Say briefly why this should be reviewed.", field="reason") from error
    if thread_id is None:
        thread_id = (await services.load_flaggable_for(viewer, object_type, object_id))["thread_id"]
    hidden = await services.flag(viewer, object_type, object_id, form.reason)
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
        categories=await services.list_categories(kind),
        my_shops=await shops_of(viewer.person_id) if viewer.has("merchant") else [],
        shops=await shop_choices(),
        segments=await list_segments(),
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
    templates = await services.list_response_templates(page.thread.category_id) if viewer.is_staff else []
    return shared_pages.render_shared(
        request,
        shared,
        "threads/detail.html",
        status_code=status_code,
        page=page,
        errors=errors or {},
        values=values or {},
        response_templates=templates,
        **await part_of_page("thread_proposals", viewer=viewer, thread_id=page.thread.id),
        **await part_of_page("thread_meetings", viewer=viewer, thread_id=page.thread.id),
    )


class StaffThreadController(Controller):
    path = "/staff"

    @get("/triage", name="triage")
    async def triage(
        self,
        request: Request,
        q: FromQuery[str | None] = None,
        kind: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        category: FromQuery[OptionalIdText] = None,
        shop: FromQuery[OptionalIdText] = None,
        segment: FromQuery[OptionalIdText] = None,
        overdue: FromQuery[str | None] = None,
        page: FromQuery[PageNumber] = 1,
    ) -> Template:
        filters = _filters(q, kind, status, category, shop, segment, overdue, page)
        return render(
            request,
            "threads/triage.html",
            fragment="threads/_results.html",
            result=await services.triage_queue(viewer_of(request), filters),
            filters=filters,
            categories=await services.list_categories(active_only=False),
            segments=await list_segments(),
            overdue_count=await services.count_overdue(),
            endpoint="triage",
        )

    @post("/threads/{thread_id:int}/assign", name="assign_thread")
    async def assign(self, request: Request, thread_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        form = read_form(AssignForm, data)
        await services.assign_thread(viewer_of(request), thread_id, form.staff_id)
        flash(request, _("Assigned."), "success")
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))

    @get("/moderation", name="moderation_queue")
    async def moderation_queue(self, request: Request) -> Template:
        return render(request, "threads/moderation.html", items=await services.flagged_items())

    @post("/moderation/{object_type:str}/{object_id:int}", name="moderate")
    async def moderate(
        self,
        request: Request,
        object_type: FromPath[str],
        object_id: FromPath[Id],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        try:
            form = read_form(ModerationForm, data)
        except FormInvalid as error:
            raise Invalid("Give the reason the author will see.", field="reason") from error
        hide = data.get("action") == "hide"
        thread_id = await services.moderate(viewer_of(request), object_type, object_id, hide, form.reason)
        announce(request.app, thread_id)
        flash(request, _("Hidden; the author sees your reason.") if hide else _("Restored."), "success")
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))

    @get("/photos", name="photo_queue")
    async def photo_queue(self, request: Request) -> Template:
        return render(request, "threads/photo_queue.html", photos=await photo_review.photos_awaiting_approval())

    @post("/photos/{photo_id:int}/approve", name="approve_photo")
    async def approve_photo(
        self, request: Request, photo_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        thread_id = await photo_review.approve_photo(viewer_of(request), photo_id)
        announce(request.app, thread_id)
        flash(request, _("The photo is shown to everyone now."), "success")
        return _back_from_photo(request, data, thread_id)

    @post("/photos/{photo_id:int}/remove", name="remove_photo")
    async def remove_photo(
        self, request: Request, photo_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            form = read_form(ModerationForm, data)
        except FormInvalid as error:
            raise Invalid("Give the reason the author will see.", field="reason") from error
        thread_id = await photo_review.remove_photo(viewer_of(request), _var_dir(request), photo_id, form.reason)
        announce(request.app, thread_id)
        flash(request, _("The photo has been removed; the reporter sees your reason."), "success")
        return _back_from_photo(request, data, thread_id)

    @get("/categories", name="categories")
    async def categories(self, request: Request) -> Template:
        return await _categories_page(request)

    @post("/categories", name="create_category")
    async def create_category(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        return await _save(request, data, CategoryForm, services.save_category, None, "category")

    @post("/categories/{category_id:int}", name="update_category")
    async def update_category(
        self, request: Request, category_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        return await _save(request, data, CategoryForm, services.save_category, category_id, "category")

    @post("/templates", name="create_template")
    async def create_template(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        return await _save(request, data, TemplateForm, services.save_response_template, None, "template")

    @post("/templates/{template_id:int}", name="update_template")
    async def update_template(
        self, request: Request, template_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        return await _save(request, data, TemplateForm, services.save_response_template, template_id, "template")

    @get("/templates/{template_id:int}/answer", name="template_answer")
    async def template_answer(self, request: Request, template_id: FromPath[Id]) -> Template:
        """The answer box filled with a prepared answer (htmx swaps it in place)."""
        template = await services.get_response_template(template_id)
        return Template(template_name="threads/_answer_box.html", context={"body": template.body, "errors": {}})


def _back_from_photo(request: Request, data: dict, thread_id: int) -> Response:
    """Back to the queue the photo was decided from, else to its thread."""
    if data.get("back") == "queue":
        return redirect_after_post(request, request.app.route_reverse("photo_queue"))
    return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))


async def _categories_page(request: Request, errors: dict | None = None, status_code: int = 200) -> Template:
    return render(
        request,
        "threads/categories.html",
        status_code=status_code,
        categories=await services.list_categories(active_only=False),
        templates=await services.list_response_templates(),
        errors=errors or {},
    )


async def _save(request, data, form_type, save, row_id, kind) -> Response:
    try:
        await save(viewer_of(request), read_form(form_type, data), row_id)
    except (FormInvalid, DomainError) as error:
        if isinstance(error, DomainError) and error.status_code == 404:
            raise
        return await _categories_page(request, errors={(kind, row_id): _errors_of(error)}, status_code=422)
    flash(request, _("Saved."), "success")
    return redirect_after_post(request, request.app.route_reverse("categories"))


class ThreadApiController(Controller):
    path = "/api/threads"
    tags = ["threads"]

    @get("/", name="api_threads")
    async def api_threads(
        self,
        request: Request,
        q: FromQuery[str | None] = None,
        kind: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        category: FromQuery[OptionalIdText] = None,
        shop: FromQuery[OptionalIdText] = None,
        segment: FromQuery[OptionalIdText] = None,
        overdue: FromQuery[str | None] = None,
        page: FromQuery[PageNumber] = 1,
        per_page: FromQuery[PerPage] = 20,
    ) -> Page[ThreadSummary]:
        """Threads visible to the caller, filtered, newest activity first."""
        filters = _filters(q, kind, status, category, shop, segment, overdue, page)
        filters.per_page = per_page
        return await services.list_threads(viewer_of(request), filters)

    @get("/{thread_id:int}", name="api_thread")
    async def api_thread(self, request: Request, thread_id: FromPath[Id]) -> ThreadPage:
        """A thread with its messages, photos and evaluation summary, as the caller may see it."""
        return await services.get_thread_page(viewer_of(request), thread_id)
