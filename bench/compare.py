"""Two runs of bench/run.py side by side: does a page keep its speed as the data grows?

    .venv/bin/python bench/run.py --engine sqlite                                   # full size
    .venv/bin/python bench/run.py --engine sqlite --shops 50 --people 500 --threads 1000 --writers 0
    .venv/bin/python bench/compare.py bench/results/<full>.json bench/results/<tenth>.json

For each page and mode in both runs it prints the requests/s and p99 of each, and how many times slower the
larger run is (the smaller run's requests/s over the larger's, each as a share of its own /healthz, so the
drift of the machine between the runs cancels out). Exits 1 when a page is more than --limit times slower
(1.5 by default), the target of the benchmark.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _rows(report: dict) -> dict[tuple[str, str], dict]:
    return {(row["page"], row["mode"]): row for row in report["results"] if row["page"] != "/healthz"}


def _size(report: dict) -> str:
    return f"{report['threads']:,} threads, {report['shops']:,} shops, {report['people']:,} people"


def compare(large: dict, small: dict, limit: float) -> tuple[list[str], list[str]]:
    """The markdown table and the pages slower than `limit` times."""
    lines = [
        f"larger: {_size(large)} ({large['engine']}); smaller: {_size(small)} ({small['engine']})",
        "",
        "| page | mode | larger req/s | larger p99 ms | smaller req/s | smaller p99 ms | slower by |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    too_slow = []
    smaller = _rows(small)
    for key, row in _rows(large).items():
        other = smaller.get(key)
        if other is None or not row.get("ratio_to_healthz") or not other.get("ratio_to_healthz"):
            continue
        factor = other["ratio_to_healthz"] / row["ratio_to_healthz"]
        page, mode = key
        lines.append(
            f"| `{page}` | {mode} | {row['requests_per_s']:,.0f} | {row['p99_ms']:.1f} | "
            f"{other['requests_per_s']:,.0f} | {other['p99_ms']:.1f} | {factor:.2f}× |"
        )
        if factor > limit:
            too_slow.append(f"{page} ({mode}): {factor:.2f}× slower with the larger data")
    return lines, too_slow


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("larger", type=Path, help="bench/results/*.json of the larger data")
    parser.add_argument("smaller", type=Path, help="bench/results/*.json of the smaller data")
    parser.add_argument("--limit", type=float, default=1.5, help="how many times slower is too slow")
    args = parser.parse_args(argv)
    lines, too_slow = compare(json.loads(args.larger.read_text()), json.loads(args.smaller.read_text()), args.limit)
    print("\n".join(lines))
    for problem in too_slow:
        print(f"!! {problem}", file=sys.stderr)
    return 1 if too_slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
