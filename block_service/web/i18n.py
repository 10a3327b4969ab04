"""The edge of translation: the language of each request (cookie, then Accept-Language), and what templates show."""

from __future__ import annotations

from block_service.i18n import (  # noqa: F401  (re-exported for the web layer and templates)
    DEFAULT_LANGUAGE,
    LANGUAGES,
    current_language,
    gettext,
    lazy_gettext,
    load_catalogues,
    localized,
    ngettext,
    pgettext,
    translations,
)

LANGUAGE_NAMES = {"zh-Hans": "中文", "en": "English"}
LANGUAGE_COOKIE = "lang"

_ = gettext


def negotiate(cookie_value: str | None, accept_language: str | None, default: str) -> str:
    """The person's chosen language, else the browser's preference, else the service default."""
    if cookie_value in LANGUAGES:
        return cookie_value
    for tag, _quality in _parse_accept_language(accept_language or ""):
        tag = tag.lower()
        if tag.startswith("zh"):
            return "zh-Hans"
        if tag.startswith("en"):
            return "en"
    return default


def _parse_accept_language(header: str) -> list[tuple[str, float]]:
    tags: list[tuple[str, float]] = []
    for part in header.split(","):
        pieces = part.strip().split(";")
        if not pieces[0]:
            continue
        quality = 1.0
        for piece in pieces[1:]:
            if piece.strip().startswith("q="):
                try:
                    quality = float(piece.strip()[2:])
                except ValueError:
                    quality = 0.0
        tags.append((pieces[0].strip(), quality))
    return sorted(tags, key=lambda item: -item[1])
