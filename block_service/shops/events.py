"""What the shops domain tells the domains above it without knowing them: handlers subscribe as their module loads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

CategoriesSaved = Callable[[int | None], Awaitable[None]]

_on_categories_saved: list[CategoriesSaved] = []


def on_categories_saved(handler: CategoriesSaved) -> CategoriesSaved:
    """Call `handler(actor_id)` inside the transaction that saved a segment or an industry."""
    if handler not in _on_categories_saved:
        _on_categories_saved.append(handler)
    return handler


async def categories_saved(actor_id: int | None) -> None:
    for handler in _on_categories_saved:
        await handler(actor_id)
