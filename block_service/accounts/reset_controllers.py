"""Password reset with a code the workstation issued in person: the staff action and the /reset form."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Response, Template

from block_service.accounts import reset_codes
from block_service.accounts.controllers import RATE_LIMITED, _person_page
from block_service.accounts.schemas import ResetForm
from block_service.errors import DomainError, FormInvalid
from block_service.i18n import gettext as _
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form
from block_service.web.htmx import redirect_after_post
from block_service.web.params import Id
from block_service.web.templating import flash, render

NO_STORE = {"Cache-Control": "no-store"}


class PasswordResetController(Controller):
    @get("/reset", name="reset_form")
    async def reset_form(self, request: Request, by: FromQuery[str | None] = None) -> Template:
        values = {"by": "email" if by == "email" else ""}
        return render(request, "accounts/reset.html", fragment="accounts/_reset_form.html", values=values, errors={})

    @post("/reset", name="reset_password", opt=RATE_LIMITED)
    async def reset_password(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            await reset_codes.reset_password(read_form(ResetForm, data))
        except (FormInvalid, DomainError) as error:
            status = 422 if isinstance(error, FormInvalid) else error.status_code
            values = {"contact": data.get("contact", ""), "by": data.get("by", "")}
            return render(
                request,
                "accounts/reset.html",
                fragment="accounts/_reset_form.html",
                status_code=status,
                values=values,
                errors=form_errors(error),
            )
        flash(
            request, _("Your new password is set, and every session of your account has ended. Log in now."), "success"
        )
        return redirect_after_post(request, request.app.route_reverse("login_form"))

    @post("/staff/people/{person_id:int}/reset-code", name="issue_reset_code")
    async def issue(self, request: Request, person_id: FromPath[Id]) -> Response:
        """Shown once, on this answer only (never stored in the session or the flash): no-store."""
        issued = await reset_codes.issue_reset_code(viewer_of(request), person_id)
        page = await _person_page(request, person_id)
        page.context["issued_code"] = issued
        page.headers.update(NO_STORE)
        return page
