"""Who is asking: the Viewer from the session, with idle and absolute timeouts, and the route guard."""

from __future__ import annotations

import time

import msgspec
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from block_service.accounts.people import load_viewer
from block_service.accounts.schemas import ANONYMOUS, Viewer
from block_service.clock import block_today
from block_service.db.kept import kept
from block_service.web.permissions import ANYONE, SIGNED_IN, STAFF, access_for

SEEN_WRITE_INTERVAL = 60


def viewer_of(connection: ASGIConnection | Scope) -> Viewer:
    scope = connection if isinstance(connection, dict) else connection.scope
    user = scope.get("user")
    return user if isinstance(user, Viewer) else ANONYMOUS


async def _viewer_from_session(session: dict, settings) -> Viewer:
    person_id, version = session.get("pid"), session.get("ver")
    if not isinstance(person_id, int) or not isinstance(version, int):
        return ANONYMOUS
    now = int(time.time())
    authenticated_at, seen_at = session.get("auth_at", 0), session.get("seen_at", 0)
    if now - authenticated_at > settings.session_absolute_hours * 3600 or (
        now - seen_at > settings.session_idle_minutes * 60
    ):
        session.clear()
        return ANONYMOUS
    # Kept until anything is written (roles, shops, seats, unread news, a session ended elsewhere are all
    # writes) or the block's day turns (a council term's dates decide the council role).
    viewer = await kept(("viewer", person_id, version, block_today()), lambda: load_viewer(person_id, version))
    if viewer is None:
        # Disabled, password changed elsewhere, or logged out everywhere: this session is over.
        session.clear()
        return ANONYMOUS
    if now - seen_at > SEEN_WRITE_INTERVAL:
        session["seen_at"] = now
    if viewer.is_staff and not viewer.second_factor:
        # Staff powers need a second factor: until one is set up, this person acts as a plain member,
        # on every route and in every service, and staff pages send them to set it up.
        viewer = msgspec.structs.replace(viewer, roles=viewer.roles - {"staff"}, needs_second_factor=True)
    return viewer


class ViewerMiddleware(ASGIMiddleware):
    """Puts the Viewer into scope["user"]; a request without a session costs no query."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        session = scope.get("session")
        if isinstance(session, dict) and session.get("pid"):
            scope["user"] = await _viewer_from_session(session, scope["app"].state.settings)
        else:
            scope["user"] = ANONYMOUS
        await next_app(scope, receive, send)


async def enforce_route_access(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """The one guard: the route's row in the permission table decides; a route without a row is closed.

    A coroutine, though it awaits nothing: Litestar runs a plain function guard in a worker thread."""
    allowed = access_for(handler)
    if ANYONE in allowed:
        return
    viewer = viewer_of(connection)
    if not viewer.is_signed_in:
        raise NotAuthorizedException("Please log in first.")
    if SIGNED_IN in allowed or viewer.roles & allowed:
        return
    if viewer.needs_second_factor and STAFF in allowed:
        raise SecondFactorRequired("Staff need a second factor: set it up first.")
    raise PermissionDeniedException("You do not have permission to do this.")


class SecondFactorRequired(PermissionDeniedException):
    """A staff member without a second factor asked for a staff route: they are sent to set it up."""

    second_factor_setup = True
