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
    # "kind:object_id": the entries of one subject share it (the inbox page shows one row per subject).
    subject: str = ""


class InboxSubject(msgspec.Struct, kw_only=True):
    """One row of the inbox page: everything about one object, its latest entry first (`entries`, at most
    inbox.services.SUBJECT_ENTRIES of them), how many there are and how many are unread."""

    subject: str
    kind: str
    object_id: int
    total: int
    unread: int
    entries: list[InboxItem]

    @property
    def latest(self) -> InboxItem:
        return self.entries[0]
