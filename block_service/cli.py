"""The block-service command: serve, migrate, seed, create-staff, backup, check."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sqlite3
import sys
from pathlib import Path
from urllib.parse import urlparse

from block_service.settings import Settings, SettingsError, read_settings


def _settings_or_exit() -> Settings:
    try:
        return read_settings()
    except SettingsError as error:
        print(f"block-service: configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


async def _with_database(settings: Settings, work):
    from block_service.db import close_database, open_database

    await open_database(min(settings.db_pool_size, 2))
    try:
        return await work()
    finally:
        await close_database()


def _run(settings: Settings, work):
    return asyncio.run(_with_database(settings, work))


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from block_service.migrate import apply_migrations
    from block_service.seed import ensure_reference_data

    async def work():
        await apply_migrations(settings.var_dir, quiet=False)
        await ensure_reference_data()

    _run(settings, work)
    print("Database is up to date.")
    return 0


def cmd_seed(settings: Settings, args: argparse.Namespace) -> int:
    from block_service.migrate import apply_migrations
    from block_service.seed import demo_logins_text, ensure_reference_data, seed_demo

    if args.demo and _refuse_demo_outside_debug(settings):
        return 2

    async def work():
        await apply_migrations(settings.var_dir)
        if args.demo:
            return await seed_demo()
        await ensure_reference_data()
        return True

    loaded = _run(settings, work)
    if args.demo:
        print("Demo block loaded." if loaded else "People exist already: demo data not loaded again.")
        print(demo_logins_text())
    else:
        print("Reference data (segments, industries) present.")
    return 0


def cmd_create_staff(settings: Settings, args: argparse.Namespace) -> int:
    from block_service.accounts.roles import create_staff
    from block_service.errors import DomainError, FormInvalid
    from block_service.migrate import apply_migrations

    password = os.environ.get("BLOCK_STAFF_PASSWORD") or getpass.getpass("Password for the staff account: ")
    if len(password) < 8:
        print("block-service: the password needs at least 8 characters.", file=sys.stderr)
        return 2

    async def work():
        await apply_migrations(settings.var_dir)
        return await create_staff(args.email, password, args.name or args.email.split("@")[0])

    try:
        person_id = _run(settings, work)
    except DomainError as error:
        print(f"block-service: {error.message}", file=sys.stderr)
        return 2
    except FormInvalid as error:
        print(f"block-service: {' '.join(error.errors.values())}", file=sys.stderr)
        return 2
    print(
        f"Staff account ready: {args.email} (person #{person_id}). "
        "At the first log-in it is asked to set up an authenticator app."
    )
    return 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    target = Path(args.path)
    if settings.is_postgres:
        url = urlparse(settings.database_url)
        print(
            "PostgreSQL is backed up with its own tool; run (the password as in BLOCK_DATABASE_URL, or from "
            "PGPASSWORD or ~/.pgpass):"
        )
        print(f"  pg_dump --format=custom --file={target} '{masked_url(settings.database_url)}'")
        print(f"(database {url.path.lstrip('/')} on {url.hostname or 'localhost'})")
        return 0
    source_path = settings.sqlite_path
    if not source_path.exists():
        print(f"block-service: no database at {source_path}", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    # SQLite's online backup copies a consistent snapshot while the service keeps running.
    with sqlite3.connect(source_path) as source, sqlite3.connect(target) as destination:
        source.backup(destination)
    print(f"Backed up {source_path} to {target} ({target.stat().st_size} bytes).")
    return 0


def masked_url(url: str) -> str:
    """The URL with its password replaced by ***: what is printed may end up in a terminal log or a ticket."""
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    user = parsed.username or ""
    host = parsed.hostname or ""
    if parsed.port:
        host = f"{host}:{parsed.port}"
    return parsed._replace(netloc=f"{user}:***@{host}").geturl()


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    from block_service.db import ping_database
    from block_service.migrate import pending_migrations

    async def work():
        if not await ping_database():
            return None
        return await pending_migrations()

    print(
        f"configuration: ok ({'PostgreSQL' if settings.is_postgres else 'SQLite'}, "
        f"redis {'on' if settings.redis_url else 'off'}, debug {'on' if settings.debug else 'off'})"
    )
    pending = _run(settings, work)
    if pending is None:
        print("database: unreachable", file=sys.stderr)
        return 1
    print("database: reachable")
    if pending:
        print(f"migrations: {pending} pending (run: block-service migrate)", file=sys.stderr)
        return 1
    print("migrations: current")
    return 0


def _refuse_demo_outside_debug(settings: Settings) -> bool:
    if settings.debug:
        return False
    print(
        "block-service: --demo loads accounts whose passwords and authenticator key are public; it runs only "
        "with BLOCK_DEBUG=true (as ./scripts/run sets), never in production.",
        file=sys.stderr,
    )
    return True


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from block_service.seed import demo_logins_text

    if args.demo and _refuse_demo_outside_debug(settings):
        return 2
    if args.proxy_headers and not settings.trusted_proxies:
        print(
            "block-service: --proxy-headers needs BLOCK_TRUSTED_PROXIES, the addresses of the reverse proxies "
            "whose X-Forwarded-* headers are believed (e.g. BLOCK_TRUSTED_PROXIES=127.0.0.1).",
            file=sys.stderr,
        )
        return 2
    if args.demo:
        cmd_seed(settings, argparse.Namespace(demo=True))
    else:
        cmd_migrate(settings, args)
    url = f"http://{args.host}:{args.port}"
    print(f"\nLingyan block workstation: {url}\n", flush=True)
    if args.demo:
        print(demo_logins_text() + "\n", flush=True)
    uvicorn.run(
        "block_service.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        http="httptools",
        loop="uvloop" if sys.platform != "win32" else "auto",
        log_level=args.log_level,
        # uvicorn believes X-Forwarded-For/-Proto from the same proxies as the app's own client_address();
        # without --proxy-headers it believes nobody (uvicorn's own default would trust 127.0.0.1).
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
        timeout_graceful_shutdown=5,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="block-service", description="Lingyan block workstation service")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, then serve with uvicorn")
    serve.add_argument("--host", default=os.environ.get("BLOCK_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("BLOCK_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="load the demo block if the database has no people")
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--proxy-headers",
        action="store_true",
        help="believe X-Forwarded-For/-Proto from the proxies in BLOCK_TRUSTED_PROXIES",
    )
    serve.set_defaults(handler=cmd_serve)

    commands.add_parser("migrate", help="apply pending migrations").set_defaults(handler=cmd_migrate)

    seed = commands.add_parser("seed", help="load reference data, or the demo block with --demo")
    seed.add_argument("--demo", action="store_true")
    seed.set_defaults(handler=cmd_seed)

    staff = commands.add_parser(
        "create-staff", help="create a staff account (password from BLOCK_STAFF_PASSWORD or a prompt)"
    )
    staff.add_argument("email")
    staff.add_argument("--name", default=None)
    staff.set_defaults(handler=cmd_create_staff)

    backup = commands.add_parser("backup", help="online backup of the SQLite database to PATH")
    backup.add_argument("path")
    backup.set_defaults(handler=cmd_backup)

    commands.add_parser("check", help="configuration, database and migrations").set_defaults(handler=cmd_check)

    args = parser.parse_args(argv)
    settings = _settings_or_exit()
    return args.handler(settings, args)


if __name__ == "__main__":
    raise SystemExit(main())
