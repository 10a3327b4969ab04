"""Parts a higher domain adds to a lower domain's page, so the lower one never imports the higher one.

The page names its part and what it knows ("shop_threads" with the viewer and the shop's id); the domain
that owns the part registers a filler when its controllers load (the app loads them all at start). A page
whose part nobody fills fails loudly: a missing filler is a wiring mistake, not an empty section.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Filler = Callable[..., Awaitable[dict[str, Any]]]

_fillers: dict[str, Filler] = {}
_defaults: dict[str, Filler] = {}


def fills(part: str) -> Callable[[Filler], Filler]:
    """Register the decorated coroutine as the one filler of `part`; it returns template variables."""

    def register(filler: Filler) -> Filler:
        _fillers[part] = filler
        return filler

    return register


def fills_by_default(part: str) -> Callable[[Filler], Filler]:
    """Register a fallback filler of `part`, used only until (and unless) the owning domain registers its own."""

    def register(filler: Filler) -> Filler:
        _defaults[part] = filler
        return filler

    return register


async def part_of_page(part: str, **known: Any) -> dict[str, Any]:
    filler = _fillers.get(part) or _defaults[part]
    return await filler(**known)
