"""One table of inbox entries, pointing at any object by (kind, object_id)."""

from piccolo.columns import Integer, Timestamptz, Varchar
from piccolo.table import Table


class InboxEntry(Table, tablename="inbox_entry"):
    """Something a person was told. The person is a plain indexed integer, not a foreign key: the inbox sits
    below accounts (accounts deliver their own notices here), so erasing a person deletes their entries
    explicitly (inbox.services.forget_person). Indexes for "my entries, newest first" and "my unread count"
    are raw (see the migration of 2026-11-29T05:00:01)."""

    person = Integer()
    kind = Varchar(length=20)  # thread | account | proposal | motion | meeting | ...
    object_id = Integer()
    event = Varchar(length=30)
    # Who acted, as every recipient may read it; the alias names an actor who may not be named ("resident").
    actor_name = Varchar(length=40, default="")
    actor_alias = Varchar(length=20, default="")
    # The acting person, so erasing them renames them in other people's entries (null: nobody, or unknown).
    actor = Integer(null=True, default=None)
    detail = Varchar(length=200, default="")
    created_at = Timestamptz(index=True)
    read_at = Timestamptz(null=True, default=None)
