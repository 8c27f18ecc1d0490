"""The OAuth install flow (SPEC §6.6): Bolt's OAuthFlow on our stores, with our own pages.

`GET /slack/install` redirects to Slack's consent screen with a one-time state (stored in the
database and in a cookie); `GET /slack/oauth_redirect` checks both, exchanges the code with
oauth.v2.access (at SLACK_API_URL, like every other call), stores the installation and says what
to do next.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.error import BoltError
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.slack.installation import STATE_EXPIRY_SECONDS, Installations

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"

OnInstalled = Callable[[Installation], None]

# What the person who clicked "Add to Slack" reads when it did not work, per Bolt's reason.
FAILURES: dict[str, tuple[str, str]] = {
    "access_denied": (
        "Installation cancelled",
        "Nothing was installed. You can start again whenever you like.",
    ),
    "invalid_browser": (
        "This install link has expired",
        "An install link works once, for 10 minutes, in the browser that opened it.",
    ),
    "invalid_state": (
        "This install link has expired",
        "An install link works once, for 10 minutes, in the browser that opened it.",
    ),
    "missing_code": (
        "Slack did not confirm the installation",
        "The answer from Slack was incomplete, so nothing was installed.",
    ),
    "invalid_code": (
        "Slack did not confirm the installation",
        "Slack refused to complete it, so nothing was installed.",
    ),
}
UNKNOWN_FAILURE = (
    "The installation could not be saved",
    "Something went wrong on our side and nothing was installed. Please try again in a minute.",
)

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · qotd</title>
<style>
body {{ font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  background: #f4f4f6; color: #1d1c1d; margin: 0; }}
main {{ max-width: 34rem; margin: 12vh auto; background: #fff; border-radius: 12px;
  padding: 2rem 2.5rem; box-shadow: 0 1px 4px rgba(0, 0, 0, .08); line-height: 1.5; }}
h1 {{ font-size: 1.5rem; margin-top: 0; }}
code {{ background: #f4f4f6; padding: .1rem .3rem; border-radius: 4px; }}
a.button {{ display: inline-block; background: #4a154b; color: #fff; text-decoration: none;
  padding: .6rem 1.2rem; border-radius: 6px; font-weight: 600; }}
</style>
</head>
<body><main>
<h1>{title}</h1>
{body}
</main></body>
</html>
"""


def page(title: str, body_html: str) -> str:
    """A small, self-contained HTML page (title is escaped; body_html is trusted markup)."""
    return _PAGE.format(title=html.escape(title), body=body_html)


def success_page(installation: Installation) -> str:
    """What to do after installing: invite the bot, set a schedule, try it."""
    team = html.escape(installation.team_name or "your workspace")
    query = urlencode({"app": installation.app_id or "", "team": installation.team_id or ""})
    body = f"""<p>qotd is ready in <strong>{team}</strong>. Three steps to the first question:</p>
<ol>
<li>Invite it to your study channel: <code>/invite @qotd</code></li>
<li>Pick when questions appear: <code>/qotd schedule weekdays 09:30 Europe/London</code></li>
<li>Or get one right now: <code>/qotd now</code></li>
</ol>
<p>Anyone can also practise one-on-one in a direct message with qotd. <code>/qotd help</code>
lists everything.</p>
<p><a class="button" href="https://slack.com/app_redirect?{html.escape(query)}">Open Slack</a></p>
"""
    return page("qotd is installed", body)


def failure_page(reason: str) -> str:
    """Why the install did not happen, and a link to start again."""
    title, text = FAILURES.get(reason, UNKNOWN_FAILURE)
    body = (
        f"<p>{html.escape(text)}</p>\n"
        f'<p><a class="button" href="{INSTALL_PATH}">Start again</a></p>\n'
    )
    return page(title, body)


def _html(status: int, body: str) -> BoltResponse:
    return BoltResponse(
        status=status, body=body, headers={"Content-Type": "text/html; charset=utf-8"}
    )


def callbacks(installations: Installations, on_installed: OnInstalled) -> CallbackOptions:
    """Success and failure handlers: record the workspace, drop any stale token, render a page."""

    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        if installation.team_id is not None:
            installations.forget(installation.team_id)
        try:
            on_installed(installation)
        except Exception:  # the person must hear it failed; the details go to the log
            log.exception("recording the install of workspace %s failed", installation.team_id)
            return _html(500, failure_page("storage_error"))
        log.info("installed in workspace %s", installation.team_id)
        return _html(200, success_page(installation))

    def failure(args: FailureArgs) -> BoltResponse:
        log.warning("an install attempt failed: %s", args.reason, exc_info=args.error)
        return _html(args.suggested_status_code, failure_page(args.reason))

    return CallbackOptions(success=success, failure=failure)


def not_installed_message(settings: Settings) -> str:
    """What someone reads when they use qotd in a workspace that no longer has it installed."""
    where = "from the install page"
    if settings.slack_redirect_uri is not None:
        parts = urlsplit(settings.slack_redirect_uri)
        where = f"at {parts.scheme}://{parts.netloc}{INSTALL_PATH}"
    return (
        "qotd is not installed in this workspace right now, so it cannot answer. "
        f"A workspace admin can add it {where}."
    )


def authorization_url(api_url: str) -> str:
    """Slack's consent page on the same host as the Web API (slack.com, GovSlack, a local fake)."""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}/oauth/v2/authorize"


class _Flow(OAuthFlow):
    """Bolt's flow, except that a database failure while saving shows our failure page.

    Bolt turns only BoltError into its "storage_error" page; anything else would be a bare 500.
    """

    def store_installation(self, request: BoltRequest, installation: Installation) -> None:
        try:
            super().store_installation(request, installation)
        except SQLAlchemyError as exc:
            raise BoltError(f"saving the installation failed: {type(exc).__name__}") from exc


def oauth_flow(
    settings: Settings, installations: Installations, on_installed: OnInstalled
) -> OAuthFlow:
    """The install flow; Bolt's App gives it its client (so oauth.v2.access uses SLACK_API_URL)."""
    return _Flow(
        settings=oauth_settings(settings, installations, on_installed),
        logger=logging.getLogger("bot.oauth"),
    )


def oauth_settings(
    settings: Settings, installations: Installations, on_installed: OnInstalled
) -> OAuthSettings:
    """Bolt's OAuth settings for our stores, scopes, paths and pages (bot token only)."""
    assert settings.slack_client_id is not None
    assert settings.slack_client_secret is not None
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(settings.bot_scopes),
        user_scopes=[],
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        # Straight to Slack's consent screen: an "Add to Slack" link needs no page of ours.
        install_page_rendering_enabled=False,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=callbacks(installations, on_installed),
        authorization_url=authorization_url(settings.slack_api_url),
        installation_store=installations.store,
        installation_store_bot_only=True,
        state_store=installations.state_store,
        state_expiration_seconds=STATE_EXPIRY_SECONDS,
        logger=logging.getLogger("bot.oauth"),
    )


def authorize(
    settings: Settings, installations: Installations, client: WebClient
) -> InstallationStoreAuthorize:
    """Bolt's per-request authorization from the installation store.

    Bolt's default calls auth.test on every request; with the cache it calls it once per token.
    Token refreshes (if token rotation is ever turned on) go to SLACK_API_URL through `client`.
    """
    assert settings.slack_client_id is not None
    assert settings.slack_client_secret is not None
    return InstallationStoreAuthorize(
        logger=logging.getLogger("bot.bolt"),
        installation_store=installations.store,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        bot_only=True,
        cache_enabled=True,
        client=client,
    )
