"""Message events: thread replies, edits and deletions in question threads become answers."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.deps import Deps
from bot.slack.listeners import direct
from bot.usecases import answer

# Subtypes that carry a person's words in a thread; everything else (joins, bot posts...) is noise.
ANSWER_SUBTYPES = (None, "thread_broadcast", "file_share")


def register(app: App) -> None:
    """Bind every message event (app.message would miss edits and deletions)."""
    app.event("message")(on_message)


def _is_reply(message: dict[str, Any]) -> bool:
    thread_ts = message.get("thread_ts")
    return bool(thread_ts) and thread_ts != message.get("ts")


def _from_bot(message: dict[str, Any]) -> bool:
    return bool(message.get("bot_id")) or message.get("subtype") == "bot_message"


def on_message(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    """Route a message event to the right use case, or ignore it."""
    if event.get("channel_type") == "im":
        direct.on_direct_message(body, event, deps)  # DM practice
        return
    team_id = str(body.get("team_id") or event.get("team") or "")
    event_id = body.get("event_id")
    subtype = event.get("subtype")
    channel = str(event.get("channel") or "")
    if subtype in ANSWER_SUBTYPES:
        if _from_bot(event) or not _is_reply(event) or not event.get("user"):
            return
        reply = _reply(team_id, channel, event, event_id)
        answer.answer_in_thread(deps, reply)
    elif subtype == "message_changed":
        new, old = event.get("message") or {}, event.get("previous_message") or {}
        if _from_bot(new) or not _is_reply(new) or not new.get("user"):
            return  # includes the hidden change of the thread's parent
        if new.get("text") == old.get("text"):
            return  # an unfurl or reply-count update, not an edit
        answer.edit_in_thread(deps, _reply(team_id, channel, new, event_id))
    elif subtype == "message_deleted":
        old = event.get("previous_message") or {}
        if _from_bot(old) or not _is_reply(old):
            return
        deleted_ts = str(event.get("deleted_ts") or old.get("ts") or "")
        answer.delete_in_thread(deps, team_id, channel, deleted_ts, old["thread_ts"], event_id)


def _reply(team_id: str, channel: str, message: dict[str, Any], event_id: Any) -> answer.Reply:
    return answer.Reply(
        team_id=team_id,
        channel_id=channel,
        user_id=str(message["user"]),
        ts=str(message["ts"]),
        thread_ts=str(message["thread_ts"]),
        text=str(message.get("text") or ""),
        event_id=str(event_id) if event_id else None,
    )
