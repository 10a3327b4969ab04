"""Translated labels for the fixed words stored as codes (roles, statuses)."""

from __future__ import annotations

from block_service.web.i18n import gettext as _


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
        "new": _("New"), "acknowledged": _("Acknowledged"), "in_progress": _("In progress"),
        "resolved": _("Resolved"), "closed": _("Closed"), "rejected": _("Rejected"),
        "duplicate": _("Duplicate"), "reopened": _("Reopened"),
    }.get(status, status)


def status_action_label(status: str, current: str) -> str:
    """What moving to `status` means to the person choosing it."""
    if status == "closed" and current == "resolved":
        return _("Confirm it is fixed (close)")
    if status == "reopened":
        return _("It is not fixed: reopen")
    return {
        "acknowledged": _("Acknowledge"), "in_progress": _("Mark as in progress"), "resolved": _("Mark as resolved"),
        "closed": _("Close"), "rejected": _("Reject"), "duplicate": _("Mark as a duplicate"),
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
