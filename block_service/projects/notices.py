"""What projects tell people through the inbox: the lead, the workers, the proposal's supporters, the people served."""

from __future__ import annotations

from collections.abc import Iterable

from block_service.audit.services import record_change
from block_service.clock import now
from block_service.inbox import Subject, deliver
from block_service.projects.tables import ProjectStep

KIND = "project"


async def tell(
    people: Iterable[int],
    project_id: int,
    event: str,
    *,
    actor_id: int | None = None,
    actor_name: str = "",
    detail: str = "",
) -> int:
    """Record the notice for each person but the actor (inside the caller's write)."""
    recipients = sorted(set(people) - {actor_id, None})
    if not recipients:
        return 0
    return await deliver(
        recipients,
        Subject(KIND, project_id),
        event,
        now=now(),
        actor_name=actor_name,
        actor_id=actor_id,
        detail=detail[:200],
    )


async def record_step(
    project_id: int, kind: str, status_from: str, status_to: str, *, actor_id: int | None, reason: str = ""
) -> None:
    """A step on the project's timeline and its audit entry, in the caller's write."""
    moment = now()
    await ProjectStep.insert(
        ProjectStep(
            project=project_id,
            kind=kind,
            status_from=status_from,
            status_to=status_to,
            reason=reason,
            actor=actor_id,
            at=moment,
        )
    )
    await record_change(
        actor_id=actor_id,
        action=f"project.{kind}",
        object_type="project",
        object_id=project_id,
        before={kind: status_from},
        after={kind: status_to, "reason": reason},
        at=moment,
    )
