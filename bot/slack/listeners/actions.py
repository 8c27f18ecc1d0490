"""Buttons: "Answer privately" opens the modal; other interactions are acknowledged."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.slack import blocks, practice_blocks, privacy_blocks
from bot.slack.gateway import SlackError
from bot.slack.listeners import appeals, direct
from bot.usecases import answer, privacy

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Bind the buttons, then a catch-all so no interaction ever gets a 404."""
    app.action(blocks.ANSWER_PRIVATELY_ACTION)(on_answer_privately)
    app.action(privacy_blocks.FORGET_ME_CONFIRM_ACTION)(on_forget_me_confirm)
    app.action(privacy_blocks.FORGET_ME_CANCEL_ACTION)(on_forget_me_cancel)
    app.action(practice_blocks.PRACTICE_NOW_ACTION)(direct.on_practice_now)
    appeals.register(app)
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


def on_forget_me_confirm(ack: Ack, body: dict[str, Any], deps: Deps) -> None:
    """The "Delete my data" button: delete the clicker's data here and say exactly what went."""
    ack()
    team_id = str((body.get("team") or {}).get("id") or body.get("team_id") or "")
    user_id = str((body.get("user") or {}).get("id") or "")
    action = (body.get("actions") or [{}])[0]
    if not team_id or not user_id or action.get("value") != user_id:
        return  # only the person who asked sees the button; anything else is not a request
    message = privacy_blocks.forget_me_done(privacy.forget_user(deps, team_id, user_id))
    _respond(deps, team_id, body, message)


def on_forget_me_cancel(ack: Ack, body: dict[str, Any], deps: Deps) -> None:
    """The "Keep my data" button: confirm that nothing changed."""
    ack()
    team_id = str((body.get("team") or {}).get("id") or body.get("team_id") or "")
    _respond(deps, team_id, body, privacy_blocks.forget_me_cancelled())


def _respond(deps: Deps, team_id: str, body: dict[str, Any], message: blocks.Message) -> None:
    if not body.get("response_url"):
        return
    try:
        # The answer takes the place of the question, so its buttons can't be pressed again.
        deps.slack(team_id).respond(
            str(body["response_url"]), message.text, message.blocks, replace_original=True
        )
    except SlackError as exc:
        log.warning("forget-me reply failed: %s", exc.code)
