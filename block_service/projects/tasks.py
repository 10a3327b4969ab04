"""Work projects do by themselves: ending evaluations whose window has passed or whose evaluation meeting
published its minutes, every few minutes in every worker (evaluation.py claims each project once)."""

from __future__ import annotations

from block_service.periodic import every
from block_service.projects.evaluation import close_evaluations

INTERVAL_SECONDS = 300

run_project_tasks = every(INTERVAL_SECONDS, close_evaluations, "project evaluations ended")
