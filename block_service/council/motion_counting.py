"""Counting a motion's votes under its named rules (pure functions; tests/test_motion_counting.py).

Quorum: the votes cast (赞成 + 反对 + 弃权) against the eligible members; 弃权 counts toward it only.
- "half": more than half of the eligible members cast a vote (the default);
- "two_thirds": at least two thirds of them do.
Threshold, among 赞成 and 反对 only:
- "simple": 赞成 > 反对 (the default);
- "two_thirds": 赞成 ≥ 2/3 of (赞成 + 反对), for rules of the block.
A tie (赞成 = 反对) is rejected under both; a motion with no eligible member has no quorum.
"""

from __future__ import annotations

from block_service.council.motion_schemas import Tally


def has_quorum(tally: Tally, quorum: str) -> bool:
    if tally.eligible <= 0:
        return False
    if quorum == "two_thirds":
        return 3 * tally.cast >= 2 * tally.eligible
    return 2 * tally.cast > tally.eligible


def meets_threshold(tally: Tally, rule: str) -> bool:
    if tally.yes <= tally.no:
        return False  # a tie, or more against: rejected
    if rule == "two_thirds":
        return 3 * tally.yes >= 2 * (tally.yes + tally.no)
    return True


def decide(tally: Tally, quorum: str, rule: str) -> str:
    """passed | rejected | no_quorum."""
    if not has_quorum(tally, quorum):
        return "no_quorum"
    return "passed" if meets_threshold(tally, rule) else "rejected"
