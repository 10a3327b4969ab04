"""Durability, short form of bench/durability.py: kill -9 of every server process mid-load loses no
acknowledged answer or ballot, and the database passes its integrity checks (on the suite's engine)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ENGINE

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "durability.py"


def test_every_acknowledged_write_survives_kill_9_of_all_server_processes(tmp_path):
    report_path = tmp_path / "durability.json"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--engine", ENGINE, "--short", "--json", str(report_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert report_path.exists(), f"the script did not finish:\n{run.stdout}\n{run.stderr[-3000:]}"
    report = json.loads(report_path.read_text())
    print(run.stdout)
    assert report["killed_processes"] >= 3  # the supervisor and both workers
    assert report["answers"]["acknowledged"] > 0 and report["ballots"]["acknowledged"] > 0
    assert report["answers"]["lost"] == [] and report["ballots"]["lost"] == []
    assert report["integrity_problems"] == []
    assert run.returncode == 0, run.stdout
