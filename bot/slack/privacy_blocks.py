"""Block Kit for `/qotd forget-me`: the confirmation, the result, the cancellation (pure data)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.privacy import PersonalData, describe
from bot.slack.blocks import Block, Message, button, context, escape, section

FORGET_ME_CONFIRM_ACTION = "forget_me_confirm"
FORGET_ME_CANCEL_ACTION = "forget_me_cancel"
# Channels named in the "you stay an admin" note; the rest are counted.
MAX_CHANNELS_NAMED = 10

_SLACK_COPIES = (
    "Your replies in question threads are Slack messages: they stay in Slack until you "
    "delete them there. Your data in other workspaces is not affected."
)


def _bullets(lines: Sequence[str]) -> str:
    return "\n".join(f"• {escape(line)}" for line in lines)


def _admin_note(channels: Sequence[str]) -> str:
    if not channels:
        return ""
    named = ", ".join(f"<#{escape(c)}>" for c in channels[:MAX_CHANNELS_NAMED])
    more = len(channels) - MAX_CHANNELS_NAMED
    if more > 0:
        named += f" and {more} more"
    return (
        f"You stay a QOTD admin of {named}: that is a role others rely on, not your history. "
        "Ask a workspace admin if you want it removed."
    )


def _notes(data: PersonalData) -> Block:
    return context(_SLACK_COPIES, _admin_note(data.admin_channels))


def forget_me_prompt(data: PersonalData, user_id: str) -> Message:
    """What `/qotd forget-me` would delete, with a button to confirm (or nothing to delete)."""
    if not data.anything:
        text = "Nothing of yours is stored in this workspace: no answers, points or practice."
        return Message(text, [section(f":sparkles: {text}"), _notes(data)])
    text = "Delete your answers, points and practice history in this workspace?"
    blocks: list[Block] = [
        section(
            f":wastebasket: *{text}*\nThis deletes, for good:\n{_bullets(describe(data))}\n"
            "Your points leave the leaderboards at once. This cannot be undone."
        ),
        _notes(data),
        {
            "type": "actions",
            "block_id": "forget_me",
            "elements": [
                button("Delete my data", FORGET_ME_CONFIRM_ACTION, user_id, style="danger"),
                button("Keep my data", FORGET_ME_CANCEL_ACTION, user_id),
            ],
        },
    ]
    return Message(text, blocks)


def forget_me_done(deleted: PersonalData) -> Message:
    """What was deleted (exact counts), once the person confirmed."""
    if not deleted.anything:
        text = "There was nothing of yours left to delete in this workspace."
        return Message(text, [section(f":sparkles: {text}"), _notes(deleted)])
    text = "Done: your data in this workspace is deleted."
    body = f":white_check_mark: *{text}*\nDeleted:\n{_bullets(describe(deleted))}"
    return Message(text, [section(body), _notes(deleted)])


def forget_me_cancelled() -> Message:
    """The person chose to keep their data."""
    text = "Nothing was deleted: your answers, points and practice are as they were."
    return Message(text, [section(f":ok_hand: {text}")])
