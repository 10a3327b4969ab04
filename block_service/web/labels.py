"""Translated labels for the fixed words stored as codes (roles, statuses).

Each table maps a code to its English msgid (with a context where one English word means two things);
only the label asked for is translated.
"""

from __future__ import annotations

import re

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


PROPOSAL_STATUS_LABELS = {
    "draft": NP_("proposal status", "Draft"),
    "submitted": NP_("proposal status", "Submitted"),
    "deliberation": NP_("proposal status", "Under deliberation"),
    "declined": NP_("proposal status", "Declined"),
    "merged": NP_("proposal status", "Merged"),
    "on_agenda": NP_("proposal status", "On the council's agenda"),
    "passed": NP_("proposal status", "Passed"),
    "rejected": NP_("proposal status", "Rejected"),
    "withdrawn": NP_("proposal status", "Withdrawn"),
}
PROPOSAL_SIZE_LABELS = {
    "large": N_("Large: a government practical project"),
    "small": N_("Small: the block's autonomous funds"),
    "mini": N_("Mini: organised by residents and merchants"),
}
PROPOSAL_STEP_LABELS = {
    "submit": N_("Submit it"),
    "accept": N_("Accept for deliberation"),
    "decline": N_("Decline"),
    "merge": N_("Merge into another proposal"),
    "withdraw": N_("Withdraw it"),
}


def proposal_status_label(status: str) -> str:
    labels = PROPOSAL_STATUS_LABELS
    return pgettext("proposal status", labels[status]) if status in labels else status


def proposal_size_label(size: str) -> str:
    return _(PROPOSAL_SIZE_LABELS[size]) if size in PROPOSAL_SIZE_LABELS else size


def proposal_step_label(step: str) -> str:
    return _(PROPOSAL_STEP_LABELS[step]) if step in PROPOSAL_STEP_LABELS else step


HOUSE_NUMBER = re.compile(r"(\d+)号")
LANE_NUMBER = re.compile(r"(\d+)弄(?:(\d+)号)?")


def house_number_label(value: str | None) -> str:
    """A normalised house number ("1063号", "1141弄", "1141弄12号") in the reader's language."""
    if not value:
        return ""
    if match := HOUSE_NUMBER.fullmatch(value):
        return _("No. %(number)s", number=match.group(1))
    if match := LANE_NUMBER.fullmatch(value):
        if match.group(2):
            return _("Lane %(lane)s, No. %(number)s", lane=match.group(1), number=match.group(2))
        return _("Lane %(lane)s", lane=match.group(1))
    return value


def audit_sentence(entry) -> str:
    """An audit entry as a sentence in the reader's language (audit.describe chose the message and its facts)."""
    description = entry.description
    params = dict(description.params)
    for name, kind in description.labels.items():
        value = str(params.get(name) or "")
        params[name] = role_label(value) if kind == "role" else thread_status_label(value) if kind else value
    params["actor"] = entry.actor_name if entry.actor is not None and entry.actor_name else _("The system")
    params["object"] = entry.object_name or (f"#{entry.object_id}" if entry.object_id is not None else "")
    try:
        return _(description.message, **params)
    except (KeyError, ValueError, TypeError):  # a translation naming a parameter the entry lacks
        return _(
            "%(actor)s: %(action)s (%(object_type)s %(object)s)",
            actor=params["actor"],
            action=entry.action,
            object_type=entry.object_type,
            object=params["object"],
        )


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "…"


def audit_action_label(action: str) -> str:
    """An action of the audit log's filter, as its sentence with the particulars left out."""
    from block_service.audit.describe import SENTENCES

    known = SENTENCES.get(action)
    if known is None:
        return action
    try:
        return _(known[0]) % _Blank(actor=_("Someone"))
    except (KeyError, ValueError, TypeError):
        return action
