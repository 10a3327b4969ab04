"""Pledges: promises of money, materials, hours, a skill or a space against the goals of a project or a need.

A lower domain: it knows its targets only by (subject kind, subject id); the domains that own them register,
once at start, whether a target is open, who manages it and how it is named (`register_target`).
"""

from block_service.pledges.targets import register_target

__all__ = ["register_target"]
