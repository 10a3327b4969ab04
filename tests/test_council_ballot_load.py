"""Concurrent ballots through the real server (the short form of bench/ballots.py): 100 shops each submit
their ballot twice at the same moment, on the engine of this test run; every shop is counted exactly once."""

import socket
import sys
from pathlib import Path

from tests import conftest

BENCH = Path(__file__).resolve().parent.parent / "bench"
SHOPS = 100
REDIS_URL = "redis://127.0.0.1:6379/14"


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def test_a_hundred_shops_submitting_twice_at_once_are_counted_exactly_once(tmp_path):
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    import ballots

    # Two workers share sessions through Redis when it runs; without it, through the service's default store.
    report = ballots.run_ballots(
        conftest.ENGINE,
        SHOPS,
        connections=64,
        workers=2,
        pg_admin_url=conftest.PG_ADMIN_URL,
        work_dir=tmp_path,
        redis_url=REDIS_URL if _redis_reachable() else None,
    )
    assert report["other_responses"] == {} and report["server_errors"] == 0, report["first_oddities"]
    assert report["accepted"] == SHOPS and report["duplicates_refused"] == SHOPS
    assert report["counted"] == SHOPS and report["turnout_voted"] == SHOPS and report["lost"] == 0
    assert report["counted_without_acknowledgement"] == 0 and report["double_acknowledged"] == []
    assert report["votes_match"] and report["approvals"] == report["approvals_expected"]
