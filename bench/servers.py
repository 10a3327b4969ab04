"""Start and stop the real server (`block-service serve`) on a free loopback port: for bench/ and tests/.

Standard library only (asyncpg for PostgreSQL databases), so both bench scripts (`import servers`) and
the test suite (`from bench.servers import ...`) use the same code:

    env = server_env(database_url, work_dir / "var")
    run_cli(env, "migrate")
    with start_server(env, workers=2, log_path=work_dir / "server.log") as server:
        urllib.request.urlopen(server.base_url + "/healthz")
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BLOCK_SERVICE = Path(sys.executable).parent / "block-service"
PG_ADMIN_URL = os.environ.get("BLOCK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
HEALTH_WAIT_SECONDS = 30
STOP_WAIT_SECONDS = 10


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(database_url: str, var_dir: Path, *, debug: bool = True, **settings: str) -> dict[str, str]:
    """The environment of a server of its own: inherited BLOCK_* values (the in-process tests set some)
    are dropped; `settings` are further BLOCK_* values by lower-case name (redis_url="redis://…")."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BLOCK_")}
    env.update(
        {"BLOCK_DATABASE_URL": database_url, "BLOCK_VAR_DIR": str(var_dir), "BLOCK_DEBUG": "true" if debug else "false"}
    )
    env.update({f"BLOCK_{name.upper()}": str(value) for name, value in settings.items()})
    return env


def bench_env(work_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a server under load, database not chosen yet: production mode (debug off, a fresh
    secret key) and no log-in limit for the one address every simulated person comes from."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BLOCK_")}
    env.update(
        {
            "BLOCK_DEBUG": "false",
            "BLOCK_SECRET_KEY": secrets.token_urlsafe(48),
            "BLOCK_VAR_DIR": str(work_dir / "var"),
            "BLOCK_LOGIN_RATE_PER_MINUTE": "1000000",
        }
    )
    env.update({f"BLOCK_{name.upper()}": str(value) for name, value in settings.items()})
    return env


def run_cli(env: dict[str, str], *args: str, timeout: float = 300, stdin: str | None = None) -> str:
    result = subprocess.run(
        [str(BLOCK_SERVICE), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise ServerError(
            f"block-service {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def children_of(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return children


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    log_path: Path
    workers: int
    env: dict[str, str] = field(repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def worker_pids(self) -> list[int]:
        """uvicorn's worker processes (the supervisor serves by itself with one worker)."""
        pids = []
        for child in children_of(self.pid):
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"resource_tracker" not in cmdline:
                pids.append(child)
        return pids

    def wait_for_workers(self, timeout: float = HEALTH_WAIT_SECONDS) -> list[int]:
        deadline = time.monotonic() + timeout
        while True:
            pids = self.worker_pids() if self.workers > 1 else [self.pid]
            if len(pids) >= self.workers:
                return pids
            if time.monotonic() > deadline:
                raise ServerError(f"{len(pids)} of {self.workers} workers started:\n{log_tail(self.log_path)}")
            time.sleep(0.05)

    def kill(self) -> list[int]:
        """SIGKILL to the supervisor and every worker at once (the whole process group): a power cut as far
        as the service can tell. Returns the process ids that were killed."""
        pids = [self.pid, *children_of(self.pid)]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_WAIT_SECONDS)
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        while any(Path(f"/proc/{pid}").exists() and _is_alive(pid) for pid in pids):
            if time.monotonic() > deadline:
                raise ServerError(f"server processes {pids} survived SIGKILL")
            time.sleep(0.02)
        return pids

    def stop(self) -> None:
        """SIGTERM to uvicorn (it stops its workers), then SIGKILL to its process group if it lingers."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_WAIT_SECONDS)
            return
        except subprocess.TimeoutExpired:
            pass
        print(
            f"server {self.pid} ignored SIGTERM for {STOP_WAIT_SECONDS} s: killing its process group", file=sys.stderr
        )
        self.kill()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _is_alive(pid: int) -> bool:
    """A killed child is a zombie until its parent (gone too) is reaped by init: count zombies as dead."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_for_health(server: Server, timeout: float = HEALTH_WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerError(f"the server exited with {server.process.returncode}:\n{log_tail(server.log_path)}")
        try:
            with urllib.request.urlopen(server.base_url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise ServerError(f"{server.base_url} did not answer within {timeout} s:\n{log_tail(server.log_path)}")


def start_server(
    env: dict[str, str], *, log_path: Path, workers: int = 1, port: int = 0, extra_args: tuple[str, ...] = ()
) -> Server:
    """`block-service serve` in a session (process group) of its own; returns once /healthz answers."""
    port = port or free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [str(BLOCK_SERVICE), "serve", "--port", str(port), "--workers", str(workers), *extra_args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = Server(process=process, base_url=f"http://127.0.0.1:{port}", log_path=log_path, workers=workers, env=env)
    try:
        wait_for_health(server)
        if workers > 1:
            server.wait_for_workers()
    except BaseException:
        server.stop()
        raise
    return server


def pg_admin(admin_url: str, *statements: str) -> None:
    """Statements on the PostgreSQL admin database (CREATE/DROP DATABASE), from sync or async code."""
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(admin_url, timeout=10)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(run())
        return
    # Called where a loop runs (async code, Playwright's sync API): run on a loop of its own in another thread.
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result(timeout=60)


@contextlib.contextmanager
def database(engine: str, work_dir: Path, name: str, admin_url: str = PG_ADMIN_URL) -> Iterator[str]:
    """A fresh database for one server: a SQLite file in work_dir, or a PostgreSQL database dropped after."""
    if engine != "postgres":
        yield f"sqlite:///{work_dir / (name + '.db')}"
        return
    pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_admin(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
