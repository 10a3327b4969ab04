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
