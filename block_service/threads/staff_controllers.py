"""The staff's thread pages: triage, assignment, moderation, photo review, categories and templates."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Response, Template

from block_service.errors import DomainError, FormInvalid, Invalid
from block_service.i18n import gettext as _
from block_service.shops.segments import list_segments
from block_service.threads import (
    categories,
    listing,
    moderation,
    photo_review,
    workflow,
)
from block_service.threads.controllers import FILTERED
from block_service.threads.photo_controllers import var_dir
from block_service.threads.schemas import (
    AssignForm,
    CategoryForm,
    ModerationForm,
    TemplateForm,
    ThreadFilter,
)
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form
from block_service.web.htmx import redirect_after_post
from block_service.web.live import announce
from block_service.web.params import Id
from block_service.web.templating import flash, render


class StaffThreadController(Controller):
    path = "/staff"

    @get("/triage", name="triage", dependencies=FILTERED)
    async def triage(
        self,
        request: Request,
        filters: NamedDependency[ThreadFilter],
    ) -> Template:
        return render(
            request,
            "threads/triage.html",
            fragment="threads/_results.html",
            result=await listing.triage_queue(viewer_of(request), filters),
            filters=filters,
            categories=await categories.list_categories(active_only=False),
            segments=await list_segments(),
            overdue_count=await listing.count_overdue(),
            endpoint="triage",
        )

    @post("/threads/{thread_id:int}/assign", name="assign_thread")
    async def assign(self, request: Request, thread_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        form = read_form(AssignForm, data)
        await workflow.assign_thread(viewer_of(request), thread_id, form.staff_id)
        flash(request, _("Assigned."), "success")
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))

    @get("/moderation", name="moderation_queue")
    async def moderation_queue(self, request: Request) -> Template:
        return render(request, "threads/moderation.html", items=await moderation.flagged_items())

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
        thread_id = await moderation.moderate(viewer_of(request), object_type, object_id, hide, form.reason)
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
        thread_id = await photo_review.remove_photo(viewer_of(request), var_dir(request), photo_id, form.reason)
        announce(request.app, thread_id)
        flash(request, _("The photo has been removed; the reporter sees your reason."), "success")
        return _back_from_photo(request, data, thread_id)

    @get("/categories", name="categories")
    async def categories(self, request: Request) -> Template:
        return await _categories_page(request)

    @post("/categories", name="create_category")
    async def create_category(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        return await _save(request, data, CategoryForm, categories.save_category, None, "category")

    @post("/categories/{category_id:int}", name="update_category")
    async def update_category(
        self, request: Request, category_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        return await _save(request, data, CategoryForm, categories.save_category, category_id, "category")

    @post("/templates", name="create_template")
    async def create_template(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        return await _save(request, data, TemplateForm, categories.save_response_template, None, "template")

    @post("/templates/{template_id:int}", name="update_template")
    async def update_template(
        self, request: Request, template_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        return await _save(request, data, TemplateForm, categories.save_response_template, template_id, "template")

    @get("/templates/{template_id:int}/answer", name="template_answer")
    async def template_answer(self, request: Request, template_id: FromPath[Id]) -> Template:
        """The answer box filled with a prepared answer (htmx swaps it in place)."""
        template = await categories.get_response_template(template_id)
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
        categories=await categories.list_categories(active_only=False),
        templates=await categories.list_response_templates(),
        errors=errors or {},
    )


async def _save(request, data, form_type, save, row_id, kind) -> Response:
    try:
        await save(viewer_of(request), read_form(form_type, data), row_id)
    except (FormInvalid, DomainError) as error:
        if isinstance(error, DomainError) and error.status_code == 404:
            raise
        return await _categories_page(request, errors={(kind, row_id): form_errors(error)}, status_code=422)
    flash(request, _("Saved."), "success")
    return redirect_after_post(request, request.app.route_reverse("categories"))
