"""Fund ledger tests: a passed motion with a budget cap, a funded year."""

from __future__ import annotations

from block_service.council.motion_tables import Motion
from block_service.funds import services
from block_service.funds.schemas import IncomeForm
from tests.motion_helpers import a_motion, seated_council

_councils: dict[int, object] = {}


async def passed_motion(*, budget_cap: int | None = 50_000, result: str = "passed") -> int:
    """A funds motion the council closed with `result` (the vote itself is the council's tests' business)."""
    from block_service.council.tables import CouncilTerm

    term = await CouncilTerm.select(CouncilTerm.id).first()
    council = _councils.get(term["id"]) if term else None
    if council is None:
        council = await seated_council(1)
        _councils.clear()
        _councils[council.term_id] = council
    motion_id = await a_motion(council, kind="funds", budget_cap=budget_cap)
    await Motion.update({Motion.status: "closed", Motion.result: result}).where(Motion.id == motion_id)
    return motion_id


async def funded_year(staff, year: int = 2026, yuan: str = "200000") -> int:
    return await services.record_income(staff, IncomeForm(year=year, source="street", amount=yuan, note="街道年度拨款"))
