"""Sign up, log in, log out, profile and password pages."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Response, Template

from block_service.accounts import services
from block_service.accounts.schemas import (
    GRANTABLE_ROLES,
    ROLES,
    LoginForm,
    PasswordForm,
    PersonFilter,
    PersonOut,
    ProfileForm,
    ReasonForm,
    RoleForm,
    SignUpForm,
)
from block_service.errors import DomainError, FormInvalid
from block_service.shops.services import applications_of, shops_of
from block_service.web.auth import viewer_of
from block_service.web.forms import read_form
from block_service.web.htmx import redirect_after_post
from block_service.web.i18n import LANGUAGE_COOKIE, current_language
from block_service.web.i18n import gettext as _
from block_service.web.params import Id, PageNumber
from block_service.web.session import start_session
from block_service.web.system import ONE_YEAR, safe_next
from block_service.web.templating import flash, render

RATE_LIMITED = {"rate_limited": True}


def _form_errors(error: Exception) -> dict[str, str]:
    if isinstance(error, FormInvalid):
        return error.errors
    assert isinstance(error, DomainError)
    return {error.field or "__all__": error.translated()}


def _signed_in_response(request: Request, signed_in, target: str) -> Response:
    start_session(request.session, person_id=signed_in.person_id, session_version=signed_in.session_version)
    response = redirect_after_post(request, target)
    response.set_cookie(LANGUAGE_COOKIE, signed_in.language, max_age=ONE_YEAR, httponly=True, samesite="lax")
    return response


async def _me_page(
    request: Request, fragment: str | None = None, profile_errors: dict | None = None,
    password_errors: dict | None = None,
) -> Template:
    """The profile page, or one of its forms again with errors (422)."""
    viewer = viewer_of(request)
    return render(
        request, "accounts/me.html", fragment=fragment, status_code=422 if fragment else 200,
        person=await services.get_person(viewer.person_id),
        shops=await shops_of(viewer.person_id),
        applications=await applications_of(viewer.person_id),
        profile_errors=profile_errors or {}, password_errors=password_errors or {},
    )


class AccountController(Controller):
    @get("/signup", name="signup_form")
    async def signup_form(self, request: Request) -> Template:
        return render(request, "accounts/signup.html", fragment="accounts/_signup_form.html", values={}, errors={})

    @post("/signup", name="signup", opt=RATE_LIMITED)
    async def signup(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            form = read_form(SignUpForm, data)
            signed_in = await services.sign_up(form, language=current_language.get())
        except (FormInvalid, DomainError) as error:
            values = {k: v for k, v in data.items() if "password" not in k}
            return render(request, "accounts/signup.html", fragment="accounts/_signup_form.html",
                          status_code=422 if isinstance(error, FormInvalid) else error.status_code,
                          values=values, errors=_form_errors(error))
        flash(request, _("Welcome! Your resident account is ready."), "success")
        return _signed_in_response(request, signed_in, request.app.route_reverse("me"))

    @get("/login", name="login_form")
    async def login_form(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return render(request, "accounts/login.html", fragment="accounts/_login_form.html",
                      values={"next": safe_next(next)}, errors={})

    @post("/login", name="login", opt=RATE_LIMITED)
    async def login(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        target = safe_next(data.get("next"))
        try:
            signed_in = await services.log_in(read_form(LoginForm, data))
        except (FormInvalid, DomainError) as error:
            status = 422 if isinstance(error, FormInvalid) else error.status_code
            return render(request, "accounts/login.html", fragment="accounts/_login_form.html",
                          status_code=status if status != 403 else 403,
                          values={"contact": data.get("contact", ""), "next": target}, errors=_form_errors(error))
        return _signed_in_response(request, signed_in, target)

    @post("/logout", name="logout")
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return Redirect(path=request.app.route_reverse("home"), status_code=303)

    @get("/me", name="me")
    async def me(self, request: Request) -> Template:
        return await _me_page(request)

    @post("/me/profile", name="update_profile")
    async def update_profile(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        viewer = viewer_of(request)
        try:
            form = read_form(ProfileForm, data)
            await services.update_profile(viewer.person_id, form)
        except (FormInvalid, DomainError) as error:
            return await _me_page(request, fragment="accounts/_profile_form.html", profile_errors=_form_errors(error))
        current_language.set(form.language)
        flash(request, _("Your profile has been saved."), "success")
        response = redirect_after_post(request, request.app.route_reverse("me"))
        response.set_cookie(LANGUAGE_COOKIE, form.language, max_age=ONE_YEAR, httponly=True, samesite="lax")
        return response

    @post("/me/password", name="change_password", opt=RATE_LIMITED)
    async def change_password(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        viewer = viewer_of(request)
        try:
            version = await services.change_password(viewer.person_id, read_form(PasswordForm, data))
        except (FormInvalid, DomainError) as error:
            return await _me_page(request, fragment="accounts/_password_form.html", password_errors=_form_errors(error))
        # Every other session ended with the version bump; this one continues under a new id.
        start_session(request.session, person_id=viewer.person_id, session_version=version)
        flash(request, _("Your password has been changed. Other devices have been logged out."), "success")
        return redirect_after_post(request, request.app.route_reverse("me"))


class StaffPeopleController(Controller):
    """Staff manage accounts: search, disable (ending sessions), enable, grant and revoke roles."""

    path = "/staff/people"

    @get("/", name="people")
    async def people(
        self, request: Request, q: FromQuery[str | None] = None, role: FromQuery[str | None] = None,
        page: FromQuery[PageNumber] = 1,
    ) -> Template:
        filters = PersonFilter(q=q, role=role if role in ROLES else None, page=page)
        return render(request, "staff/people.html", fragment="staff/_people_results.html",
                      result=await services.list_people(filters), filters=filters, roles=ROLES,
                      role_counts=await services.count_people_by_role())

    @get("/{person_id:int}", name="person")
    async def person(self, request: Request, person_id: FromPath[Id]) -> Template:
        return await _person_page(request, person_id)

    @post("/{person_id:int}/disable", name="disable_person")
    async def disable(self, request: Request, person_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            form = read_form(ReasonForm, data)
        except FormInvalid as error:
            return await _person_page(request, person_id, errors=error.errors, status_code=422)
        await services.disable_account(viewer_of(request), person_id, form.reason)
        flash(request, _("The account is disabled and all its sessions have ended."), "success")
        return redirect_after_post(request, request.app.route_reverse("person", person_id=person_id))

    @post("/{person_id:int}/enable", name="enable_person")
    async def enable(self, request: Request, person_id: FromPath[Id]) -> Response:
        await services.enable_account(viewer_of(request), person_id)
        flash(request, _("The account is active again."), "success")
        return redirect_after_post(request, request.app.route_reverse("person", person_id=person_id))

    @post("/{person_id:int}/roles", name="grant_role")
    async def grant(self, request: Request, person_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            form = read_form(RoleForm, data)
        except FormInvalid as error:
            return await _person_page(request, person_id, errors=error.errors, status_code=422)
        await services.staff_grant_role(viewer_of(request), person_id, form.role)
        flash(request, _("The role has been granted."), "success")
        return redirect_after_post(request, request.app.route_reverse("person", person_id=person_id))

    @post("/{person_id:int}/roles/{role:str}/revoke", name="revoke_role")
    async def revoke(self, request: Request, person_id: FromPath[Id], role: FromPath[str]) -> Response:
        await services.staff_revoke_role(viewer_of(request), person_id, role)
        flash(request, _("The role has been taken away."), "info")
        return redirect_after_post(request, request.app.route_reverse("person", person_id=person_id))


async def _person_page(request: Request, person_id: int, errors: dict | None = None, status_code: int = 200) -> Template:
    return render(request, "staff/person.html", status_code=status_code,
                  person=await services.get_person(person_id), shops=await shops_of(person_id),
                  applications=await applications_of(person_id), grantable=GRANTABLE_ROLES, errors=errors or {})


class AccountApiController(Controller):
    path = "/api"
    tags = ["accounts"]

    @get("/me", name="api_me")
    async def api_me(self, request: Request) -> PersonOut:
        """The signed-in person, with roles."""
        return await services.get_person(viewer_of(request).person_id)
