"""Sets the request's language: the person's choice (cookie), else Accept-Language, else BLOCK_LANGUAGE."""

from __future__ import annotations

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from block_service.web.i18n import LANGUAGE_COOKIE, current_language, negotiate


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                cookie_name, _, cookie_value = part.strip().partition("=")
                if cookie_name == name:
                    return cookie_value
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


class LanguageMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        default = scope["app"].state.settings.language
        language = negotiate(_cookie(scope, LANGUAGE_COOKIE), _header(scope, b"accept-language"), default)
        current_language.set(language)
        scope.setdefault("state", {})["language"] = language
        await next_app(scope, receive, send)


LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600


def set_language_cookie(request, response, language: str) -> None:
    """The language choice as a cookie: Secure outside debug, like every other cookie of the service."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=not request.app.state.settings.debug,
    )
