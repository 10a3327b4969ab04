"""What pledges may be made against, registered by the domains that own the targets (projects, needs).

Each target kind registers, once when the app loads (in its controllers module):
- `is_open(subject_id) -> bool`: pledges are taken (a cancelled or closed target refuses them);
- `may_manage(subject_id, viewer) -> bool`: the viewer marks pledges delivered and sees pledgers' names;
- `describe(subject_ids, viewer) -> {subject_id: title}`: the titles the viewer may see, one batched query;
- `url(subject_id) -> str`: the target's page, where a pledge form sends the pledger back.
Each may be a coroutine function or a plain function.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_TARGET_KIND_LENGTH = 20  # pledge.subject_kind


@dataclass(frozen=True)
class Target:
    kind: str
    is_open: Callable[[int], Any]
    may_manage: Callable[[int, Any], Any]
    describe: Callable[[list[int], Any], Any]
    url: Callable[[int], Any]


_targets: dict[str, Target] = {}


def register_target(
    kind: str,
    *,
    is_open: Callable[[int], Any],
    may_manage: Callable[[int, Any], Any],
    describe: Callable[[list[int], Any], Any],
    url: Callable[[int], Any],
) -> None:
    """Register (or replace) a kind of target pledges may be made against."""
    if not kind or len(kind) > MAX_TARGET_KIND_LENGTH:
        raise ValueError(f"a pledge target kind has 1 to {MAX_TARGET_KIND_LENGTH} characters: {kind!r}")
    _targets[kind] = Target(kind=kind, is_open=is_open, may_manage=may_manage, describe=describe, url=url)


def target_of(kind: str) -> Target | None:
    return _targets.get(kind)


async def call(function: Callable[..., Any], *arguments: Any) -> Any:
    """Call a registered hook, awaiting it when it is a coroutine."""
    result = function(*arguments)
    if inspect.isawaitable(result):
        result = await result
    return result
