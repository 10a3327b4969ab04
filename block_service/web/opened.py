"""Opening an object's page reads the person's inbox notices about it (threads, proposals, motions, meetings…)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec
from litestar import Request

from block_service import clock, inbox
from block_service.db.kept import kept
from block_service.web.auth import viewer_of


async def read_notices_about(
    request: Request, kind: str, object_id: int, *, may_see: Callable[[], Awaitable[object]] | None = None
) -> None:
    """Mark the viewer's unread notices about this object read, before the page is looked up or rendered.

    Done first, so that a kept page is never served past notices it should mark, and the navigation on
    this very page already counts them as read. Nothing is written when the person has nothing unread.
    A person only ever holds notices about what they were told of, so this reveals nothing: the page's
    own permission check still decides whether they may see the object; `may_see`, where an object must not
    even be marked for someone who may not see it, is awaited (and raises) before anything is marked."""
    viewer = viewer_of(request)
    if not (viewer.is_signed_in and viewer.unread):
        return
    subject = inbox.Subject(kind, object_id)
    # Asked on every object page someone with unread news elsewhere opens: kept until anything is written.
    if not await kept(("unread about", viewer.person_id, subject), lambda: inbox.has_unread(viewer.person_id, subject)):
        return
    if may_see is not None:
        await may_see()  # raises (a 404) before anything is marked
    if await inbox.mark_read(viewer.person_id, subject, now=clock.now()):
        request.scope["user"] = msgspec.structs.replace(viewer, unread=await inbox.unread_count(viewer.person_id))
