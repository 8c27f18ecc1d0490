"""Buttons: "Answer privately" opens the modal; other interactions are acknowledged."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.slack import blocks
from bot.slack.gateway import SlackError
from bot.usecases import answer

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Bind the buttons, then a catch-all so no interaction ever gets a 404."""
    app.action(blocks.ANSWER_PRIVATELY_ACTION)(on_answer_privately)
    app.action(re.compile(".*"))(acknowledge)
    app.shortcut(re.compile(".*"))(acknowledge)
    app.options(re.compile(".*"))(no_options)


def acknowledge(ack: Ack) -> None:
    """Nothing to do but tell Slack we got it."""
    ack()


def no_options(ack: Ack) -> None:
    """We offer no external select menus."""
    ack(options=[])


def on_answer_privately(ack: Ack, body: dict[str, Any], deps: Deps) -> None:
    """Open the private-answer modal for the post the button belongs to."""
    ack()
    team_id = str((body.get("team") or {}).get("id") or body.get("team_id") or "")
    user_id = str((body.get("user") or {}).get("id") or "")
    action = (body.get("actions") or [{}])[0]
    view = answer.modal_for(deps, team_id, str(action.get("value") or ""))
    gateway = deps.slack(team_id)
    try:
        if view is not None:
            gateway.open_view(str(body["trigger_id"]), view)
        elif body.get("response_url"):
            gateway.respond(str(body["response_url"]), "That question is no longer available.")
    except SlackError as exc:
        log.warning("answer modal for %s failed: %s", user_id, exc.code)
