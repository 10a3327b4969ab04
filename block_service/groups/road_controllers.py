"""The road's segment panel: what a tap on a segment of the strip map shows (a fragment, or a page without JS)."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Response

from block_service.groups import strip
from block_service.web import shared_pages
from block_service.web.params import Id


class RoadController(Controller):
    @get("/road/{segment_id:int}", name="road_segment")
    async def road_segment(self, request: Request, segment_id: FromPath[Id]) -> Response:
        """A segment's shops, open reports and whatever else other domains mark on the road, north to south."""
        shared = await shared_pages.lookup(request, shared_pages.by_role)
        if isinstance(shared, Response):
            return shared
        segment, stretch = await strip.segment_stretch(segment_id)
        return shared_pages.render_shared(
            request,
            shared,
            "groups/road_segment.html",
            fragment="groups/_segment_panel.html" if request.htmx else None,
            segment=segment,
            stretch=stretch,
            group_slug=await strip.group_of_segment(segment_id),
        )
