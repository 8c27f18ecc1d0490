"""Modal submissions: the private answer."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.slack import blocks
from bot.usecases import answer


def register(app: App) -> None:
    """Bind the answer modal, then a catch-all for other views and closes."""
    app.view(blocks.ANSWER_MODAL_CALLBACK)(on_answer_submitted)
    app.view(re.compile(".*"))(acknowledge)
    app.view_closed(re.compile(".*"))(acknowledge)


def acknowledge(ack: Ack) -> None:
    """Nothing to do but tell Slack we got it."""
    ack()


def on_answer_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    """Validate in the acknowledgement (so the modal shows the error), then grade."""
    values = (view.get("state") or {}).get("values") or {}
    field = (values.get(blocks.ANSWER_INPUT_BLOCK) or {}).get(blocks.ANSWER_INPUT_ACTION) or {}
    text = str(field.get("value") or "")
    if not text.strip():
        ack(response_action="errors", errors={blocks.ANSWER_INPUT_BLOCK: "Write an answer first."})
        return
    post_id = str(view.get("private_metadata") or "")
    if not post_id.isdigit():
        ack(
            response_action="errors",
            errors={blocks.ANSWER_INPUT_BLOCK: "This question is no longer available."},
        )
        return
    ack()
    team_id = str((body.get("team") or {}).get("id") or view.get("team_id") or "")
    user_id = str((body.get("user") or {}).get("id") or "")
    submission = f"{view.get('id', '')}:{view.get('hash', '')}"
    answer.answer_privately(deps, team_id, user_id, int(post_id), text, submission)
