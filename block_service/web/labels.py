"""Translated labels for the fixed words stored as codes (roles, statuses).

Each table maps a code to its English msgid (with a context where one English word means two things);
only the label asked for is translated.
"""

from __future__ import annotations

from block_service.web.i18n import gettext as _
from block_service.web.i18n import pgettext


def N_(message: str) -> str:
    """Marks a msgid for extraction without translating it yet."""
    return message


def NP_(context: str, message: str) -> str:
    """The same, for a msgid with a context."""
    return message


ROLE_LABELS = {
    "resident": N_("Resident"),
    "merchant": N_("Merchant"),
    "council": N_("Council member"),
    "staff": N_("Staff"),
}
STATUS_LABELS = {
    "pending": N_("Waiting for review"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "open": N_("Open"),
    "closed": N_("Closed"),
    "withdrawn": N_("Withdrawn"),
}
THREAD_STATUS_LABELS = {
    "new": NP_("thread status", "New"),
    "acknowledged": NP_("thread status", "Acknowledged"),
    "in_progress": NP_("thread status", "In progress"),
    "resolved": NP_("thread status", "Resolved"),
    "closed": NP_("thread status", "Closed"),
    "rejected": NP_("thread status", "Rejected"),
    "duplicate": NP_("thread status", "Duplicate"),
    "reopened": NP_("thread status", "Reopened"),
}
ACTION_LABELS = {
    "acknowledged": N_("Acknowledge"),
    "in_progress": N_("Mark as in progress"),
    "resolved": N_("Mark as resolved"),
    "closed": N_("Close"),
    "duplicate": N_("Mark as a duplicate"),
}


def role_label(role: str) -> str:
    return _(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def thread_status_label(status: str) -> str:
    return pgettext("thread status", THREAD_STATUS_LABELS[status]) if status in THREAD_STATUS_LABELS else status


def status_action_label(status: str, current: str) -> str:
    """What moving to `status` means to the person choosing it."""
    if status == "closed" and current == "resolved":
        return _("Confirm it is fixed (close)")
    if status == "reopened":
        return _("It is not fixed: reopen")
    if status == "rejected":
        return pgettext("thread action", "Reject")
    return _(ACTION_LABELS[status]) if status in ACTION_LABELS else thread_status_label(status)
