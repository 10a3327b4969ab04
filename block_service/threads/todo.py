"""The merchant's to-do: for each shop they act for, the open threads about it, by deadline, and whether the shop
has answered yet."""

from __future__ import annotations

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.errors import Forbidden
from block_service.shops.tables import Shop, ShopMerchant
from block_service.threads.access import is_overdue, load_thread_for
from block_service.threads.schemas import OPEN_STATUSES, ShopTodo, TodoItem
from block_service.threads.tables import Message, Thread

# What one to-do shows at most (the oldest deadlines first); the shop's page lists the rest.
TODO_LIMIT = 100


def _todo_condition(shop_ids: list[int]):
    return (
        Thread.shop.is_in(shop_ids)
        & Thread.status.is_in(list(OPEN_STATUSES))
        & (Thread.hidden == False)  # noqa: E712
        & (Thread.visibility == "public")
    )


async def shop_todo(viewer: Viewer) -> list[ShopTodo]:
    """Every shop the viewer acts for, with its open public threads by deadline (overdue first, as they are the
    oldest deadlines); three statements whatever the number of shops and threads."""
    if not viewer.shop_ids:
        return []
    shop_ids = sorted(viewer.shop_ids)
    shops = await Shop.select(Shop.id, Shop.name).where(Shop.id.is_in(shop_ids)).order_by(Shop.street_number)
    rows = (
        await Thread.select(
            Thread.id,
            Thread.shop,
            Thread.title,
            Thread.status,
            Thread.category.name_zh.as_alias("category_name_zh"),
            Thread.category.name_en.as_alias("category_name_en"),
            Thread.house_number,
            Thread.metoo_count,
            Thread.created_at,
            Thread.due_at,
        )
        .where(_todo_condition(shop_ids))
        .order_by(Thread.due_at)
        .order_by(Thread.id)
        .limit(TODO_LIMIT)
    )
    answered: set[int] = set()
    if rows:
        merchants = ShopMerchant.select(ShopMerchant.person).where(ShopMerchant.shop.is_in(shop_ids))
        answers = await Message.select(Message.thread).where(
            Message.thread.is_in([row["id"] for row in rows])
            & (Message.kind == "answer")
            & (Message.official == True)  # noqa: E712
            & Message.author.is_in(merchants)
        )
        answered = {answer["thread"] for answer in answers}
    now = clock.now()
    by_shop: dict[int, list[TodoItem]] = {shop["id"]: [] for shop in shops}
    for row in rows:
        shop_id = row.pop("shop")
        item = TodoItem(**row, overdue=is_overdue(row["status"], row["due_at"], now), answered=row["id"] in answered)
        by_shop.setdefault(shop_id, []).append(item)
    return [ShopTodo(shop_id=shop["id"], shop_name=shop["name"], items=by_shop[shop["id"]]) for shop in shops]


async def todo_item(viewer: Viewer, thread_id: int) -> TodoItem:
    """One thread of the viewer's to-do (after answering it); Forbidden unless it concerns a shop they act for."""
    row = await load_thread_for(viewer, thread_id)
    if row["shop_id"] is None or not viewer.acts_for(row["shop_id"]):
        raise Forbidden("Only the merchants of the shop concerned answer from their to-do.")
    for todo in await shop_todo(viewer):
        for item in todo.items:
            if item.id == thread_id:
                return item
    raise Forbidden("This thread is no longer open on your to-do.")
