"""Other subscribed events: each gets a listener so Slack never sees a 404 and retries."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.deps import Deps
from bot.usecases import home, privacy

# Event types acknowledged here (messages have their own module).
HANDLED = (
    "app_mention",
    "member_joined_channel",
    "reaction_added",
)


def register(app: App) -> None:
    """Bind the events the manifest subscribes to (and ones Slack may send anyway)."""
    for name in HANDLED:
        app.event(name)(ignore)
    app.event("app_home_opened")(on_app_home_opened)
    app.event("app_uninstalled")(on_app_uninstalled)
    app.event("tokens_revoked")(on_tokens_revoked)


def ignore() -> None:
    """Acknowledged; nothing to do for this event in this version."""


def on_app_home_opened(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    """The Home tab opened: publish the person's points, streak and mastery (not for Messages)."""
    if event.get("tab", "home") == "home" and event.get("user"):
        home.publish_home(deps, str(body.get("team_id") or ""), str(event["user"]))


def on_app_uninstalled(body: dict[str, Any], deps: Deps) -> None:
    """Delete the workspace's tokens now; its data goes after the retention period."""
    privacy.workspace_uninstalled(deps, str(body.get("team_id") or ""), body.get("event_id"))


def on_tokens_revoked(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    """The bot's token revoked counts as an uninstall; user tokens alone change nothing."""
    tokens = event.get("tokens") or {}
    privacy.tokens_revoked(
        deps,
        str(body.get("team_id") or ""),
        [str(u) for u in tokens.get("bot") or ()],
        [str(u) for u in tokens.get("oauth") or ()],
        body.get("event_id"),
    )
