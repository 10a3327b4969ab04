"""What the inbox takes (a subject) and gives (entries as a viewer sees them)."""

from __future__ import annotations

import datetime as dt

import msgspec


class Subject(msgspec.Struct, frozen=True):
    """The object an entry is about: a thread, an account, a proposal, a motion, a meeting, ..."""

    kind: str
    object_id: int


class InboxItem(msgspec.Struct, kw_only=True):
    """One entry as its owner sees it. `available` is False when the object is gone or no longer visible to
    them: then title and url are empty. `message` is the English msgid of the event (translated at the edge,
    with %(name)s the actor and %(detail)s the detail); `text` is filled in by the edge."""

    id: int
    kind: str
    object_id: int
    event: str
    actor_name: str
    actor_alias: str
    detail: str
    created_at: dt.datetime
    read: bool
    available: bool
    title: str = ""
    url: str = ""
    message: str = ""
    text: str = ""
