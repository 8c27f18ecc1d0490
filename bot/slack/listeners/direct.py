"""Direct messages to the bot and the "Practice now" button: DM practice (SPEC §4.4)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack

from bot.deps import Deps
from bot.slack.gateway import SlackError
from bot.usecases import practice

log = logging.getLogger(__name__)

# Subtypes that carry a person's own words; edits, deletions, joins and bot posts do not.
TEXT_SUBTYPES = (None, "file_share")


def on_direct_message(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    """A message in the bot's DM: a practice command or an answer."""
    if event.get("subtype") not in TEXT_SUBTYPES:
        return
    if event.get("bot_id") or not event.get("user"):
        return  # our own messages (and other bots') are never answers
    team_id = str(body.get("team_id") or event.get("team") or "")
    event_id = body.get("event_id")
    thread_ts = event.get("thread_ts")
    practice.dm(
        deps,
        team_id,
        str(event["user"]),
        str(event.get("channel") or event["user"]),
        str(event.get("text") or ""),
        event_id=str(event_id) if event_id else None,
        thread_ts=str(thread_ts) if thread_ts else None,
    )


def on_practice_now(ack: Ack, body: dict[str, Any], deps: Deps) -> None:
    """The "Practice now" button (App Home, nudge): start practice in the DM."""
    ack()
    team_id = str((body.get("team") or {}).get("id") or body.get("team_id") or "")
    user_id = str((body.get("user") or {}).get("id") or "")
    if not team_id or not user_id:
        return
    action = (body.get("actions") or [{}])[0]
    topic = str(action.get("value") or "").strip() or None
    started = practice.start_in_dm(deps, team_id, user_id, topic)
    if started.in_dm:
        return  # the question is in the DM: nothing more to say
    try:
        deps.slack(team_id).post_message(user_id, started.message)
    except SlackError as exc:
        log.warning("practice_now reply to %s failed: %s", user_id, exc.code)
