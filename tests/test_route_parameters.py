"""Every numeric path or query parameter is bounded in its type, so a number the database cannot hold is a
400 or 404, never a 500 (the odd-number walk proves it for today's routes; this catches tomorrow's)."""

import re
from pathlib import Path

SOURCES = Path(__file__).resolve().parent.parent / "block_service"


def test_no_handler_takes_an_unbounded_integer_from_the_address():
    unbounded = [
        f"{path.relative_to(SOURCES)}:{number}: {line.strip()}"
        for path in sorted(SOURCES.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"From(Path|Query)\[\s*int\b", line)
    ]
    assert not unbounded, "use web.params (Id, PageNumber, …) instead of a bare int:\n" + "\n".join(unbounded)
