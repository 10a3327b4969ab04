"""The inbox: what every domain tells a person ("your thread was answered", "a motion opened"), in one list.

A lower domain: it knows people only by id and the objects it points at only by (kind, object id). Domains
deliver entries inside their own write transaction and register, once at start, how their objects are named
and linked for a viewer (`register_kind`, usually in the domain's controllers module).
"""

from block_service.inbox.delivery import NOTIFIERS, InAppNotifier, Notice, Notifier, deliver
from block_service.inbox.kinds import Describer, DetailLabel, KindView, register_kind
from block_service.inbox.schemas import Subject
from block_service.inbox.services import has_unread, mark_read, unread_count

__all__ = [
    "NOTIFIERS",
    "Describer",
    "DetailLabel",
    "InAppNotifier",
    "KindView",
    "Notice",
    "Notifier",
    "Subject",
    "deliver",
    "has_unread",
    "mark_read",
    "register_kind",
    "unread_count",
]
