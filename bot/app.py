"""Assembly: deps from settings, and the Bolt app with our listeners. Nothing runs at import."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, text

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db.engine import make_engine, make_session_factory
from bot.deps import Deps
from bot.domain import grading
from bot.domain.bank import Bank, load_bank
from bot.paths import builtin_content_dir
from bot.slack import oauth
from bot.slack.gateway import WebClientGateway, make_web_client
from bot.slack.installation import Installations
from bot.slack.listeners import actions, commands, events, inbox, messages, views
from bot.usecases import answer, privacy

log = logging.getLogger(__name__)

LISTENER_WORKERS = 16


def create_app(deps: Deps, client: WebClient, installations: Installations | None = None) -> App:
    """A Bolt app answering Slack for the workspace whose token `client` carries, or (with
    `installations`, OAuth mode) for every workspace that installed it."""
    settings = deps.settings
    signing_secret = settings.slack_signing_secret
    multi: dict[str, Any] = {}
    if installations is not None:
        multi = {
            "oauth_flow": oauth.oauth_flow(settings, installations, _record_install(deps)),
            "authorize": oauth.authorize(settings, installations, client),
            "installation_store_bot_only": True,
            "user_facing_authorize_error_message": oauth.not_installed_message(settings),
        }
    app = App(
        client=client,
        signing_secret=signing_secret.get_secret_value() if signing_secret else None,
        # Socket Mode needs no signature; HTTP mode always has a secret (checked at start).
        request_verification_enabled=signing_secret is not None,
        token_verification_enabled=True,
        # Acknowledge first, work after: Slack wants an answer within 3 seconds.
        process_before_response=False,
        raise_error_for_unhandled_request=False,
        # Listeners wait on Slack and the database more than they compute: more than Bolt's
        # default of 5 workers keeps feedback flowing under bursts.
        listener_executor=ThreadPoolExecutor(
            max_workers=LISTENER_WORKERS, thread_name_prefix="qotd"
        ),
        logger=logging.getLogger("bot.bolt"),
        **multi,
    )

    @app.middleware
    def inject_deps(context: BoltContext, next: Callable[[], Any]) -> Any:
        context["deps"] = deps
        return next()

    if installations is not None:

        @app.middleware
        def drop_revoked_token(body: dict[str, Any], next: Callable[[], Any]) -> Any:
            # The uninstall listener deletes the stored token after the acknowledgement; stop
            # using it now, in this process (others notice within the token cache's TTL).
            event = body.get("event") or {}
            kind = event.get("type")
            bot_revoked = kind == "tokens_revoked" and (event.get("tokens") or {}).get("bot")
            if body.get("team_id") and (kind == "app_uninstalled" or bot_revoked):
                installations.revoked(str(body["team_id"]))
            return next()

    @app.middleware
    def rate_limit_notice(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        # Slack tells us (outside any event envelope) when it dropped events for a minute.
        if body.get("type") == "app_rate_limited":
            log.warning("Slack rate-limited events for team %s", body.get("team_id"))
            return BoltResponse(status=200, body="")
        return next()

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        kind = body.get("type") or body.get("command") or "request"
        if isinstance(error, answer.FeedbackNotSent):
            log.warning("%s; the inbox replays the request once its lease ends", error)
            return
        log.exception("unhandled error while handling %s", kind, exc_info=error)

    for module in (commands, messages, actions, views, events):
        module.register(app)
    # Last: it wraps the error handler installed above, and its middleware needs `deps`.
    inbox.register(app)
    return app


def _record_install(deps: Deps) -> oauth.OnInstalled:
    """After OAuth stored an installation: the workspace exists and is not due for deletion."""

    def record(installation: Installation) -> None:
        if installation.team_id is None:  # an org-wide install: no single workspace to record
            return
        privacy.mark_installed(
            deps,
            installation.team_id,
            enterprise_id=installation.enterprise_id,
            bot_user_id=installation.bot_user_id,
        )

    return record


def installations_for(settings: Settings, engine: Engine) -> Installations | None:
    """The installation store in OAuth mode (None with a single SLACK_BOT_TOKEN)."""
    if not settings.oauth_enabled:
        return None
    if settings.slack_bot_token is not None:
        log.warning("SLACK_BOT_TOKEN is ignored: OAuth is configured, each workspace has its own")
    if settings.token_encryption_key is None:
        log.warning("TOKEN_ENCRYPTION_KEY is not set: workspace bot tokens are stored unencrypted")
    return Installations(settings, engine)


def load_question_bank(settings: Settings) -> Bank:
    """The built-in bank plus CONTENT_DIR."""
    dirs = [builtin_content_dir()]
    if settings.content_dir is not None:
        dirs.append(settings.content_dir)
    return load_bank(dirs)


def build_deps(
    settings: Settings,
    engine: Engine,
    client: WebClient,
    *,
    clock: Clock | None = None,
    bank: Bank | None = None,
    installations: Installations | None = None,
) -> Deps:
    """Deps whose Slack gateway carries each workspace's token (OAuth, with `installations`) or,
    for a single-workspace install, the one bot token of `client` for every team."""
    bank = bank if bank is not None else load_question_bank(settings)
    gateway = WebClientGateway(client)
    idf = grading.build_idf(
        text for q in bank.questions for kp in q.key_points for text in (kp.point, *kp.cues)
    )
    return Deps(
        settings=settings,
        session_factory=make_session_factory(engine),
        bank=bank,
        clock=clock or SystemClock(),
        slack=installations.gateway if installations is not None else lambda _team_id: gateway,
        idf=idf,
    )


def bot_client(settings: Settings) -> WebClient:
    """The Web API client for the configured bot token and API URL (no token in OAuth mode)."""
    bot_token = None if settings.oauth_enabled else settings.slack_bot_token
    token = bot_token.get_secret_value() if bot_token else None
    return make_web_client(token, settings.slack_api_url)


def database_healthy(engine: Engine) -> Callable[[], bool]:
    """A health probe: can we run a trivial query?"""

    def probe() -> bool:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # any failure means unhealthy; the reason is logged
            log.exception("health check failed")
            return False

    return probe


__all__ = [
    "build_deps",
    "create_app",
    "database_healthy",
    "installations_for",
    "load_question_bank",
    "make_engine",
]
