"""The kinds of object an inbox entry may point at, registered by the domains that own them.

A domain registers its kind once, when the app loads (in its controllers module, beside its page-part
fillers): how to name and link its objects for a viewer, in one batched query for a whole inbox page, and
the English msgid shown for each event (translated at the edge, with %(name)s the actor and %(detail)s
the entry's detail). Objects the viewer may no longer see are left out of what `describe` returns; their
entries then show as "no longer available", without title or link.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

MAX_KIND_LENGTH = 20  # inbox_entry.kind


class KindView(msgspec.Struct, frozen=True):
    """How one object shows in a viewer's inbox: its title and where it is."""

    title: str
    url: str


# describe(object_ids, viewer) -> {object_id: KindView}; a coroutine (one batched query) or a plain function.
Describer = Callable[[list[int], Any], "Awaitable[dict[int, KindView]] | dict[int, KindView]"]
# detail_label(event, detail) -> the detail as shown (e.g. a status code as its translated label).
DetailLabel = Callable[[str, str], str]


@dataclass(frozen=True)
class Kind:
    name: str
    describe: Describer
    events: Mapping[str, str] = field(default_factory=dict)
    detail_label: DetailLabel | None = None


_kinds: dict[str, Kind] = {}


def register_kind(
    kind: str, describe: Describer, events: dict[str, str], *, detail_label: DetailLabel | None = None
) -> None:
    """Register (or replace) how entries of `kind` are described and worded."""
    if not kind or len(kind) > MAX_KIND_LENGTH:
        raise ValueError(f"an inbox kind has 1 to {MAX_KIND_LENGTH} characters: {kind!r}")
    _kinds[kind] = Kind(name=kind, describe=describe, events=dict(events), detail_label=detail_label)


def kind_of(name: str) -> Kind | None:
    return _kinds.get(name)


def registered_kinds() -> list[str]:
    return sorted(_kinds)


async def describe(kind: str, object_ids: list[int], viewer: Any) -> dict[int, KindView]:
    """What the viewer may see of these objects; an unregistered kind describes nothing."""
    registered = _kinds.get(kind)
    if registered is None or not object_ids:
        return {}
    result = registered.describe(sorted(set(object_ids)), viewer)
    if inspect.isawaitable(result):
        result = await result
    return dict(result)
