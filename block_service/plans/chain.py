"""The chain timeline: threads → proposal → hearing → motion → decision → project, one shared component.

A chain is anchored by a proposal. Each kind of step has one provider, registered by the domain that owns
it (`@chain_steps("motion")` in council, `@chain_steps("hearing")` in meetings, later `"project"`): it gets
the proposal ids and the viewer and returns its steps for all of them in one query. A thread's chain is the
chains of the proposals that gather it. `templates/plans/_chain.html` renders a chain on every page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from block_service.accounts.schemas import Viewer
from block_service.plans.schemas import ChainStep
from block_service.plans.tables import ProposalThread

Provider = Callable[[list[int], Viewer], Awaitable[list[ChainStep]]]

# The order of kinds along the chain: steps of one kind without a time sort by it.
KIND_ORDER = ("thread", "proposal", "hearing", "motion", "decision", "project", "milestone", "evaluation")

_providers: dict[str, Provider] = {}


def chain_steps(kind: str) -> Callable[[Provider], Provider]:
    """Register the decorated coroutine as the one provider of `kind` steps (registering again replaces it)."""

    def register(provider: Provider) -> Provider:
        _providers[kind] = provider
        return provider

    return register


def registered_kinds() -> list[str]:
    return sorted(_providers, key=_kind_rank)


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)


def _sort_key(step: ChainStep) -> tuple:
    # Threads come first whatever their time; steps still waiting (no time) go last, in chain order.
    if step.kind == "thread":
        return (0, step.at or _EARLIEST, 0)
    if step.at is None:
        return (2, _EARLIEST, _kind_rank(step.kind))
    at = step.at if step.at.tzinfo else step.at.replace(tzinfo=dt.UTC)
    return (1, at, _kind_rank(step.kind))


async def chains_of(proposal_ids: list[int], viewer: Viewer) -> dict[int, list[ChainStep]]:
    """Every proposal's chain, in time order: one query per registered provider, whatever the number of proposals."""
    ids = sorted(set(proposal_ids))
    chains: dict[int, list[ChainStep]] = {proposal_id: [] for proposal_id in ids}
    if not ids:
        return chains
    for kind in registered_kinds():
        for step in await _providers[kind](ids, viewer):
            if step.proposal_id in chains:
                chains[step.proposal_id].append(step)
    for steps in chains.values():
        steps.sort(key=_sort_key)
    return chains


async def chain_of(proposal_id: int, viewer: Viewer) -> list[ChainStep]:
    return (await chains_of([proposal_id], viewer))[proposal_id]


async def proposal_ids_of_thread(thread_id: int) -> list[int]:
    rows = await ProposalThread.select(ProposalThread.proposal).where(ProposalThread.thread == thread_id)
    return sorted({row["proposal"] for row in rows})
