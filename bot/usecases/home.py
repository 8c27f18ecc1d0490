"""App Home (SPEC §4.4): publish a person's points, streak, topic mastery and due practice."""

from __future__ import annotations

import logging

from bot.deps import Deps
from bot.slack import home_blocks
from bot.slack.gateway import SlackError
from bot.usecases import boards

log = logging.getLogger(__name__)


def publish_home(deps: Deps, team_id: str, user_id: str) -> bool:
    """Render and publish the person's Home tab; False when Slack refused it (logged).

    "This month" is the person's own calendar month, so their timezone is asked of Slack
    (never stored); UTC when Slack cannot tell. Reads happen before any Slack write.
    """
    gateway = deps.slack(team_id)
    try:
        timezone = gateway.user_info(user_id).timezone
    except SlackError as exc:
        log.info("users.info for the home tab failed (%s); using UTC", exc.code)
        timezone = None
    view = home_blocks.home_view(boards.person_summary(deps, team_id, user_id, timezone))
    try:
        gateway.publish_home(user_id, view)
    except SlackError as exc:
        log.warning("views.publish failed: %s", exc.code)
        return False
    return True
