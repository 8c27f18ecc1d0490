"""Other subscribed events: each gets a listener so Slack never sees a 404 and retries."""

from __future__ import annotations

from slack_bolt import App

# Event types acknowledged here (messages have their own module).
HANDLED = (
    "app_home_opened",
    "app_mention",
    "app_uninstalled",
    "tokens_revoked",
    "member_joined_channel",
    "reaction_added",
)


def register(app: App) -> None:
    """Bind the events the manifest subscribes to (and ones Slack may send anyway)."""
    for name in HANDLED:
        app.event(name)(ignore)


def ignore() -> None:
    """Acknowledged; nothing to do for this event in this version."""
