"""The home page, health probes and the language switch."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Response, Template

from block_service.accounts.people import set_language
from block_service.db import ping_database
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.i18n import LANGUAGES
from block_service.web.language import set_language_cookie
from block_service.web.templating import render

ONE_YEAR = 365 * 24 * 3600


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only same-site paths may be redirected to (no //evil.example, no scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


class SystemController(Controller):
    @get("/", name="home")
    async def home(self, request: Request) -> Response:
        from block_service.groups.strip import whole_road
        from block_service.shops.services import count_open_shops

        shared = await shared_pages.lookup(request, shared_pages.by_role)
        if isinstance(shared, Response):
            return shared
        return shared_pages.render_shared(
            request, shared, "home.html", road=await whole_road(), open_shops=await count_open_shops()
        )

    @get("/contact", name="contact")
    async def contact(self, request: Request) -> Template:
        return render(request, "contact.html")

    @get("/healthz", name="healthz", media_type="application/json")
    async def healthz(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/readyz", name="readyz", media_type="application/json")
    async def readyz(self) -> Response[dict[str, str]]:
        if await ping_database():
            return Response({"status": "ready"}, status_code=200)
        return Response({"status": "database unreachable"}, status_code=503)

    @post("/language", name="set_language")
    async def set_language(
        self,
        request: Request,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Redirect:
        language = data.get("language")
        target = safe_next(data.get("next"))
        response = Redirect(path=target, status_code=303)
        if language in LANGUAGES:
            set_language_cookie(request, response, language)
            viewer = viewer_of(request)
            if viewer.is_signed_in:
                await set_language(viewer.person_id, language)
        return response
