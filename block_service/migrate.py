"""Apply Piccolo migrations (at start-up and from the CLI) and tell whether any are pending."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
from pathlib import Path

from piccolo.apps.migrations.commands.check import CheckMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards

from block_service.db import enable_wal, engine, is_sqlite


class MigrationFailed(RuntimeError):
    pass


@contextlib.contextmanager
def _migration_lock(var_dir: Path):
    """Several workers may start at once; only one applies migrations at a time."""
    var_dir.mkdir(parents=True, exist_ok=True)
    with open(var_dir / "migrate.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


async def apply_migrations(var_dir: Path, quiet: bool = True) -> None:
    if is_sqlite():
        path = engine().path
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        enable_wal(path)
    with _migration_lock(var_dir):
        output = io.StringIO()
        with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
            result = await run_forwards(app_name="all")
        if not result.success:
            raise MigrationFailed(result.message or output.getvalue())


async def pending_migrations() -> int:
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        return await CheckMigrationManager(app_name="block").havent_ran_count()
