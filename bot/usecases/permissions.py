"""Who may change a channel: workspace admins and owners, and the channel's QOTD admins."""

from __future__ import annotations

import logging

from bot.db import queries
from bot.deps import Deps
from bot.slack.gateway import SlackError

log = logging.getLogger(__name__)

REFUSAL = (
    "Only workspace admins and this channel's QOTD admins can do that. "
    "Ask one of them, or ask them to add you."
)


def is_channel_admin(deps: Deps, team_id: str, channel_id: str, user_id: str) -> bool:
    """True for workspace admins/owners and for the channel's QOTD admins."""
    with deps.session_factory() as s:
        ch = queries.find_channel(s, team_id, channel_id)
        if ch is not None and user_id in queries.channel_admin_ids(s, ch.id):
            return True
    try:
        return deps.slack(team_id).user_info(user_id).is_admin
    except SlackError as exc:
        log.warning("users.info for %s failed: %s", user_id, exc.code)
        return False
