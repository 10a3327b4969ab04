"""The fund ledger's services, in one place for the other domains: writes in ledger.py, reads in reads.py."""

from block_service.funds.ledger import allocate, correct, fen_of, record_income, spend, yuan
from block_service.funds.reads import balance, fund_years, funds_of, ledger, project_money

__all__ = [
    "allocate",
    "balance",
    "correct",
    "fen_of",
    "fund_years",
    "funds_of",
    "ledger",
    "project_money",
    "record_income",
    "spend",
    "yuan",
]
