"""Appeal buttons: "I covered this" in feedback, Approve and Reject in the admins' DMs."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.slack import appeal_blocks, blocks
from bot.slack.gateway import SlackError
from bot.usecases import appeals

log = logging.getLogger(__name__)

# One "I covered this" per missed key point: appeal_point_0, appeal_point_1, ...
APPEAL_POINT = re.compile(rf"^{blocks.APPEAL_POINT_ACTION}_\d+$")


def register(app: App) -> None:
    """Bind the appeal buttons (before the catch-all acknowledgement of other buttons)."""
    app.action(APPEAL_POINT)(on_appeal)
    app.action(appeal_blocks.APPROVE_ACTION)(on_approve)
    app.action(appeal_blocks.REJECT_ACTION)(on_reject)


def _ids(body: dict[str, Any]) -> tuple[str, str, str]:
    team_id = str((body.get("team") or {}).get("id") or body.get("team_id") or "")
    user_id = str((body.get("user") or {}).get("id") or "")
    action = (body.get("actions") or [{}])[0]
    return team_id, user_id, str(action.get("value") or "")


def _reply(deps: Deps, team_id: str, body: dict[str, Any], message: blocks.Message) -> None:
    """Answer the person who clicked, privately, where they clicked."""
    if not body.get("response_url"):
        return
    try:
        deps.slack(team_id).respond(str(body["response_url"]), message.text, message.blocks)
    except SlackError as exc:
        log.warning("appeal reply failed: %s", exc.code)


def on_appeal(ack: Ack, body: dict[str, Any], deps: Deps) -> None:
    """The "I covered this" button: file the appeal and tell the answerer where it went."""
    ack()
    team_id, user_id, value = _ids(body)
    _reply(deps, team_id, body, appeals.file_appeal(deps, team_id, user_id, value))


def _decide(body: dict[str, Any], deps: Deps, approve: bool) -> None:
    team_id, user_id, value = _ids(body)
    container = body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    where = appeals.Clicked(str(channel), str(ts)) if channel and ts else None
    message = appeals.decide(deps, team_id, user_id, value, approve, where)
    if message is not None:
        _reply(deps, team_id, body, message)


def on_approve(ack: Ack, body: dict[str, Any], deps: Deps) -> None:
    """An admin approves an appeal."""
    ack()
    _decide(body, deps, approve=True)


def on_reject(ack: Ack, body: dict[str, Any], deps: Deps) -> None:
    """An admin rejects an appeal."""
    ack()
    _decide(body, deps, approve=False)
