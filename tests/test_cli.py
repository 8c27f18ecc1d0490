"""The `qotd` command line as a user runs it: real processes, real exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.db.engine import make_engine

COMMANDS = [
    ["serve"],
    ["socket"],
    ["clock"],
    ["db"],
    ["db", "upgrade"],
    ["grade"],
    ["content"],
    ["content", "check"],
    ["practice"],
]


def qotd(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot` with only the given environment (plus what Python needs)."""
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=base,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_version() -> None:
    result = qotd("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("qotd ")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command: list[str]) -> None:
    result = qotd(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: qotd {' '.join(command)}")


def test_top_level_help_lists_every_command() -> None:
    out = qotd("--help").stdout
    for name in ("serve", "socket", "clock", "db", "grade", "content", "practice"):
        assert name in out


def test_db_upgrade_builds_the_schema(empty_database_url: str, tmp_path: Path) -> None:
    result = qotd("db", "upgrade", env={"DATABASE_URL": empty_database_url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "upgraded from empty" in result.stdout
    engine = make_engine(empty_database_url)
    try:
        assert "answers" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    again = qotd("db", "upgrade", env={"DATABASE_URL": empty_database_url}, cwd=tmp_path)
    assert again.returncode == 0
    assert "already at the newest revision" in again.stdout


@pytest.mark.parametrize(
    ("args", "env", "line"),
    [
        (["serve"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "error: SLACK_SIGNING_SECRET: is required"),
        (["socket"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "error: SLACK_APP_TOKEN: is required"),
        (["clock"], {}, "configuration error: SLACK_BOT_TOKEN: is required"),
        (["db", "upgrade"], {"DATABASE_URL": "oracle://x/y"}, "DATABASE_URL: unsupported"),
        (["db", "upgrade"], {"LOG_LEVEL": "shouty"}, "configuration error: LOG_LEVEL:"),
        (["serve"], {"SLACK_BOT_TOKEN": "xoxb-1", "PORT": "http"}, "configuration error: PORT:"),
    ],
)
def test_configuration_errors_are_one_line_and_exit_2(
    args: list[str], env: dict[str, str], line: str, tmp_path: Path
) -> None:
    result = qotd(*args, env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert line in lines[0]
    assert "Traceback" not in result.stderr


def test_dotenv_in_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DATABASE_URL=mysql://nope/x\n")
    result = qotd("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 2
    assert "DATABASE_URL: unsupported database 'mysql'" in result.stderr


def test_unknown_command_is_a_usage_error() -> None:
    result = qotd("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
