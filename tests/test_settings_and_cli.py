"""Configuration from BLOCK_* variables, and the block-service command."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from block_service.settings import SettingsError, read_settings

SECRET = "x" * 40


def test_defaults_are_sqlite_in_var_and_chinese():
    settings = read_settings({"BLOCK_SECRET_KEY": SECRET})
    assert settings.database_url == "sqlite:///var/block.db"
    assert settings.sqlite_path.name == "block.db" and settings.sqlite_path.parent.name == "var"
    assert settings.language == "zh-Hans"
    assert settings.redis_url is None and settings.debug is False


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"BLOCK_DATABASE_URL": "mysql://x"}, "BLOCK_DATABASE_URL"),
        ({"BLOCK_DEBUG": "maybe"}, "BLOCK_DEBUG"),
        ({"BLOCK_LANGUAGE": "fr"}, "BLOCK_LANGUAGE"),
        ({"BLOCK_REDIS_URL": "http://localhost"}, "BLOCK_REDIS_URL"),
        ({"BLOCK_SECRET_KEY": "short"}, "BLOCK_SECRET_KEY"),
        ({"BLOCK_SESSION_IDLE_MINUTES": "ten"}, "BLOCK_SESSION_IDLE_MINUTES"),
    ],
)
def test_a_bad_value_names_its_variable(env, named):
    with pytest.raises(SettingsError) as error:
        read_settings({"BLOCK_SECRET_KEY": SECRET, **env})
    assert named in str(error.value)


def test_the_secret_key_is_required_outside_debug_and_generated_for_the_demo(tmp_path):
    with pytest.raises(SettingsError, match="BLOCK_SECRET_KEY"):
        read_settings({"BLOCK_VAR_DIR": str(tmp_path)})
    first = read_settings({"BLOCK_DEBUG": "true", "BLOCK_VAR_DIR": str(tmp_path)})
    again = read_settings({"BLOCK_DEBUG": "true", "BLOCK_VAR_DIR": str(tmp_path)})
    assert len(first.secret_key) >= 32 and first.secret_key == again.secret_key
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "block_service.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def cli_env(tmp_path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BLOCK_")}
    env.update(
        {
            "BLOCK_DEBUG": "true",
            "BLOCK_VAR_DIR": str(tmp_path / "var"),
            "BLOCK_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
            "BLOCK_STAFF_PASSWORD": "a-staff-password",
        }
    )
    return env


def test_a_bad_setting_stops_the_cli_with_one_line(cli_env):
    result = _cli("check", env={**cli_env, "BLOCK_DATABASE_URL": "oracle://db"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "BLOCK_DATABASE_URL" in result.stderr


def test_migrate_check_create_staff_seed_and_backup(cli_env, tmp_path):
    assert _cli("check", env=cli_env).returncode == 1  # migrations pending on an empty file
    migrated = _cli("migrate", env=cli_env)
    assert migrated.returncode == 0, migrated.stderr
    checked = _cli("check", env=cli_env)
    assert checked.returncode == 0 and "migrations: current" in checked.stdout
    staff = _cli("create-staff", "chief@lingyan.example", "--name", "站长", env=cli_env)
    assert staff.returncode == 0 and "chief@lingyan.example" in staff.stdout
    seeded = _cli("seed", "--demo", env=cli_env)
    assert seeded.returncode == 0
    assert "People exist already" in seeded.stdout  # the demo never lands on top of real people
    backup = _cli("backup", str(tmp_path / "backups" / "block.db"), env=cli_env)
    assert backup.returncode == 0
    import sqlite3

    with sqlite3.connect(tmp_path / "backups" / "block.db") as copy:
        assert copy.execute("SELECT email FROM person").fetchall() == [("chief@lingyan.example",)]


def test_seed_demo_on_an_empty_database_prints_the_logins(cli_env):
    result = _cli("seed", "--demo", env=cli_env)
    assert result.returncode == 0, result.stderr
    assert "staff@lingyan.example" in result.stdout and "13800001001" in result.stdout


def test_backup_on_postgres_prints_the_pg_dump_command(cli_env):
    env = {**cli_env, "BLOCK_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/block"}
    result = _cli("backup", "/tmp/block.dump", env=env)
    assert result.returncode == 0 and "pg_dump" in result.stdout


def test_the_project_files_a_fresh_machine_needs_are_there():
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line for line in quick_start.splitlines()[1:] if line.strip()]
    assert commands == ["./scripts/run", "./scripts/test"]
    assert "scripts/test" in (root / ".ci/run").read_text()
