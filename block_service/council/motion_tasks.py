"""The motions' scheduled task: every worker runs a round each half minute (open, remind, close), so a
motion closes within a minute of its deadline. Each step claims its rows itself (motion_closing.py)."""

from __future__ import annotations

from block_service.clock import now
from block_service.council.motion_closing import run_motion_round
from block_service.periodic import every

INTERVAL_SECONDS = 30

run_motion_tasks = every(INTERVAL_SECONDS, lambda: run_motion_round(now()), "motion round")
