"""Privacy pages: the notice and its acceptance, my data download, deleting an account (mine, or staff's on request)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, URLEncodedBody
from litestar.response import File, Response, Template

from block_service.accounts.notice import NOTICE_DATE, NOTICE_VERSION
from block_service.errors import DomainError, FormInvalid
from block_service.i18n import gettext as _
from block_service.privacy import services
from block_service.privacy.schemas import DeleteAccountForm, StaffDeleteForm
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.params import Id
from block_service.web.system import safe_next
from block_service.web.templating import flash, render

RATE_LIMITED = {"rate_limited": True}


class PrivacyController(Controller):
    @get("/privacy", name="privacy_notice")
    async def notice(self, request: Request) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_role)
        if isinstance(shared, Response):
            return shared
        settings = request.app.state.settings
        return shared_pages.render_shared(
            request,
            shared,
            "privacy/notice.html",
            version=NOTICE_VERSION,
            notice_date=NOTICE_DATE,
            photo_days=settings.photo_retention_days,
            inbox_days=settings.inbox_retention_days,
            idle_minutes=settings.session_idle_minutes,
            absolute_hours=settings.session_absolute_hours,
        )

    @post("/privacy/accept", name="accept_privacy")
    async def accept(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        await services.accept_notice(viewer_of(request))
        flash(request, _("Thank you. You have accepted the current privacy notice."), "success")
        return redirect_after_post(request, safe_next(data.get("next")))

    @get("/me/data", name="my_data")
    async def my_data(self, request: Request) -> Template:
        return render(request, "privacy/my_data.html")

    @post("/me/data/download", name="download_my_data", opt=RATE_LIMITED, status_code=200)
    async def download(self, request: Request) -> File:
        """A POST so that it is rate-limited like other costly actions; it changes nothing."""
        path = await services.build_data_zip(viewer_of(request).person_id, request.app.state.settings.var_dir)
        name = f"lingyan-my-data-{dt.date.today().isoformat()}.zip"
        return File(
            path=path,
            filename=name,
            media_type="application/zip",
            headers={"Cache-Control": "no-store"},
            background=BackgroundTask(path.unlink, missing_ok=True),
        )

    @get("/me/delete", name="delete_account_form")
    async def delete_form(self, request: Request) -> Template:
        return await _deletion_page(request)

    @post("/me/delete", name="delete_account", opt=RATE_LIMITED)
    async def delete(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            await services.delete_own_account(viewer_of(request), read_form(DeleteAccountForm, data))
        except (FormInvalid, DomainError) as error:
            return await _deletion_page(request, errors=form_errors(error), status_code=status_of(error), values=data)
        request.session.clear()  # emptied, not ended: the goodbye message below rides on it
        flash(
            request,
            _("Your account has been deleted. What you contributed stays on the block's record, without your name."),
            "info",
        )
        return redirect_after_post(request, request.app.route_reverse("home"))


async def _deletion_page(
    request: Request, person_id: int | None = None, errors: dict | None = None, status_code: int = 200, values=None
) -> Template:
    """The deletion form: of one's own account (no person_id), or of a person's, by staff."""
    staff = person_id is not None
    preview = await services.preview_deletion(person_id if staff else viewer_of(request).person_id)
    action = (
        request.app.route_reverse("staff_delete_person", person_id=person_id)
        if staff
        else request.app.route_reverse("delete_account")
    )
    return render(
        request,
        "privacy/delete.html",
        fragment="privacy/_delete_form.html",
        status_code=status_code,
        preview=preview,
        errors=errors or {},
        values=values or {},
        staff=staff,
        action=action,
    )


class StaffPrivacyController(Controller):
    path = "/staff/people"

    @get("/{person_id:int}/delete", name="staff_delete_person_form")
    async def delete_form(self, request: Request, person_id: FromPath[Id]) -> Template:
        return await _deletion_page(request, person_id)

    @post("/{person_id:int}/delete", name="staff_delete_person")
    async def delete(self, request: Request, person_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            await services.delete_account_for(viewer_of(request), person_id, read_form(StaffDeleteForm, data))
        except (FormInvalid, DomainError) as error:
            if isinstance(error, DomainError) and error.status_code == 404:
                raise
            return await _deletion_page(
                request, person_id, errors=form_errors(error), status_code=status_of(error), values=data
            )
        flash(
            request, _("The account is deleted: its name, contact, password, sessions and inbox are gone."), "success"
        )
        return redirect_after_post(request, request.app.route_reverse("person", person_id=person_id))
