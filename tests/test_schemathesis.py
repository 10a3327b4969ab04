"""Schemathesis over /schema/openapi.json against the real server: no server error, no response that
breaks its own schema (status, content type, headers, JSON body), as a visitor and signed in as staff.

The server runs as `block-service serve` on a free loopback port with the demo block loaded (so ids
name real threads, shops and elections), on the engine BLOCK_TEST_DATABASE chooses. Schemathesis runs
as its CLI in a subprocess with a fixed seed and a bounded number of examples per operation; its
summary (operations and test cases) is printed and written to var/ for the closing note.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import httpx
import pytest

from bench.servers import database, run_cli, server_env, start_server
from tests.helpers import TEST_PASSWORD, TOTP_SECRETS, Browser

BIN = Path(sys.executable).parent
SCHEMATHESIS = BIN / "schemathesis"
STAFF_EMAIL = "fuzz-staff@test.example"
# What "breaks its own schema" means here; the data-acceptance checks judge the generator, not the service.
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance"
)
MAX_EXAMPLES = int(os.environ.get("BLOCK_SCHEMATHESIS_EXAMPLES", "3"))
SEED = os.environ.get("BLOCK_SCHEMATHESIS_SEED", "20261129")
# An event stream never ends, so it cannot be fuzzed by request and answer (tests/test_odd_numbers.py
# covers its parameters); logging out would end the staff session the rest of the run uses.
EXCLUDED_PATHS = r"/events$|^/logout$"
RUN_TIMEOUT_SECONDS = 600


@pytest.fixture(scope="module")
def live_server():
    engine = os.environ.get("BLOCK_TEST_DATABASE", "sqlite")
    work_dir = Path(tempfile.mkdtemp(prefix="block-fuzz-"))
    try:
        with database(engine, work_dir, f"block_fuzz_{os.getpid()}_{uuid.uuid4().hex[:6]}") as database_url:
            # Thousands of requests from one address in a minute: the limiter is not under test here.
            env = server_env(database_url, work_dir / "var", login_rate_per_minute="1000000")
            run_cli(env, "migrate", timeout=180)
            run_cli(env, "seed", "--demo", timeout=180)
            staff_env = {**env, "BLOCK_STAFF_PASSWORD": TEST_PASSWORD}
            run_cli(staff_env, "create-staff", STAFF_EMAIL, "--name", "模糊测试", timeout=180)
            log_path = work_dir / "server.log"
            with start_server(env, log_path=log_path) as server:
                yield {"url": server.base_url, "log": log_path, "engine": engine, "dir": work_dir}
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


async def _staff_headers(url: str) -> list[str]:
    """A staff session through the same log-in helper the other tests use; its cookies and CSRF header."""
    from block_service.seed import DEMO_LOGINS, DEMO_STAFF_TOTP_SECRET

    # The demo's staff member has a second factor: without one, staff act without the staff role.
    contact, password = DEMO_LOGINS[0][1], DEMO_LOGINS[0][2]
    TOTP_SECRETS[contact] = DEMO_STAFF_TOTP_SECRET
    async with httpx.AsyncClient(base_url=url) as client:
        browser = Browser(client)
        await browser.log_in(contact, password)
        cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        assert (await client.get("/api/staff/shop-applications")).status_code == 200
        return ["-H", f"Cookie: {cookies}", "-H", f"x-csrftoken: {await browser.csrf_token()}"]


def _run_schemathesis(url: str, extra: list[str], work_dir: Path) -> tuple[int, str]:
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{url}/schema/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        SEED,
        "--workers",
        "1",
        "--phases",
        "coverage,fuzzing",
        "--no-shrink",
        "--max-redirects",
        "0",
        "--request-timeout",
        "20",
        "--exclude-path-regex",
        EXCLUDED_PATHS,
        *extra,
    ]
    # Run from the server's folder: schemathesis keeps a cache of past crashes in its working directory.
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        cwd=work_dir,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120"},
    )
    return done.returncode, done.stdout + done.stderr


def _figures(output: str) -> tuple[int, int]:
    tested = re.search(r"Tested:\s+(\d+)", output)
    generated = re.search(r"(\d+) generated", output)
    assert tested and generated, output[-3000:]
    return int(tested.group(1)), int(generated.group(1))


@pytest.mark.parametrize("who", ["visitor", "staff"])
def test_schemathesis_finds_no_server_error_and_no_response_off_its_schema(live_server, who):
    extra = asyncio.run(_staff_headers(live_server["url"])) if who == "staff" else []
    returncode, output = _run_schemathesis(live_server["url"], extra, live_server["dir"])
    operations, cases = _figures(output)
    summary = output[output.find("SUMMARY") :] if "SUMMARY" in output else output[-3000:]
    line = f"schemathesis {live_server['engine']} {who}: {operations} operations, {cases} test cases, exit {returncode}"
    print(line)
    report = Path(os.environ.get("BLOCK_SCHEMATHESIS_REPORT", Path(tempfile.gettempdir()) / "block-schemathesis.txt"))
    with report.open("a") as handle:
        handle.write(line + "\n")
    assert returncode == 0, f"{line}\n{output[-12000:]}\n--- server log ---\n{live_server['log'].read_text()[-4000:]}"
    # The schema lists every route but the schema's own pages; all but the excluded ones were exercised.
    assert operations >= 95, summary
    assert cases >= operations * MAX_EXAMPLES, summary
    if who == "staff":
        # Still signed in as staff at the end: the run reached the staff routes, not the log-in page.
        cookie = extra[1].removeprefix("Cookie: ")
        staff_only = httpx.get(live_server["url"] + "/api/staff/shop-applications", headers={"Cookie": cookie})
        assert staff_only.status_code == 200
