"""The audit log page for staff."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get
from litestar.params import FromQuery, Parameter
from litestar.response import Template

from block_service.audit.schemas import AuditFilter
from block_service.audit.services import distinct_actions, list_audit_entries
from block_service.web.params import OptionalIdText, PageNumber, optional_int
from block_service.web.templating import render


class AuditController(Controller):
    @get("/staff/audit", name="audit_log")
    async def audit_log(
        self,
        request: Request,
        action: FromQuery[str | None] = None,
        object_type: FromQuery[str | None] = None,
        object_id: FromQuery[OptionalIdText] = None,
        actor: FromQuery[OptionalIdText] = None,
        who: FromQuery[Annotated[str | None, Parameter(max_length=40)]] = None,
        page: FromQuery[PageNumber] = 1,
    ) -> Template:
        filters = AuditFilter(
            action=action or None,
            object_type=object_type or None,
            object_id=optional_int(object_id, "object_id"),
            actor_id=optional_int(actor, "actor"),
            actor_name=(who or "").strip() or None,
            page=page,
        )
        return render(
            request,
            "audit/log.html",
            fragment="audit/_entries.html",
            result=await list_audit_entries(filters),
            filters=filters,
            actions=await distinct_actions(),
        )
