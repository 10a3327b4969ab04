"""Helpers for plan and proposal tests: people old enough to count, proposals filed through the services."""

from __future__ import annotations

import datetime as dt

from block_service.accounts.tables import Person
from block_service.plans import proposals
from block_service.plans.lifecycle import take_step
from block_service.plans.plans import get_plan
from block_service.plans.schemas import ProposalForm, StepForm
from tests.council_helpers import merchant
from tests.helpers import make_person, viewer_for


async def age(person_id: int, days: int = 30) -> None:
    """Make an account older, so its support counts toward the thresholds."""
    await Person.update({Person.created_at: dt.datetime.now(dt.UTC) - dt.timedelta(days=days)}).where(
        Person.id == person_id
    )


async def resident(name: str = "居民", days_old: int = 30):
    person = await make_person(name)
    if days_old:
        await age(person, days_old)
    return viewer_for(person, "resident")


async def old_merchant(name: str, house_number: str, days_old: int = 30):
    viewer = await merchant(name, house_number)
    if days_old:
        await age(viewer.person_id, days_old)
    return viewer


async def file(author, plan: str = "environment", *, submit: bool = True, **fields) -> int:
    values = {"title": "门前绿化带认养", "body": "建议每家商户认养门前一小段绿化带，工作站提供花苗。"} | fields
    plan_id = (await get_plan(plan)).id
    return await proposals.file_proposal(author, ProposalForm(plan_id=plan_id, submit=submit, **values))


async def step(viewer, proposal_id: int, name: str, reason: str = "理由写清楚了", **extra) -> str:
    return await take_step(viewer, proposal_id, StepForm(step=name, reason=reason, **extra))


async def sitting_members(staff, *names_and_numbers: tuple[str, str]) -> list:
    """Merchants elected unopposed to a running term: sitting council members."""
    from block_service.council import services as council
    from tests.council_helpers import make_election, make_term, stand

    members = [await merchant(name, number) for name, number in names_and_numbers]
    election = await make_election(staff, await make_term(staff, seats=max(2, len(members))))
    for member in members:
        await stand(member, election)
    await council.open_voting(staff, election)
    await council.close_election(staff, election)
    return [viewer_for(m.person_id, "resident", "merchant", "council", shops=tuple(m.shop_ids)) for m in members]
