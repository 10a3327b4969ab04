"""A person's account notices: the list and marking them read."""

from __future__ import annotations

from block_service import clock
from block_service.accounts.schemas import (
    AccountNoticeOut,
)
from block_service.accounts.tables import AccountNotice


async def list_account_notices(person_id: int, limit: int = 20) -> list[AccountNoticeOut]:
    rows = (
        await AccountNotice.select(
            AccountNotice.id,
            AccountNotice.event,
            AccountNotice.detail,
            AccountNotice.created_at,
            AccountNotice.read_at,
        )
        .where(AccountNotice.person == person_id)
        .order_by(AccountNotice.id, ascending=False)
        .limit(limit)
    )
    return [
        AccountNoticeOut(
            id=row["id"],
            event=row["event"],
            detail=row["detail"],
            created_at=row["created_at"],
            read=row["read_at"] is not None,
        )
        for row in rows
    ]


async def mark_account_notices_read(person_id: int) -> None:
    await AccountNotice.update({AccountNotice.read_at: clock.now()}).where(
        (AccountNotice.person == person_id) & AccountNotice.read_at.is_null()
    )
