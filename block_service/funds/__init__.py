"""The autonomous fund ledger (自治金): income, allocations to small projects, spending, per year, in fen.

Entries are never edited nor deleted: a correction is a new entry pointing at the one it adjusts. Projects
are a higher domain: funds knows them by plain id and names them through `register_project_describer`.
"""

from block_service.funds.hooks import register_project_describer

__all__ = ["register_project_describer"]
