"""The `/qotd` slash command: parse, acknowledge, run the use case, answer privately."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.domain import commands as cmd
from bot.slack import blocks
from bot.slack.gateway import SlackError
from bot.usecases import slash

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Bind the slash command (and answer any other command the app is sent with help)."""
    app.command("/qotd")(on_qotd)
    app.command(re.compile(".*"))(on_other_command)


def on_other_command(ack: Ack, command: dict[str, Any]) -> None:
    """A command this app does not define (renamed in the manifest?): point to /qotd."""
    name = _shorten(str(command.get("command") or "this command"))
    message = blocks.help_message(f"I only answer /qotd, not {name}.")
    ack(text=message.text, blocks=message.blocks)


def _shorten(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


def on_qotd(ack: Ack, command: dict[str, Any], deps: Deps) -> None:
    """Help is answered in the acknowledgement; everything else right after it."""
    parsed = cmd.parse(str(command.get("text") or ""))
    if isinstance(parsed, cmd.Help):
        message = blocks.help_message(parsed.problem)
        ack(text=message.text, blocks=message.blocks)
        return
    ack()
    request = slash.SlashRequest(
        team_id=command["team_id"],
        channel_id=command["channel_id"],
        user_id=command["user_id"],
        text=str(command.get("text") or ""),
    )
    reply = slash.handle(deps, request, parsed)
    if reply is None:
        return
    try:
        deps.slack(request.team_id).respond(command["response_url"], reply.text, reply.blocks)
    except SlackError as exc:
        log.warning("reply to /qotd failed: %s", exc.code)
