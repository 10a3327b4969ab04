"""Server-side sessions that rotate their id at login and never store empty sessions."""

from __future__ import annotations

import time
from typing import Any

from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

ROTATE_KEY = "_rotate"
LOADED_KEY = "block_session_loaded"
SESSION_ID_KEY = "block_session_id"
BACKEND_KEY = "block_session_backend"
SECOND_STEP_KEY = "second_step"  # password checked, code not yet: not signed in
SECOND_STEP_SECONDS = 5 * 60
SETUP_SECRET_KEY = "totp_setup"  # the secret shown while a person sets up their authenticator app


def cookie_name(name: str, debug: bool) -> str:
    """`__Host-` outside debug: browsers then accept the cookie only from HTTPS, for this exact host, with
    path / and no Domain, so a sibling subdomain or a plain-HTTP page cannot plant or overwrite it."""
    return name if debug else f"__Host-{name}"


class RotatingSessionBackend(ServerSideSessionBackend):
    """Litestar's server-side backend with three changes.

    - A session marked for rotation (at login) is stored under a fresh id and the old id is
      deleted, so a session id planted before login is worthless after it.
    - Anonymous visitors with nothing in their session get no cookie and no store entry.
    - An unchanged session is not written back on every response.
    """

    async def load_from_connection(self, connection) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        state = connection.scope.setdefault("state", {})
        state[LOADED_KEY] = dict(data)
        state[SESSION_ID_KEY] = connection.cookies.get(self.config.key)
        state[BACKEND_KEY] = self
        return data

    async def store_in_message(self, scope_session: ScopeSession, message: Message, connection) -> None:
        scope = connection.scope
        store = self.config.get_store_from_app(scope["app"])
        headers = MutableScopeHeaders.from_message(message)
        cookie_params = dict(extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys()))
        old_id = connection.cookies.get(self.config.key)
        if old_id == "null":
            old_id = None

        if scope_session is Empty or not scope_session:
            if old_id:
                await self.delete(old_id, store=store)
                headers.add(
                    "Set-Cookie",
                    Cookie(value="null", key=self.config.key, expires=0, **cookie_params).to_header(header=""),
                )
            return

        session = dict(scope_session)
        rotate = session.pop(ROTATE_KEY, False)
        if rotate or not old_id:
            if old_id:
                await self.delete(old_id, store=store)
            session_id = self.generate_session_id()
        else:
            session_id = old_id
            if session == scope.get("state", {}).get(LOADED_KEY):
                return
        await self.set(session_id=session_id, data=self.serialize_data(session, scope), store=store)
        headers.add("Set-Cookie", Cookie(value=session_id, key=self.config.key, **cookie_params).to_header(header=""))


async def stored_session(scope) -> dict[str, Any] | None:
    """The request's session as the store holds it now (None once it ended: logged out, expired, or ended
    by a disabled account or a password change), for work that outlives the request, like a live stream."""
    state = scope.get("state", {})
    session_id, backend = state.get(SESSION_ID_KEY), state.get(BACKEND_KEY)
    if not session_id or backend is None:
        return None
    data = await backend.get(session_id, store=backend.config.get_store_from_app(scope["app"]))
    return backend.deserialize_data(data) if data else None


class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


def start_second_step(session: dict[str, Any], signed_in, target: str) -> None:
    """The password was right: remember who, for a few minutes, while the code is asked for."""
    session.clear()
    session.update(
        {
            SECOND_STEP_KEY: {
                "pid": signed_in.person_id,
                "ver": signed_in.session_version,
                "lang": signed_in.language,
                "key": signed_in.account_key,
                "at": int(time.time()),
                "next": target,
            },
            ROTATE_KEY: True,
        }
    )


def pending_second_step(session: dict[str, Any]):
    """(SignedIn waiting for its code, target) or None when there is none or it is too old."""
    from block_service.accounts.schemas import SignedIn

    pending = session.get(SECOND_STEP_KEY)
    if not isinstance(pending, dict) or int(time.time()) - pending.get("at", 0) > SECOND_STEP_SECONDS:
        session.pop(SECOND_STEP_KEY, None)
        return None
    signed_in = SignedIn(
        person_id=pending["pid"],
        session_version=pending["ver"],
        language=pending["lang"],
        second_factor=True,
        account_key=pending["key"],
    )
    return signed_in, pending["next"]


def start_session(session: dict[str, Any], *, person_id: int, session_version: int) -> None:
    """Fill a fresh, rotated session for a person who has just proved who they are."""
    now = int(time.time())
    flashes = session.get("_flashes")  # a welcome message set just before must survive the fresh session
    session.clear()
    if flashes:
        session["_flashes"] = flashes
    session.update({"pid": person_id, "ver": session_version, "auth_at": now, "seen_at": now, ROTATE_KEY: True})
