"""Sign up, log in, log out, profile and password pages; account notices in the inbox."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Response, Template

from block_service.accounts import people, roles, signing_in, two_factor
from block_service.accounts.backoff import AccountLocked, LoginBackoff
from block_service.accounts.owner_notices import ACCOUNT_KIND
from block_service.accounts.schemas import (
    GRANTABLE_ROLES,
    ROLES,
    DisableSecondFactorForm,
    LoginForm,
    PasswordForm,
    PersonFilter,
    PersonOut,
    ProfileForm,
    RoleForm,
    SecondFactorForm,
    SignUpForm,
)
from block_service.errors import DomainError, FormInvalid
from block_service.i18n import LANGUAGES, current_language
from block_service.i18n import gettext as _
from block_service.inbox import KindView, register_kind
from block_service.schemas import ReasonForm
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form
from block_service.web.htmx import redirect_after_post
from block_service.web.i18n import LANGUAGE_COOKIE
from block_service.web.labels import N_
from block_service.web.language import set_language_cookie
from block_service.web.page_parts import part_of_page
from block_service.web.params import Id, PageNumber
from block_service.web.session import SETUP_SECRET_KEY, pending_second_step, start_second_step, start_session
from block_service.web.system import safe_next
from block_service.web.templating import flash, render

RATE_LIMITED = {"rate_limited": True}


def _describe_accounts(person_ids: list[int], viewer) -> dict[int, KindView]:
    """An account notice is about its owner's own account: only they see it, linked to their account page."""
    return {pid: KindView(title=_("About your account"), url="/me") for pid in person_ids if pid == viewer.person_id}


register_kind(
    ACCOUNT_KIND,
    _describe_accounts,
    {
        "login_locked": N_(
            "Someone typed a wrong password or code for your account %(detail)s times in a row, so log-ins to it "
            "now wait a while after each failure. If this was not you, change your password."
        ),
        "totp_reset": N_(
            "The workstation reset your second factor. Set up your authenticator app again; if you did not ask "
            "for this, contact the workstation."
        ),
    },
)


async def _signed_in_response(request: Request, signed_in, target: str) -> Response:
    """Start the session; a language the visitor chose before logging in (the cookie) stays and is saved."""
    start_session(request.session, person_id=signed_in.person_id, session_version=signed_in.session_version)
    if target == "/" and await people.holds_role(signed_in.person_id, "staff"):
        target = request.app.route_reverse("staff_desk")  # staff land on their desk
    response = redirect_after_post(request, target)
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES and chosen != signed_in.language:
        await people.set_language(signed_in.person_id, chosen)
        return response
    set_language_cookie(request, response, signed_in.language)
    return response


def _backoff(request: Request) -> LoginBackoff:
    # The rate limiter's store: Redis, or whatever all local workers share, so every worker counts alike.
    return LoginBackoff(request.app.stores.get("rate_limit"))


def _retry_after(error: Exception) -> dict[str, str]:
    return {"Retry-After": str(error.seconds)} if isinstance(error, AccountLocked) else {}


async def _me_page(
    request: Request,
    fragment: str | None = None,
    profile_errors: dict | None = None,
    password_errors: dict | None = None,
) -> Template:
    """The profile page, or one of its forms again with errors (422)."""
    viewer = viewer_of(request)
    return render(
        request,
        "accounts/me.html",
        fragment=fragment,
        status_code=422 if fragment else 200,
        person=await people.get_person(viewer.person_id),
        **await part_of_page("person_shops", person_id=viewer.person_id),
        profile_errors=profile_errors or {},
        password_errors=password_errors or {},
    )


class AccountController(Controller):
    @get("/signup", name="signup_form")
    async def signup_form(
        self, request: Request, next: FromQuery[str | None] = None, by: FromQuery[str | None] = None
    ) -> Template:
        values = {"next": safe_next(next), "by": "email" if by == "email" else ""}
        return render(request, "accounts/signup.html", fragment="accounts/_signup_form.html", values=values, errors={})

    @post("/signup", name="signup", opt=RATE_LIMITED)
    async def signup(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            form = read_form(SignUpForm, data)
            signed_in = await signing_in.sign_up(form, language=current_language.get())
        except (FormInvalid, DomainError) as error:
            values = {k: v for k, v in data.items() if "password" not in k}
            return render(
                request,
                "accounts/signup.html",
                fragment="accounts/_signup_form.html",
                status_code=422 if isinstance(error, FormInvalid) else error.status_code,
                values=values,
                errors=form_errors(error),
            )
        flash(request, _("Welcome! Your resident account is ready."), "success")
        target = safe_next(data.get("next"), fallback=request.app.route_reverse("me"))
        return await _signed_in_response(request, signed_in, target)

    @get("/login", name="login_form")
    async def login_form(
        self, request: Request, next: FromQuery[str | None] = None, by: FromQuery[str | None] = None
    ) -> Template:
        return render(
            request,
            "accounts/login.html",
            fragment="accounts/_login_form.html",
            values={"next": safe_next(next), "by": "email" if by == "email" else ""},
            errors={},
        )

    @post("/login", name="login", opt=RATE_LIMITED)
    async def login(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        target = safe_next(data.get("next"))
        try:
            signed_in = await signing_in.log_in(read_form(LoginForm, data), _backoff(request))
        except (FormInvalid, DomainError) as error:
            status = 422 if isinstance(error, FormInvalid) else error.status_code
            page = render(
                request,
                "accounts/login.html",
                fragment="accounts/_login_form.html",
                status_code=status,
                values={"contact": data.get("contact", ""), "next": target, "by": data.get("by", "")},
                errors=form_errors(error),
            )
            page.headers.update(_retry_after(error))
            return page
        if signed_in.second_factor:
            start_second_step(request.session, signed_in, target)
            return redirect_after_post(request, request.app.route_reverse("login_code_form"))
        if await people.must_set_up_second_factor(signed_in.person_id):
            flash(request, _("Staff accounts need a second factor. Set up your authenticator app now."), "info")
            target = request.app.route_reverse("security")
        return await _signed_in_response(request, signed_in, target)

    @get("/login/code", name="login_code_form")
    async def login_code_form(self, request: Request) -> Response:
        if pending_second_step(request.session) is None:
            return Redirect(path=request.app.route_reverse("login_form"), status_code=303)
        return render(request, "accounts/login_code.html", fragment="accounts/_login_code_form.html", errors={})

    @post("/login/code", name="login_code", opt=RATE_LIMITED)
    async def login_code(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        pending = pending_second_step(request.session)
        if pending is None:
            flash(request, _("Your log-in has expired. Please log in again."), "error")
            return redirect_after_post(request, request.app.route_reverse("login_form"))
        signed_in_pending, target = pending
        try:
            form = read_form(SecondFactorForm, data)
            signed_in = await signing_in.log_in_second_step(signed_in_pending, form.code, _backoff(request))
        except (FormInvalid, DomainError) as error:
            status = 422 if isinstance(error, FormInvalid) else error.status_code
            page = render(
                request,
                "accounts/login_code.html",
                fragment="accounts/_login_code_form.html",
                status_code=status,
                errors=form_errors(error),
            )
            page.headers.update(_retry_after(error))
            return page
        return await _signed_in_response(request, signed_in, target)

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
            await people.update_profile(viewer.person_id, form)
        except (FormInvalid, DomainError) as error:
            return await _me_page(request, fragment="accounts/_profile_form.html", profile_errors=form_errors(error))
        current_language.set(form.language)
        flash(request, _("Your profile has been saved."), "success")
        response = redirect_after_post(request, request.app.route_reverse("me"))
        set_language_cookie(request, response, form.language)
        return response

    @post("/me/password", name="change_password", opt=RATE_LIMITED)
    async def change_password(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        viewer = viewer_of(request)
        try:
            version = await people.change_password(viewer.person_id, read_form(PasswordForm, data))
        except (FormInvalid, DomainError) as error:
            return await _me_page(request, fragment="accounts/_password_form.html", password_errors=form_errors(error))
        # Every other session ended with the version bump; this one continues under a new id.
        start_session(request.session, person_id=viewer.person_id, session_version=version)
        flash(request, _("Your password has been changed. Other devices have been logged out."), "success")
        return redirect_after_post(request, request.app.route_reverse("me"))

    @get("/me/security", name="security")
    async def security_page(self, request: Request) -> Template:
        return await _security_page(request)

    @post("/me/security/enable", name="enable_second_factor", opt=RATE_LIMITED)
    async def enable_second_factor(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        viewer = viewer_of(request)
        secret = request.session.get(SETUP_SECRET_KEY)
        if not isinstance(secret, str):
            return Redirect(path=request.app.route_reverse("security"), status_code=303)
        try:
            code = read_form(SecondFactorForm, data).code
            codes = await two_factor.enable_second_factor(viewer.person_id, secret, code)
        except (FormInvalid, DomainError) as error:
            return await _security_page(request, errors=form_errors(error), status_code=422)
        request.session.pop(SETUP_SECRET_KEY, None)
        # The codes are shown in this response only: they are stored hashed and never shown again.
        return render(request, "accounts/recovery_codes.html", codes=codes)

    @post("/me/security/disable", name="disable_second_factor", opt=RATE_LIMITED)
    async def disable_second_factor(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        viewer = viewer_of(request)
        try:
            form = read_form(DisableSecondFactorForm, data)
            await people.disable_second_factor(viewer.person_id, form.password, form.code)
        except (FormInvalid, DomainError) as error:
            return await _security_page(request, errors=form_errors(error), status_code=422)
        flash(request, _("Your second factor is turned off."), "info")
        return redirect_after_post(request, request.app.route_reverse("security"))


async def _security_page(request: Request, errors: dict | None = None, status_code: int = 200) -> Template:
    """The second-factor page: its state, or the QR code and a code field to set it up."""
    viewer = viewer_of(request)
    person = await people.get_person(viewer.person_id)
    context: dict[str, Any] = {"person": person, "errors": errors or {}}
    if person.second_factor:
        context["codes_left"] = await two_factor.count_recovery_codes_left(viewer.person_id)
    else:
        secret = request.session.get(SETUP_SECRET_KEY)
        if not isinstance(secret, str):
            secret = request.session[SETUP_SECRET_KEY] = two_factor.new_secret()
        uri = two_factor.provisioning_uri(secret, person.email or person.phone or str(person.id))
        context.update(
            secret=two_factor.grouped(secret), qr_svg=two_factor.qr_svg(uri, _("QR code for your authenticator app"))
        )
    return render(request, "accounts/security.html", status_code=status_code, **context)


class StaffPeopleController(Controller):
    """Staff manage accounts: search, disable (ending sessions), enable, grant and revoke roles."""

    path = "/staff/people"

    @get("/", name="people")
    async def people(
        self,
        request: Request,
        q: FromQuery[str | None] = None,
        role: FromQuery[str | None] = None,
        page: FromQuery[PageNumber] = 1,
    ) -> Template:
        filters = PersonFilter(q=q, role=role if role in ROLES else None, page=page)
        return render(
            request,
            "staff/people.html",
            fragment="staff/_people_results.html",
            result=await people.list_people(filters),
            filters=filters,
            roles=ROLES,
            role_counts=await people.count_people_by_role(),
        )

    @get("/{person_id:int}", name="person")
    async def person(self, request: Request, person_id: FromPath[Id]) -> Template:
        return await _person_page(request, person_id)

    @post("/{person_id:int}/disable", name="disable_person")
    async def disable(
        self, request: Request, person_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            form = read_form(ReasonForm, data)
        except FormInvalid as error:
            return await _person_page(request, person_id, errors=error.errors, status_code=422)
        await roles.disable_account(viewer_of(request), person_id, form.reason)
        flash(request, _("The account is disabled and all its sessions have ended."), "success")
        return redirect_after_post(request, request.app.route_reverse("person", person_id=person_id))

    @post("/{person_id:int}/enable", name="enable_person")
    async def enable(self, request: Request, person_id: FromPath[Id]) -> Response:
        await roles.enable_account(viewer_of(request), person_id)
        flash(request, _("The account is active again."), "success")
        return redirect_after_post(request, request.app.route_reverse("person", person_id=person_id))

    @post("/{person_id:int}/second-factor/reset", name="reset_second_factor")
    async def reset_second_factor(self, request: Request, person_id: FromPath[Id]) -> Response:
        try:
            await two_factor.reset_second_factor(viewer_of(request).person_id, person_id)
        except DomainError as error:
            return await _person_page(request, person_id, errors=form_errors(error), status_code=error.status_code)
        flash(request, _("The second factor is reset: the person sets it up again at their next log-in."), "success")
        return redirect_after_post(request, request.app.route_reverse("person", person_id=person_id))

    @post("/{person_id:int}/roles", name="grant_role")
    async def grant(self, request: Request, person_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            form = read_form(RoleForm, data)
        except FormInvalid as error:
            return await _person_page(request, person_id, errors=error.errors, status_code=422)
        await roles.staff_grant_role(viewer_of(request), person_id, form.role)
        flash(request, _("The role has been granted."), "success")
        return redirect_after_post(request, request.app.route_reverse("person", person_id=person_id))

    @post("/{person_id:int}/roles/{role:str}/revoke", name="revoke_role")
    async def revoke(self, request: Request, person_id: FromPath[Id], role: FromPath[str]) -> Response:
        await roles.staff_revoke_role(viewer_of(request), person_id, role)
        flash(request, _("The role has been taken away."), "info")
        return redirect_after_post(request, request.app.route_reverse("person", person_id=person_id))


async def _person_page(
    request: Request, person_id: int, errors: dict | None = None, status_code: int = 200
) -> Template:
    return render(
        request,
        "staff/person.html",
        status_code=status_code,
        person=await people.get_person(person_id),
        **await part_of_page("person_shops", person_id=person_id),
        grantable=GRANTABLE_ROLES,
        errors=errors or {},
    )


class AccountApiController(Controller):
    path = "/api"
    tags = ["accounts"]

    @get("/me", name="api_me")
    async def api_me(self, request: Request) -> PersonOut:
        """The signed-in person, with roles."""
        return await people.get_person(viewer_of(request).person_id)
