"""A pledge target for tests: "trial" objects whose openness and managers a test sets."""

from __future__ import annotations

from block_service.pledges import register_target
from block_service.pledges.schemas import PledgeSubject

CLOSED: set[int] = set()
MANAGERS: dict[int, set[int]] = {}


def _is_open(subject_id: int) -> bool:
    return subject_id not in CLOSED


async def _may_manage(subject_id: int, viewer) -> bool:
    return viewer.person_id in MANAGERS.get(subject_id, set())


async def _describe(subject_ids: list[int], viewer) -> dict[int, str]:
    return {subject_id: f"试点项目{subject_id}" for subject_id in subject_ids}


def trial(subject_id: int = 1, *, managers: tuple[int, ...] = (), open_: bool = True) -> PledgeSubject:
    """Register the "trial" target kind (again: harmless) and set up one of its objects."""
    register_target("trial", is_open=_is_open, may_manage=_may_manage, describe=_describe, url=lambda i: f"/trial/{i}")
    MANAGERS[subject_id] = set(managers)
    if open_:
        CLOSED.discard(subject_id)
    else:
        CLOSED.add(subject_id)
    return PledgeSubject(kind="trial", id=subject_id)
