"""One Settings struct, read once from the BLOCK_* environment variables."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import msgspec

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("zh-Hans", "en")
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A BLOCK_* variable has a value the service cannot start with; the message names it."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str
    secret_key: str
    redis_url: str | None
    debug: bool
    language: str
    var_dir: Path
    session_idle_minutes: int
    session_absolute_hours: int
    login_rate_per_minute: int
    db_pool_size: int
    migrate_on_start: bool
    shared_pages: bool = True
    # Addresses of reverse proxies whose X-Forwarded-For is believed; nobody else's is.
    trusted_proxies: tuple[str, ...] = ()
    # Photos of threads closed longer than this are deleted; inbox entries older than this too.
    photo_retention_days: int = 365
    inbox_retention_days: int = 180
    # How long the people a completed project serves may evaluate it.
    evaluation_days: int = 14
    # The workstation's public phone line, shown in the footer and on /contact (omitted while unset).
    contact_phone: str = ""
    # A thread's due time when its category sets no response deadline (hours).
    default_due_hours: int = 48
    # /staff/loop: days without movement after which an item at each stage counts as stuck (BLOCK_STUCK_*_DAYS).
    stuck_days: dict[str, int] = msgspec.field(default_factory=lambda: dict(STUCK_DAYS))

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @property
    def sqlite_path(self) -> Path:
        return sqlite_file(self.database_url)


def sqlite_file(database_url: str) -> Path:
    """The SQLite file of a sqlite:/// URL; a relative path is taken from the project root."""
    path = Path(database_url.removeprefix("sqlite:///"))
    return path if path.is_absolute() else PROJECT_ROOT / path


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _whole_number(env: dict[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    return value


def _address_list(env: dict[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated IP addresses or networks (10.0.0.5, 10.0.0.0/24); checked here, not at first use."""
    import ipaddress

    items = tuple(item.strip() for item in (env.get(name) or "").split(",") if item.strip())
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(f"{name} must list IP addresses or networks, not {item!r}") from None
    return items


def database_url_from(env: dict[str, str]) -> str:
    url = env.get("BLOCK_DATABASE_URL") or "sqlite:///var/block.db"
    if url.startswith("sqlite:///"):
        if url == "sqlite:///":
            raise SettingsError("BLOCK_DATABASE_URL names no SQLite file (expected sqlite:///var/block.db)")
        return url
    if url.startswith(("postgresql://", "postgres://")):
        parsed = urlparse(url)
        if not parsed.hostname and not parsed.path.strip("/"):
            raise SettingsError(f"BLOCK_DATABASE_URL has no host or database: {url!r}")
        return url
    raise SettingsError(f"BLOCK_DATABASE_URL must start with sqlite:/// or postgresql://, not {url.split(':')[0]!r}")


def _redis_url(env: dict[str, str]) -> str | None:
    url = (env.get("BLOCK_REDIS_URL") or "").strip()
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"BLOCK_REDIS_URL must start with redis:// or rediss://, not {url!r}")
    return url


def _secret_key(env: dict[str, str], debug: bool, var_dir: Path) -> str:
    key = env.get("BLOCK_SECRET_KEY", "").strip()
    if key:
        if len(key) < 32:
            raise SettingsError("BLOCK_SECRET_KEY must be at least 32 characters long")
        return key
    if not debug:
        raise SettingsError(
            "BLOCK_SECRET_KEY is required when BLOCK_DEBUG is off (generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    # The demo keeps a generated key in var/ so sessions survive a restart.
    key_file = var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


# Stage -> default days; each is read from BLOCK_STUCK_<STAGE>_DAYS (e.g. BLOCK_STUCK_ANSWER_DAYS=3).
STUCK_DAYS: dict[str, int] = {
    "answer": 3,
    "progress": 14,
    "submitted": 14,
    "deliberation": 30,
    "ready": 14,
    "passed": 30,
    "project": 30,
}


def read_settings(env: dict[str, str] | None = None) -> Settings:
    """Read and check every BLOCK_* variable; raise SettingsError naming the first bad one."""
    env = dict(os.environ if env is None else env)
    debug = _flag(env, "BLOCK_DEBUG", default=False)
    var_dir = Path(env.get("BLOCK_VAR_DIR") or PROJECT_ROOT / "var")
    language = env.get("BLOCK_LANGUAGE") or "zh-Hans"
    if language not in LANGUAGES:
        raise SettingsError(f"BLOCK_LANGUAGE must be one of {', '.join(LANGUAGES)}, not {language!r}")
    return Settings(
        database_url=database_url_from(env),
        secret_key=_secret_key(env, debug, var_dir),
        redis_url=_redis_url(env),
        debug=debug,
        language=language,
        var_dir=var_dir,
        session_idle_minutes=_whole_number(env, "BLOCK_SESSION_IDLE_MINUTES", 120),
        session_absolute_hours=_whole_number(env, "BLOCK_SESSION_ABSOLUTE_HOURS", 24 * 7),
        login_rate_per_minute=_whole_number(env, "BLOCK_LOGIN_RATE_PER_MINUTE", 10),
        db_pool_size=_whole_number(env, "BLOCK_DB_POOL_SIZE", 10),
        migrate_on_start=_flag(env, "BLOCK_MIGRATE_ON_START", default=True),
        shared_pages=_flag(env, "BLOCK_SHARED_PAGES", default=True),
        trusted_proxies=_address_list(env, "BLOCK_TRUSTED_PROXIES"),
        photo_retention_days=_whole_number(env, "BLOCK_PHOTO_RETENTION_DAYS", 365),
        inbox_retention_days=_whole_number(env, "BLOCK_INBOX_RETENTION_DAYS", 180),
        evaluation_days=_whole_number(env, "BLOCK_EVALUATION_DAYS", 14),
        contact_phone=(env.get("BLOCK_CONTACT_PHONE") or "").strip(),
        default_due_hours=_whole_number(env, "BLOCK_DEFAULT_DUE_HOURS", 48),
        stuck_days={
            stage: _whole_number(env, f"BLOCK_STUCK_{stage.upper()}_DAYS", days) for stage, days in STUCK_DAYS.items()
        },
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return read_settings()
