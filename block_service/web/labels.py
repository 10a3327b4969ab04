"""Translated labels for the fixed words stored as codes (roles, statuses)."""

from __future__ import annotations

from block_service.web.i18n import gettext as _
from block_service.web.i18n import pgettext


def role_label(role: str) -> str:
    return {
        "resident": _("Resident"), "merchant": _("Merchant"), "council": _("Council member"), "staff": _("Staff"),
    }.get(role, role)


def status_label(status: str) -> str:
    return {
        "pending": _("Waiting for review"), "approved": _("Approved"), "rejected": _("Rejected"),
        "open": _("Open"), "closed": _("Closed"),
    }.get(status, status)


def thread_status_label(status: str) -> str:
    return {
        "new": pgettext("thread status", "New"), "acknowledged": pgettext("thread status", "Acknowledged"),
        "in_progress": pgettext("thread status", "In progress"), "resolved": pgettext("thread status", "Resolved"),
        "closed": pgettext("thread status", "Closed"), "rejected": pgettext("thread status", "Rejected"),
        "duplicate": pgettext("thread status", "Duplicate"), "reopened": pgettext("thread status", "Reopened"),
    }.get(status, status)


def status_action_label(status: str, current: str) -> str:
    """What moving to `status` means to the person choosing it."""
    if status == "closed" and current == "resolved":
        return _("Confirm it is fixed (close)")
    if status == "reopened":
        return _("It is not fixed: reopen")
    return {
        "acknowledged": _("Acknowledge"), "in_progress": _("Mark as in progress"), "resolved": _("Mark as resolved"),
        "closed": _("Close"), "rejected": pgettext("thread action", "Reject"),
        "duplicate": _("Mark as a duplicate"),
    }.get(status, thread_status_label(status))


def notice_text(notice) -> str:
    actor = notice.actor_name
    if notice.event == "answer":
        return _("%(name)s answered.", name=actor)
    if notice.event == "status":
        return _("%(name)s changed the status to “%(status)s”.", name=actor, status=thread_status_label(notice.detail))
    if notice.event == "opened":
        return _("A new thread concerns your shop.")
    if notice.event == "evaluate":
        return _("This thread is closed. Was it fixed? Tell us in one click.")
    if notice.event == "moderation":
        return _("Staff reviewed what you wrote: %(reason)s", reason=notice.detail)
    if notice.event == "assigned":
        return _("%(name)s assigned this thread to you.", name=actor)
    return notice.event
