"""How the fund pages name projects: registered by the projects domain (above funds), so funds never imports it.

`describe(project_ids) -> {project_id: (title, url)}`, a coroutine function or a plain function; ids it
does not return show as "project N".
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

_describers: list[Callable[[list[int]], Any]] = []


def register_project_describer(describe: Callable[[list[int]], Any]) -> None:
    """Register (or replace) the one describer of projects."""
    _describers[:] = [describe]


async def describe_projects(project_ids: list[int]) -> dict[int, tuple[str, str]]:
    if not _describers or not project_ids:
        return {}
    result = _describers[0](sorted(set(project_ids)))
    if inspect.isawaitable(result):
        result = await result
    return dict(result)
