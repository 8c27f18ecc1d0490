"""Settings: defaults, normalisation, and one clear line per bad or missing variable."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.config import ConfigError, Settings, load_settings


def problems(command: str | None, env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings(command, env, env_file=None)
    return info.value.problems


def test_defaults_follow_the_spec() -> None:
    settings = load_settings(None, {}, env_file=None)
    assert settings.database_url == "sqlite:///qotd.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000
    assert settings.log_level == "INFO"
    assert settings.slack_bot_token is None
    assert settings.content_dir is None
    assert not settings.oauth_enabled


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:pw@db.example:5432/qotd", "postgresql+psycopg://u:pw@db.example:5432/qotd"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////var/data/qotd.db", "sqlite:////var/data/qotd.db"),
        ("  sqlite:///qotd.db  ", "sqlite:///qotd.db"),
    ],
)
def test_database_urls_are_normalised(given: str, expected: str) -> None:
    assert load_settings(None, {"DATABASE_URL": given}, env_file=None).database_url == expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PORT": "abc"}, "PORT: Input should be a valid integer"),
        ({"PORT": "70000"}, "PORT: Input should be less than or equal to 65535"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN: must be a bot token"),
        ({"SLACK_APP_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN: must be an app-level token"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL: must be an http(s) URL"),
        ({"DATABASE_URL": "mysql://root@h/db"}, "DATABASE_URL: unsupported database 'mysql'"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL: is not a database URL"),
        ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL: Input should be 'DEBUG'"),
        ({"CONTENT_DIR": "/no/such/dir"}, "CONTENT_DIR: '/no/such/dir' is not a directory"),
    ],
)
def test_each_malformed_variable_gets_one_line_naming_it(
    env: dict[str, str], expected: str
) -> None:
    found = problems(None, env)
    assert len(found) == 1
    assert found[0].startswith(expected)
    assert "\n" not in found[0]


def test_every_bad_variable_is_reported_at_once() -> None:
    found = problems(None, {"PORT": "x", "LOG_LEVEL": "loud"})
    assert [p.split(":")[0] for p in found] == ["PORT", "LOG_LEVEL"]


def test_secrets_are_never_echoed() -> None:
    found = problems(None, {"SLACK_BOT_TOKEN": "sekret-value-123"})
    assert "sekret-value-123" not in found[0]
    found = problems(None, {"DATABASE_URL": "mysql://user:hunter2@h/db"})
    assert "hunter2" not in found[0]


@pytest.mark.parametrize(
    ("command", "variable"),
    [("serve", "SLACK_SIGNING_SECRET"), ("socket", "SLACK_APP_TOKEN")],
)
def test_commands_require_only_what_they_need(command: str, variable: str) -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1"}
    assert problems(command, env) == [f"{variable}: is required for `qotd {command}`"]


@pytest.mark.parametrize("command", ["serve", "socket", "clock"])
def test_slack_commands_need_a_bot_token_unless_oauth(command: str) -> None:
    env = {"SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1"}
    assert problems(command, env) == [
        f"SLACK_BOT_TOKEN: is required for `qotd {command}` "
        "(or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for multi-workspace installs)"
    ]
    oauth = {**env, "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c"}
    assert isinstance(load_settings(command, oauth, env_file=None), Settings)


@pytest.mark.parametrize("command", ["db", "grade", "content", "practice", None])
def test_commands_without_slack_need_no_slack_settings(command: str | None) -> None:
    assert isinstance(load_settings(command, {}, env_file=None), Settings)


def test_blank_values_count_as_unset() -> None:
    env = {"SLACK_SIGNING_SECRET": "   ", "SLACK_BOT_TOKEN": "xoxb-1"}
    assert problems("serve", env) == ["SLACK_SIGNING_SECRET: is required for `qotd serve`"]


def test_api_url_gets_a_trailing_slash() -> None:
    env = {"SLACK_API_URL": "http://127.0.0.1:9999/api"}
    assert load_settings(None, env, env_file=None).slack_api_url == "http://127.0.0.1:9999/api/"


def test_dotenv_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("PORT=4000\nLOG_LEVEL=debug\nSLACK_SIGNING_SECRET=abc\n")
    settings = load_settings(
        "serve", {"PORT": "5000", "SLACK_BOT_TOKEN": "xoxb-1"}, env_file=dotenv
    )
    assert settings.port == 5000
    assert settings.log_level == "DEBUG"
    assert settings.slack_signing_secret is not None


def test_settings_are_frozen(settings_factory: Callable[..., Settings]) -> None:
    settings = settings_factory(port=8080)
    with pytest.raises(ValueError, match="frozen"):
        settings.port = 1  # type: ignore[misc]


def test_oauth_is_enabled_by_client_id_and_secret(
    settings_factory: Callable[..., Settings],
) -> None:
    assert settings_factory(slack_client_id="1.2", slack_client_secret="s").oauth_enabled
    assert not settings_factory(slack_client_id="1.2").oauth_enabled


KEY = "Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1rZXktMDE="  # a Fernet key for tests only


def test_oauth_needs_both_client_id_and_secret_to_serve() -> None:
    env = {"SLACK_SIGNING_SECRET": "s", "SLACK_CLIENT_ID": "1.2"}
    assert "SLACK_CLIENT_SECRET: is required when SLACK_CLIENT_ID is set" in " ".join(
        problems("serve", env)
    )
    env = {"SLACK_SIGNING_SECRET": "s", "SLACK_CLIENT_SECRET": "shh"}
    assert "SLACK_CLIENT_ID: is required when SLACK_CLIENT_SECRET is set" in " ".join(
        problems("serve", env)
    )
    ok = load_settings("serve", {**env, "SLACK_CLIENT_ID": "1.2"}, env_file=None)
    assert ok.oauth_enabled
    assert ok.slack_bot_token is None


@pytest.mark.parametrize(
    "value", ["not-a-key", "c2hvcnQ=", f"{KEY},", f"{KEY},{KEY[:-2]}"], ids=repr
)
def test_a_malformed_encryption_key_is_one_line_that_never_echoes_it(value: str) -> None:
    [line] = problems(None, {"TOKEN_ENCRYPTION_KEY": value})
    assert line.startswith("TOKEN_ENCRYPTION_KEY: ")
    assert "Fernet" in line
    assert "generate one with" in line
    assert value.split(",")[0] not in line


def test_encryption_keys_for_rotation_are_accepted() -> None:
    settings = load_settings(None, {"TOKEN_ENCRYPTION_KEY": f" {KEY} , {KEY} "}, env_file=None)
    assert settings.token_encryption_key is not None


def test_the_default_scopes_are_the_manifests() -> None:
    manifest = yaml.safe_load((Path(__file__).parents[1] / "manifest.yml").read_text())
    scopes = load_settings(None, {}, env_file=None).bot_scopes
    assert sorted(scopes) == sorted(manifest["oauth_config"]["scopes"]["bot"])


def test_scopes_and_redirect_url_are_checked() -> None:
    settings = load_settings(
        None,
        {
            "SLACK_SCOPES": "chat:write commands, chat:write",
            "SLACK_REDIRECT_URI": "https://qotd.example.com/slack/oauth_redirect",
        },
        env_file=None,
    )
    assert settings.bot_scopes == ("chat:write", "commands")
    assert settings.slack_redirect_uri == "https://qotd.example.com/slack/oauth_redirect"
    assert problems(None, {"SLACK_SCOPES": "chat:write,Bad!"}) == [
        "SLACK_SCOPES: 'Bad!' is not a Slack scope such as chat:write (got 'chat:write,Bad!')"
    ]
    [line] = problems(None, {"SLACK_REDIRECT_URI": "qotd.example.com/slack/oauth_redirect"})
    assert line.startswith("SLACK_REDIRECT_URI: must be a full URL")
