"""htmx helpers shared by controllers."""

from __future__ import annotations

from litestar import Request
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Response


def redirect_after_post(request: Request, target: str) -> Response:
    """After a successful form: htmx follows HX-Redirect, a plain form follows 303 See Other."""
    if request.headers.get("hx-request") == "true":
        return ClientRedirect(redirect_to=target)
    return Redirect(path=target, status_code=303)
