"""The API documentation page at /schema: Redoc from static/, loaded by a page with no inline script."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi.plugins import RedocRenderPlugin

REDOC_BUNDLE = "redoc-2.5.4.standalone.js"


class VendoredRedocPlugin(RedocRenderPlugin):
    """Redoc's standalone bundle initialises every `<redoc spec-url>` element by itself, so the page needs
    neither inline script nor a CDN; the styles it injects are allowed by their hashes (web/security.py)."""

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        title = openapi_schema["info"]["title"]
        spec_url = f"{request.app.openapi_config.path.rstrip('/')}/openapi.json"
        bundle = request.app.route_reverse("static", file_path=f"/{REDOC_BUNDLE}")
        favicon = request.app.route_reverse("static", file_path="/favicon.svg")
        page = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_escape(title)}</title>"
            f'<link rel="icon" href="{favicon}" type="image/svg+xml"></head>'
            f'<body><redoc spec-url="{spec_url}"></redoc><script src="{bundle}"></script></body></html>'
        )
        return page.encode()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
