"""What every operation in /schema/openapi.json may answer: its refusals, and HTML pages as HTML.

Litestar documents a handler's success and the 400 of a bad parameter. The rest follows from how this
service answers, in one place rather than on a hundred decorators: the route table (web/permissions.py)
says who may call a route (401/403), an id in the path can be missing (404), an unsafe request can fail
its CSRF check (403), be too large (413), clash with the state (409), break a form rule (422) or be
rate-limited (429); web/errors.py answers JSON under /api and an HTML page elsewhere.
"""

from __future__ import annotations

import re

import msgspec
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec

from block_service.web.permissions import ANYONE, access_for, route_key

HTML = "text/html"
JSON = "application/json"
# Not pages: the JSON API and the probes answer JSON; a photo is a JPEG; the live updates are a stream.
MEDIA_TYPES = {
    "photo": "image/jpeg",
    "thread_events": "text/event-stream",
    "healthz": JSON,
    "readyz": JSON,
    "download_my_data": "application/zip",
    "meetings_ics": "text/calendar",
    "notice_receipts_csv": "text/csv",
    "dashboard_csv": "text/csv",
    "open_data_file": "text/csv",
    "open_data_package": JSON,
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorOut(msgspec.Struct, kw_only=True):
    """An error under /api: the status, a message in the request's language, and per-field messages."""

    status_code: int
    detail: str
    errors: dict[str, str] = {}


DESCRIPTIONS = {
    200: "The page, or the piece of it htmx asked for",
    303: "Done, or please log in: go to the page in Location",
    400: "A value in the address or the form is not valid",
    401: "Not logged in",
    403: "Not allowed for this person, or the form's CSRF token is missing or expired",
    404: "No such object, or not one this person may see",
    409: "Clashes with the current state (done already, or changed meanwhile)",
    413: "The request body is too large",
    422: "A form value breaks a rule (the form comes back with its errors)",
    429: "Too many attempts; wait a minute",
    503: "The database does not answer",
}


def _statuses(handler: HTTPRouteHandler, method: str) -> set[int]:
    public = ANYONE in access_for(handler)
    codes = {400, 404}  # 404: an id in the path or the query that names nothing this person may see
    if not public:
        codes |= {401, 403}
    if method in UNSAFE:
        codes |= {403, 404, 409, 413, 422}
    if (handler.opt or {}).get("rate_limited"):
        codes.add(429)
    return codes


def _response(code: int, media_type: str) -> ResponseSpec:
    if code == 303:
        return ResponseSpec(data_container=None, description=DESCRIPTIONS[code])
    container = ErrorOut if media_type == JSON else str
    return ResponseSpec(
        data_container=container, media_type=media_type, description=DESCRIPTIONS[code], generate_examples=False
    )


def document_responses(app: Litestar) -> Litestar:
    """Fill in every handler's documented responses (before the schema is first built, which is lazy)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or not handler.resolve_include_in_schema():
                continue
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
            api = path.startswith("/api/")
            key = route_key(handler)
            media_type = JSON if api else MEDIA_TYPES.get(key, HTML)
            error_media_type = JSON if api else HTML
            responses = dict(handler.responses or {})
            for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                for code in _statuses(handler, method):
                    responses.setdefault(code, _response(code, error_media_type))
                if not api:
                    # Pages redirect after a successful form, and send visitors to log in; htmx gets fragments.
                    responses.setdefault(303, _response(303, HTML))
                    if method in UNSAFE:
                        responses.setdefault(200, _response(200, media_type))
            if key == "readyz":
                responses.setdefault(503, _response(503, JSON))
            handler.responses = responses
            if media_type != JSON or not api:
                handler.media_type = media_type
    return app
