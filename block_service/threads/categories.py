"""Thread categories and the staff's response templates."""

from __future__ import annotations

import msgspec

from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.cache import cached, forget
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Invalid, NotFound
from block_service.threads.schemas import (
    CategoryForm,
    CategoryOut,
    ResponseTemplateOut,
    TemplateForm,
)
from block_service.threads.tables import (
    Category,
    ResponseTemplate,
)


async def list_categories(kind: str | None = None, active_only: bool = True) -> list[CategoryOut]:
    async def load() -> list[CategoryOut]:
        query = Category.select().order_by(Category.kind).order_by(Category.sort_order).order_by(Category.id)
        return [msgspec.convert(row, CategoryOut) for row in await query]

    categories = await cached("categories", load)
    return [c for c in categories if (not kind or c.kind == kind) and (c.active or not active_only)]


async def save_category(staff: Viewer, form: CategoryForm, category_id: int | None = None) -> int:
    values = msgspec.structs.asdict(form)
    with duplicate_means(Invalid("This code is already used.", field="slug")):
        async with write_transaction():
            before = None
            if category_id is None:
                rows = await Category.insert(Category(**values)).returning(Category.id)
                category_id = rows[0]["id"]
            else:
                before = await Category.select().where(Category.id == category_id).first()
                if before is None:
                    raise NotFound("No such category.")
                await Category.update(values).where(Category.id == category_id)
            forget("categories")
            await record_change(
                actor_id=staff.person_id,
                action="category.saved",
                object_type="category",
                object_id=category_id,
                before=before,
                after=values,
            )
    return category_id


async def list_response_templates(category_id: int | None = None) -> list[ResponseTemplateOut]:
    query = (
        ResponseTemplate.select(
            ResponseTemplate.id,
            ResponseTemplate.category.as_alias("category_id"),
            ResponseTemplate.title,
            ResponseTemplate.body,
        )
        .order_by(ResponseTemplate.category)
        .order_by(ResponseTemplate.id)
    )
    if category_id is not None:
        query = query.where(ResponseTemplate.category == category_id)
    return [msgspec.convert(row, ResponseTemplateOut) for row in await query]


async def get_response_template(template_id: int) -> ResponseTemplateOut:
    templates = [t for t in await list_response_templates() if t.id == template_id]
    if not templates:
        raise NotFound("No such response template.")
    return templates[0]


async def save_response_template(staff: Viewer, form: TemplateForm, template_id: int | None = None) -> int:
    if not await Category.exists().where(Category.id == form.category_id):
        raise Invalid("Choose a category from the list.", field="category_id")
    values = {"category": form.category_id, "title": form.title, "body": form.body}
    async with write_transaction():
        if template_id is None:
            rows = await ResponseTemplate.insert(ResponseTemplate(**values)).returning(ResponseTemplate.id)
            template_id = rows[0]["id"]
        else:
            updated = (
                await ResponseTemplate.update(values)
                .where(ResponseTemplate.id == template_id)
                .returning(ResponseTemplate.id)
            )
            if not updated:
                raise NotFound("No such response template.")
        await record_change(
            actor_id=staff.person_id,
            action="response_template.saved",
            object_type="response_template",
            object_id=template_id,
            after=values,
        )
    return template_id
