"""The guided report at /threads/new: one step per page (an htmx fragment, or a full page without JavaScript),
the draft kept server-side under a cookie token, duplicates suggested with an inline "me too"."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromQuery, MultipartBody, URLEncodedBody
from litestar.response import Redirect, Response, Template

from block_service.errors import DomainError, FormInvalid
from block_service.i18n import N_
from block_service.i18n import gettext as _
from block_service.shops.segments import list_segments
from block_service.shops.services import shop_choices
from block_service.threads import categories, drafts, opening, reactions, report_steps, suggestions
from block_service.threads import photos as photo_store
from block_service.threads.controllers import PHOTO_BODY, RATE_LIMITED, _thread_form_page
from block_service.threads.photo_controllers import (
    forget_drafts,
    keep_as_draft,
    kept_drafts,
    store_uploads,
    uploads_of,
    var_dir,
)
from block_service.threads.schemas import ThreadForm
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form
from block_service.web.htmx import redirect_after_post
from block_service.web.live import announce
from block_service.web.params import OptionalIdText, optional_int
from block_service.web.session import cookie_name
from block_service.web.templating import flash, render

DRAFT_COOKIE = drafts.DRAFT_COOKIE
READERS = {
    "place": report_steps.read_place,
    "category": report_steps.read_category,
    "details": report_steps.read_details,
    "privacy": report_steps.read_privacy,
}


def _cookie(request: Request) -> str:
    return cookie_name(DRAFT_COOKIE, request.app.state.settings.debug)


async def _draft_of(request: Request) -> drafts.Draft:
    """This browser's draft (found by its cookie, or the person's own), or a new unsaved one."""
    found = await drafts.find_draft(request.cookies.get(_cookie(request)), viewer_of(request).person_id)
    return found or drafts.Draft(token=drafts.new_token())


def _keep_cookie(request: Request, response: Response, draft: drafts.Draft) -> Response:
    if request.cookies.get(_cookie(request)) != draft.token:
        response.set_cookie(
            _cookie(request),
            draft.token,
            max_age=drafts.DRAFT_DAYS * 24 * 3600,
            path="/",
            httponly=True,
            samesite="lax",
            secure=not request.app.state.settings.debug,
        )
    return response


def step_url(request: Request, step: str) -> str:
    return request.app.route_reverse("thread_form") + f"?step={step}"


def _back_here(request: Request, step: str) -> str:
    return quote(step_url(request, step), safe="/")


async def _step_page(
    request: Request,
    step: str,
    draft: drafts.Draft,
    *,
    errors: dict | None = None,
    values: dict | None = None,
    status_code: int = 200,
    segment: int | None = None,
) -> Template:
    viewer = viewer_of(request)
    fields = draft.fields
    segments = await list_segments()
    report_categories = await categories.list_categories("report")
    chosen_segment = segment if segment is not None else optional_int(fields.get("segment_id") or None, "segment")
    context: dict[str, Any] = {
        "step": step,
        "viewer": viewer,
        "steps": report_steps.STEPS,
        "previous_step": report_steps.previous_step(step),
        "fields": fields,
        "values": {**fields, **(values or {})},
        "errors": errors or {},
        "photos": draft.photos,
        "max_photos": photo_store.MAX_PHOTOS,
        "categories": sorted(report_categories, key=lambda c: not c.emergency),
        "segments": segments,
        "chosen_segment": chosen_segment,
        "missing": report_steps.missing_steps(fields),
        "back_here": _back_here(request, step),
        "suggestions": await suggestions.suggest_duplicates(viewer, fields) if step != "photo" else [],
    }
    if step == "place":
        context["shops_by_segment"] = report_steps.shops_by_segment(await shop_choices(), segments)
    history_restore = request.headers.get("hx-history-restore-request") == "true"
    fragment = None if history_restore else "threads/_report_step.html"
    return render(request, "threads/report.html", fragment=fragment, status_code=status_code, **context)


async def _to_step(request: Request, draft: drafts.Draft, step: str) -> Response:
    """After a saved step: htmx gets the next step in place (its URL pushed), a plain form a 303 to it."""
    url = step_url(request, step)
    if request.htmx:
        page = await _step_page(request, step, draft)
        page.headers["HX-Push-Url"] = url
        return _keep_cookie(request, page, draft)
    return _keep_cookie(request, Redirect(path=url, status_code=303), draft)


async def _save_step(request: Request, step: str, data: dict[str, Any]) -> Response:
    """Check a step's answers; saved, the next step; refused, the same step again with what was typed (422)."""
    draft = await _draft_of(request)
    try:
        answers = await READERS[step](data)
    except (FormInvalid, DomainError) as error:
        if isinstance(error, DomainError) and error.status_code in (403, 404):
            raise
        values = {key: str(value) for key, value in data.items() if isinstance(value, str)}
        return await _step_page(request, step, draft, errors=form_errors(error), values=values, status_code=422)
    draft = await drafts.save_draft(draft, answers, person_id=viewer_of(request).person_id, var_dir=var_dir(request))
    return await _to_step(request, draft, report_steps.next_step(step))


class ReportController(Controller):
    @get("/threads/new", name="thread_form")
    async def thread_form(
        self,
        request: Request,
        step: FromQuery[str | None] = None,
        kind: FromQuery[str] = "report",
        shop: FromQuery[OptionalIdText] = None,
        segment: FromQuery[OptionalIdText] = None,
        layout: FromQuery[str | None] = None,
    ) -> Response:
        viewer = viewer_of(request)
        if kind == "issue" or layout == "one-page":
            # Merchants' issues, and everything on one page for whoever prefers it: the form as it was.
            if not viewer.is_signed_in:
                target = quote(str(request.url.path) + ("?" + request.url.query if request.url.query else ""))
                return Redirect(path=request.app.route_reverse("login_form") + f"?next={target}", status_code=303)
            kind = "issue" if kind == "issue" and (viewer.has("merchant") or viewer.is_staff) else "report"
            return await _thread_form_page(request, {"kind": kind, "shop_id": str(shop or "")}, {})
        draft = await _draft_of(request)
        values = {}
        if shop and step in (None, "place"):
            step, values = "place", {"shop_id": str(optional_int(shop, "shop"))}
        step = step if step in report_steps.STEPS else "photo"
        return await _step_page(
            request, step, draft, values=values, segment=optional_int(segment, "segment") if segment else None
        )

    @post("/threads/new", name="open_thread", **PHOTO_BODY)
    async def open_thread(self, request: Request, data: MultipartBody[dict[str, Any]]) -> Response:
        viewer = viewer_of(request)
        fields = {k: v for k, v in data.items() if not isinstance(v, UploadFile | list)}
        kept = kept_drafts(request, data)
        stored: list[tuple[str, int, int, int]] = []
        errors: dict = {}
        try:
            stored = await store_uploads(request, uploads_of(data))
        except DomainError as error:
            errors = form_errors(error)
        try:
            form = read_form(ThreadForm, fields)
            if not errors:
                thread_id = await opening.open_thread(viewer, form, kept + stored)
        except (FormInvalid, DomainError) as error:
            if isinstance(error, DomainError) and error.status_code in (403, 404):
                photo_store.discard_photos(var_dir(request), [name for name, *_rest in kept + stored])
                forget_drafts(request)
                raise
            errors = {**form_errors(error), **errors}
        if errors:
            # Nothing entered is lost: the photos stored so far wait as the person's draft.
            keep_as_draft(request, kept + stored)
            return await _thread_form_page(request, fields, errors, status_code=422)
        forget_drafts(request)
        flash(
            request,
            _("Thank you. Your report is number %(id)s; you will be told of every step.", id=thread_id),
            "success",
        )
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))

    @post("/threads/new/photo", name="report_photo", **PHOTO_BODY)
    async def photo(self, request: Request, data: MultipartBody[dict[str, Any]]) -> Response:
        draft = await _draft_of(request)
        wanted = data.get("keep_photo") or []
        wanted = set(wanted if isinstance(wanted, list) else [wanted])
        kept = [photo for photo in draft.photos if photo[0] in wanted]
        photo_store.discard_photos(var_dir(request), [name for name, *_rest in draft.photos if name not in wanted])
        uploads = uploads_of(data)
        errors: dict = {}
        stored: list = []
        if len(kept) + len(uploads) > photo_store.MAX_PHOTOS:
            errors = FormInvalid(
                {"photos": N_("At most %(count)s photos per thread.")}, count=photo_store.MAX_PHOTOS
            ).errors
        else:
            try:
                stored = await store_uploads(request, uploads)
            except DomainError as error:
                errors = form_errors(error)
        person_id = viewer_of(request).person_id
        draft = await drafts.save_draft(draft, {}, kept + stored, person_id=person_id, var_dir=var_dir(request))
        if errors:
            page = await _step_page(request, "photo", draft, errors=errors, status_code=422)
            return _keep_cookie(request, page, draft)
        return await _to_step(request, draft, "place")

    @post("/threads/new/place", name="report_place", opt=RATE_LIMITED)
    async def place(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        return await _save_step(request, "place", data)

    @post("/threads/new/category", name="report_category", opt=RATE_LIMITED)
    async def category(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        return await _save_step(request, "category", data)

    @post("/threads/new/details", name="report_details", opt=RATE_LIMITED)
    async def details(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        return await _save_step(request, "details", data)

    @post("/threads/new/privacy", name="report_privacy", opt=RATE_LIMITED)
    async def privacy(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        return await _save_step(request, "privacy", data)

    @post("/threads/new/send", name="report_send", opt=RATE_LIMITED)
    async def send(self, request: Request) -> Response:
        viewer = viewer_of(request)
        if not viewer.is_signed_in:
            target = _back_here(request, "review")
            return redirect_after_post(request, request.app.route_reverse("login_form") + f"?next={target}")
        draft = await _draft_of(request)
        if draft.id is None:  # sent already (a double tap), or never started: their reports are listed
            return redirect_after_post(request, request.app.route_reverse("my_threads"))
        missing = report_steps.missing_steps(draft.fields)
        if missing:
            return await _step_page(
                request,
                missing[0],
                draft,
                status_code=422,
                errors={"__all__": _("Some steps are not answered yet.")},
            )
        if not await drafts.claim_draft(draft, person_id=viewer.person_id, var_dir=var_dir(request)):
            return redirect_after_post(request, request.app.route_reverse("my_threads"))
        try:
            thread_id = await report_steps.send_draft(viewer, draft)
        except (FormInvalid, DomainError) as error:
            if isinstance(error, DomainError) and error.status_code in (403, 404):
                raise
            restored = await drafts.save_draft(
                drafts.Draft(token=draft.token, fields=draft.fields, photos=draft.photos),
                {},
                person_id=viewer.person_id,
                var_dir=var_dir(request),
            )
            errors = form_errors(error)
            step = next((report_steps.STEP_OF_FIELD[f] for f in errors if f in report_steps.STEP_OF_FIELD), "review")
            return await _step_page(request, step, restored, errors=errors, status_code=422)
        flash(
            request,
            _("Thank you. Your report is number %(id)s; you will be told of every step.", id=thread_id),
            "success",
        )
        return redirect_after_post(request, request.app.route_reverse("thread", thread_id=thread_id))

    @post("/threads/new/restart", name="report_restart")
    async def restart(self, request: Request) -> Response:
        draft = await _draft_of(request)
        await drafts.discard_draft(draft, var_dir(request))
        return redirect_after_post(request, step_url(request, "photo"))

    @post("/threads/new/metoo", name="report_metoo")
    async def metoo(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        """ "Me too" on a suggested report without leaving the flow: the row turns to 已关注 ✓ (htmx), or the
        same step comes back (a plain form); the draft is untouched."""
        thread_id = optional_int(str(data.get("thread_id") or "") or None, "thread_id")
        if not thread_id:
            raise FormInvalid({"thread_id": N_("Choose a report from the list.")})
        step = data.get("step") if data.get("step") in report_steps.STEPS else "place"
        count = await reactions.set_metoo(viewer_of(request), thread_id, True)
        announce(request.app, thread_id)
        if request.htmx:
            row = {"id": thread_id, "joined": True, "metoo_count": count}
            return Template(template_name="threads/_report_joined.html", context={"suggestion": row})
        flash(request, _("Following ✓"), "success")
        return Redirect(path=step_url(request, step), status_code=303)
