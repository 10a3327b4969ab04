"""One exception handler: domain errors and HTTP errors become pages or JSON in the person's language."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect, Template

from block_service.errors import DomainError, FormInvalid
from block_service.web.i18n import LANGUAGE_COOKIE, current_language, negotiate
from block_service.web.i18n import gettext as _

logger = logging.getLogger("block_service")


def _message_for(status: int, detail: str) -> str:
    if status == 403 and "CSRF" in detail:
        return _("This form has expired or was sent from elsewhere. Reload the page and try again.")
    messages = {
        400: _("Some values in the address or form are not valid."),
        401: _("Please log in first."),
        403: _("You do not have permission to do this."),
        404: _("This page does not exist."),
        405: _("This action is not allowed here."),
        409: _("This was already done."),
        413: _("What you sent is too large."),
        422: _("Some values are not valid."),
        429: _("Too many attempts. Please wait a minute and try again."),
    }
    return messages.get(status, _("Something went wrong on our side. Please try again later."))


def _too_large_message(request: Request) -> str:
    """A route that takes more than the usual 1 MB (photos) says what its own limit is."""
    route_handler = request.scope.get("route_handler")
    own = route_handler.opt.get("too_large") if route_handler is not None else None
    return _(own) if own else _("What you sent is too large (at most 1 MB).")


def _title_for(status: int) -> str:
    titles = {
        400: _("Bad request"),
        401: _("Please log in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Not allowed"),
        409: _("Already done"),
        413: _("Too large"),
        422: _("Not valid"),
        429: _("Too many attempts"),
    }
    return titles.get(status, _("Server error"))


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def handle_error(request: Request, error: Exception) -> Response:
    # Errors raised outside the language middleware still answer in the person's language.
    current_language.set(
        negotiate(
            request.cookies.get(LANGUAGE_COOKIE),
            request.headers.get("accept-language"),
            request.app.state.settings.language,
        )
    )
    headers: dict[str, str] = {}
    field_errors: dict[str, str] = {}
    if isinstance(error, DomainError):
        status, message = error.status_code, error.translated()
        if error.field:
            field_errors[error.field] = message
    elif isinstance(error, FormInvalid):
        status, message, field_errors = 422, _("Some values are not valid."), error.errors
    elif isinstance(error, HTTPException):
        status = error.status_code
        message = _message_for(status, str(error.detail))
        if status == 413:
            message = _too_large_message(request)
        headers.update(error.headers or {})
        if isinstance(error, NotAuthorizedException) and not is_api(request):
            wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            target = request.app.route_reverse("login_form") + "?next=" + quote(wanted, safe="/")
            if request.htmx:
                return Response(content="", status_code=401, headers={"HX-Redirect": target})
            if request.method == "GET":
                return Redirect(path=target, status_code=303)
        if isinstance(error, ValidationException):
            status = 400
        if getattr(error, "second_factor_setup", False):
            message = _("Staff accounts need a second factor. Set up your authenticator app first.")
            if not is_api(request):
                target = request.app.route_reverse("security")
                if request.htmx:
                    return Response(content="", status_code=403, headers={"HX-Redirect": target})
                if request.method == "GET":
                    return Redirect(path=target, status_code=303)
    else:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        status, message = 500, _message_for(500, "")
    if status < 500:
        # A person's mistake (bad input, no permission, a double submit) is not our error: INFO, no traceback.
        logger.info("refused %s %s with %s: %s", request.method, request.url.path, status, error)
    if is_api(request):
        body: dict[str, object] = {"status_code": status, "detail": message}
        if field_errors:
            body["errors"] = field_errors
        return Response(content=body, status_code=status, headers=headers)
    if request.htmx:
        # htmx swaps nothing on 4xx by default; the message goes to the page's alert region.
        headers["HX-Retarget"] = "#alerts"
        headers["HX-Reswap"] = "innerHTML"
        return Template(
            template_name="errors/_alert.html", context={"message": message}, status_code=status, headers=headers
        )
    return Template(
        template_name="errors/error.html",
        context={"status": status, "title": _title_for(status), "message": message},
        status_code=status,
        headers=headers,
    )
