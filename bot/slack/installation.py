"""Multi-workspace installs: slack_sdk's stores on our database, and one gateway per workspace.

The installation and OAuth-state stores are slack_sdk's own SQLAlchemy stores on the tables our
migrations create (bot.db.slack_tables). With TOKEN_ENCRYPTION_KEY set, every token goes through
Fernet on its way in and out, so the database never holds a usable token.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable
from logging import Logger
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.web import SlackResponse
from sqlalchemy import Engine, select

from bot.config import Settings
from bot.db.slack_tables import BOTS_TABLE, INSTALLATIONS_TABLE, OAUTH_STATES_TABLE, bots
from bot.db.token_crypto import TokenCipher, TokenDecryptError
from bot.slack.gateway import SlackGateway, WebClientGateway, make_web_client

log = logging.getLogger(__name__)

# How long a workspace's token is reused before the store is read again: short, so a token
# deleted by another process (uninstall, revocation) stops being used within a minute.
TOKEN_TTL_SECONDS = 60.0
# How long an install link stays valid (slack_sdk's default).
STATE_EXPIRY_SECONDS = 600

TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")

_Record = TypeVar("_Record", Installation, Bot)


class EncryptedInstallationStore(InstallationStore):
    """An installation store that encrypts tokens before the inner store writes them.

    A wrapper rather than a subclass: slack_sdk's save() calls save_bot() itself, and a subclass
    would encrypt the bot's tokens twice.
    """

    def __init__(self, inner: InstallationStore, cipher: TokenCipher) -> None:
        self._inner = inner
        self._cipher = cipher

    @property
    def logger(self) -> Logger:
        """The inner store's logger."""
        return self._inner.logger

    def _seal(self, record: _Record) -> _Record:
        sealed = copy.copy(record)
        for name in TOKEN_FIELDS:
            value = getattr(sealed, name, None)
            if value is not None:
                setattr(sealed, name, self._cipher.encrypt(value))
        return sealed

    def _open(self, record: _Record | None) -> _Record | None:
        if record is None:
            return None
        for name in TOKEN_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                try:
                    setattr(record, name, self._cipher.decrypt(value))
                except TokenDecryptError as exc:
                    # Bolt swallows lookup errors into "not installed": say what is wrong.
                    log.error("workspace %s: %s", record.team_id, exc)
                    raise
        return record

    def save(self, installation: Installation) -> None:
        """Store an installation (and its bot) with the tokens encrypted."""
        self._inner.save(self._seal(installation))

    def save_bot(self, bot: Bot) -> None:
        """Store a bot (e.g. after token rotation) with the tokens encrypted."""
        self._inner.save_bot(self._seal(bot))

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The workspace's latest bot, tokens decrypted."""
        return self._open(
            self._inner.find_bot(
                enterprise_id=enterprise_id,
                team_id=team_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The workspace's latest installation, tokens decrypted."""
        return self._open(
            self._inner.find_installation(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the workspace's bot tokens."""
        self._inner.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget the workspace's installations."""
        self._inner.delete_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )


class CachedBotStore(InstallationStore):
    """An installation store whose find_bot is answered from memory for a short while.

    Bolt looks the bot up on every request from Slack; the token changes only on install,
    uninstall and rotation. Absent bots are not remembered, so a workspace installed through
    another process is served at once.
    """

    def __init__(
        self, inner: InstallationStore, ttl: float, monotonic: Callable[[], float]
    ) -> None:
        self._inner = inner
        self._ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._bots: dict[tuple[str | None, str | None, bool], tuple[float, Bot]] = {}

    @property
    def logger(self) -> Logger:
        """The inner store's logger."""
        return self._inner.logger

    def forget(self, team_id: str | None) -> None:
        """Drop what is remembered about a workspace."""
        with self._lock:
            for key in [k for k in self._bots if k[1] == team_id]:
                del self._bots[key]

    def save(self, installation: Installation) -> None:
        """Store an installation; the workspace's next lookup reads it."""
        self._inner.save(installation)
        self.forget(installation.team_id)

    def save_bot(self, bot: Bot) -> None:
        """Store a bot (e.g. after token rotation); the next lookup reads it."""
        self._inner.save_bot(bot)
        self.forget(bot.team_id)

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The workspace's latest bot, from memory when looked up less than `ttl` ago."""
        key = (enterprise_id, team_id, bool(is_enterprise_install))
        now = self._monotonic()
        with self._lock:
            cached = self._bots.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        bot = self._inner.find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        if bot is not None:
            with self._lock:
                self._bots[key] = (now + self._ttl, bot)
        return bot

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The workspace's latest installation (not cached: only the OAuth flow asks)."""
        return self._inner.find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the workspace's bot tokens."""
        self._inner.delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        self.forget(team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget the workspace's installations."""
        self._inner.delete_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )
        self.forget(team_id)


class NotInstalledClient(WebClient):
    """A WebClient for a workspace we hold no usable token for: every call fails at once.

    Use cases already treat a failed Slack call as such (a scheduled post is retried later), so a
    missing installation is logged and retried instead of crashing anything, and Slack never
    sees a tokenless request. Answers through a response_url need no token and still work.
    """

    def __init__(self, code: str, base_url: str) -> None:
        super().__init__(token=None, base_url=base_url)
        self.code = code

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        """Fail the way Slack fails, with our reason as the error code."""
        response = SlackResponse(
            client=self,
            http_verb=kwargs.get("http_verb", "POST"),
            api_url=self.base_url + api_method,
            req_args={},
            data={"ok": False, "error": self.code},
            headers={},
            status_code=200,
        )
        raise SlackApiError(f"{api_method}: {self.code}", response)  # type: ignore[no-untyped-call]


class Installations:
    """Installed workspaces (OAuth mode): slack_sdk's stores and a gateway per team's token."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        ttl: float = TOKEN_TTL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if settings.slack_client_id is None:
            raise ValueError("OAuth installs need SLACK_CLIENT_ID")
        self.client_id = settings.slack_client_id
        inner = SQLAlchemyInstallationStore(
            client_id=settings.slack_client_id,
            engine=engine,
            bots_table_name=BOTS_TABLE,
            installations_table_name=INSTALLATIONS_TABLE,
            logger=logging.getLogger("bot.installations"),
        )
        key = settings.token_encryption_key
        self.encrypted = key is not None
        # The database's answer (tokens decrypted), and the remembering view Bolt uses.
        self._stored: InstallationStore = (
            EncryptedInstallationStore(inner, TokenCipher(key.get_secret_value()))
            if key is not None
            else inner
        )
        self.store = CachedBotStore(self._stored, ttl, monotonic)
        self.state_store = SQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_EXPIRY_SECONDS,
            engine=engine,
            table_name=OAUTH_STATES_TABLE,
            logger=logging.getLogger("bot.installations"),
        )
        self._engine = engine
        self._api_url = settings.slack_api_url
        self._ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, SlackGateway]] = {}

    def gateway(self, team_id: str) -> SlackGateway:
        """The gateway carrying `team_id`'s bot token (reused for a short while)."""
        now = self._monotonic()
        with self._lock:
            cached = self._cache.get(team_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        gateway = self._lookup(team_id)
        if gateway is not None:
            with self._lock:
                self._cache[team_id] = (now + self._ttl, gateway)
            return gateway
        # Not remembered: an install through another process must be used at once.
        return self._failing("not_installed")

    def forget(self, team_id: str) -> None:
        """Drop a workspace's cached token (just re-installed): the next call reads the store."""
        with self._lock:
            self._cache.pop(team_id, None)
        self.store.forget(team_id)

    def revoked(self, team_id: str) -> None:
        """Slack revoked the workspace's bot token (uninstall): stop using it at once.

        Its rows are deleted by the uninstall listener a moment later; until the cache entry
        expires (or a reinstall here forgets it) the workspace's calls fail without reaching Slack.
        """
        with self._lock:
            self._cache[team_id] = (self._monotonic() + self._ttl, self._failing("token_revoked"))
        self.store.forget(team_id)

    def _enterprise_of(self, team_id: str) -> tuple[bool, str | None]:
        """Whether the team has a bot row, and its Enterprise Grid org (find_bot needs both ids)."""
        query = (
            select(bots.c.enterprise_id)
            .where(bots.c.client_id == self.client_id, bots.c.team_id == team_id)
            .order_by(bots.c.installed_at.desc())
            .limit(1)
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        return (row is not None, row[0] if row is not None else None)

    def _lookup(self, team_id: str) -> SlackGateway | None:
        """The team's gateway from the database; None when it has no installation."""
        try:
            found, enterprise_id = self._enterprise_of(team_id)
            bot = (
                self._stored.find_bot(enterprise_id=enterprise_id, team_id=team_id)
                if found
                else None
            )
        except TokenDecryptError:  # already logged by the store, with the way out
            return self._failing("token_undecryptable")
        if bot is None or bot.bot_token is None:
            log.error(
                "workspace %s has no Slack installation: its Slack calls fail until someone "
                "installs the app there again (/slack/install)",
                team_id,
            )
            return None
        return WebClientGateway(make_web_client(bot.bot_token, self._api_url))

    def _failing(self, code: str) -> SlackGateway:
        return WebClientGateway(NotInstalledClient(code, self._api_url))
