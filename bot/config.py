"""One typed, frozen Settings object loaded from the environment (and `.env`) once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.db.token_crypto import parse_keys

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

# Which settings each command cannot run without (field names).
REQUIRED_BY_COMMAND: dict[str, tuple[str, ...]] = {
    "serve": ("slack_signing_secret",),
    "socket": ("slack_app_token",),
}


# Commands that talk to Slack need a bot token, or OAuth to get one per workspace.
SLACK_COMMANDS = frozenset({"serve", "socket", "clock"})

# The bot scopes an OAuth install asks for: the same list as manifest.yml (a test keeps them equal).
DEFAULT_BOT_SCOPES = (
    "chat:write",
    "commands",
    "reactions:write",
    "channels:history",
    "groups:history",
    "im:history",
    "im:write",
    "users:read",
    "files:write",
)
_SCOPE = re.compile(r"[a-z][a-z0-9_.]*(:[a-z0-9_.]+)*")


class ConfigError(Exception):
    """Configuration is missing or malformed; each line names one variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _env_name(field: str) -> str:
    return field.upper()


class Settings(BaseSettings):
    """Everything the bot reads from its environment (SPEC §3)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    # OAuth: the bot scopes to request (comma-separated) and the redirect URL, when the app
    # lists several in its settings (else Slack uses the only one).
    slack_scopes: str = ",".join(DEFAULT_BOT_SCOPES)
    slack_redirect_uri: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = "sqlite:///qotd.db"
    port: int = Field(default=3000, ge=1, le=65535)
    content_dir: Path | None = None
    token_encryption_key: SecretStr | None = None
    log_level: LogLevel = "INFO"

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_client_id",
        "slack_client_secret",
        "token_encryption_key",
        "content_dir",
        "slack_redirect_uri",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with 'xoxb-'")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with 'xapp-'")
        return value

    @field_validator("token_encryption_key")
    @classmethod
    def _encryption_key_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_keys(value.get_secret_value())
        return value

    @field_validator("slack_scopes")
    @classmethod
    def _scopes_shape(cls, value: str) -> str:
        scopes = [s.strip() for s in value.replace(" ", ",").split(",") if s.strip()]
        if not scopes:
            return ",".join(DEFAULT_BOT_SCOPES)
        bad = [s for s in scopes if not _SCOPE.fullmatch(s)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a Slack scope such as chat:write")
        return ",".join(dict.fromkeys(scopes))

    @field_validator("slack_redirect_uri")
    @classmethod
    def _redirect_uri_shape(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(
                    "must be a full URL such as https://qotd.example.com/slack/oauth_redirect"
                )
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("content_dir")
    @classmethod
    def _content_dir_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"{str(value)!r} is not a directory")
        return value

    @property
    def oauth_enabled(self) -> bool:
        """Multi-workspace OAuth install is on when client id and secret are both set."""
        return self.slack_client_id is not None and self.slack_client_secret is not None

    @property
    def bot_scopes(self) -> tuple[str, ...]:
        """The bot scopes an OAuth install requests."""
        return tuple(self.slack_scopes.split(","))


def normalise_database_url(value: str) -> str:
    """Accept Heroku-style `postgres://` URLs and pick the psycopg 3 driver for PostgreSQL."""
    value = value.strip()
    if value.startswith("postgres://"):
        value = "postgresql+psycopg://" + value[len("postgres://") :]
    elif value.startswith("postgresql://"):
        value = "postgresql+psycopg://" + value[len("postgresql://") :]
    try:
        url = make_url(value)
    except ArgumentError:
        raise ValueError(
            "is not a database URL; use e.g. sqlite:///qotd.db or postgresql://user@host/db"
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(
            f"unsupported database {url.get_backend_name()!r}; use SQLite or PostgreSQL"
        )
    return value


_ECHOABLE = frozenset({"slack_api_url", "port", "log_level", "slack_scopes", "slack_redirect_uri"})


def _describe(error: Mapping[str, Any]) -> str:
    field = str(error["loc"][0]) if error.get("loc") else "configuration"
    message = str(error["msg"]).removeprefix("Value error, ")
    raw = error.get("input")
    shown = ""
    # Never echo secrets or URLs that may carry a password.
    if isinstance(raw, str | int) and field in _ECHOABLE:
        shown = f" (got {raw!r})"
    return f"{_env_name(field)}: {message}{shown}"


def load_settings(
    command: str | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    env_file: str | Path | None = ".env",
) -> Settings:
    """Load and validate settings for `command`; raise ConfigError naming each bad variable."""
    values: dict[str, Any] = {}
    if environ is not None:
        known = Settings.model_fields
        values = {k.lower(): v for k, v in environ.items() if k.lower() in known}
    # An explicit mapping replaces the process environment entirely (tests, tools).
    cls = Settings if environ is None else _SettingsFromMapping
    try:
        settings: Settings = cls(_env_file=env_file, **values)
    except ValidationError as exc:
        raise ConfigError([_describe(e) for e in exc.errors()]) from None
    missing = [
        f"{_env_name(name)}: is required for `qotd {command}`"
        for name in REQUIRED_BY_COMMAND.get(command or "", ())
        if getattr(settings, name) is None
    ]
    if (
        command in SLACK_COMMANDS
        and settings.slack_bot_token is None
        and not settings.oauth_enabled
    ):
        missing.append(
            f"SLACK_BOT_TOKEN: is required for `qotd {command}` "
            "(or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for multi-workspace installs)"
        )
    half_oauth = (settings.slack_client_id is None) != (settings.slack_client_secret is None)
    if command in SLACK_COMMANDS and half_oauth:
        given, needed = (
            ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")
            if settings.slack_client_secret is None
            else ("SLACK_CLIENT_SECRET", "SLACK_CLIENT_ID")
        )
        missing.append(f"{needed}: is required when {given} is set (multi-workspace OAuth)")
    if missing:
        raise ConfigError(missing)
    return settings


class _SettingsFromMapping(Settings):
    """Settings that ignore the process environment: values come only from init and `.env`."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: Any,
        env_settings: Any,
        dotenv_settings: Any,
        file_secret_settings: Any,
    ) -> tuple[Any, ...]:
        return (init_settings, dotenv_settings)
