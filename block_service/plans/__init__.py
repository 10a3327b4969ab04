"""The six action plans and the proposals filed under them; the chain timeline every decision page shows.

What the domains above use: `proposal_facts`, `put_on_agenda`, `record_decision` and `plan_leads` (the
council's motions), `chain_steps` (register a step provider), `chains_of`/`chain_of` (read chains).
"""

from block_service.plans import steps as _steps  # noqa: F401  (registers this domain's chain providers)
from block_service.plans.chain import chain_of, chain_steps, chains_of, proposal_ids_of_thread
from block_service.plans.lifecycle import proposal_facts, put_on_agenda, record_decision
from block_service.plans.plans import plan_leads
from block_service.plans.schemas import ChainStep, ProposalFacts

__all__ = [
    "ChainStep",
    "ProposalFacts",
    "chain_of",
    "chain_steps",
    "chains_of",
    "plan_leads",
    "proposal_facts",
    "proposal_ids_of_thread",
    "put_on_agenda",
    "record_decision",
]
