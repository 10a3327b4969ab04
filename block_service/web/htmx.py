"""htmx helpers shared by controllers."""

from __future__ import annotations

from litestar import Request
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Response


def redirect_after_post(request: Request, target: str) -> Response:
    """After a successful form: htmx follows HX-Redirect, a plain form follows 303 See Other."""
    if request.htmx:
        response = ClientRedirect(redirect_to=target)
        response.status_code = 200  # otherwise a POST handler's default, 201, which htmx does not expect
        return response
    return Redirect(path=target, status_code=303)
