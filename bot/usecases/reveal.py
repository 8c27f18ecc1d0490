"""Reveal: close a question, post the model answer and the top three, mark the post closed."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.db import queries
from bot.db.models import QuestionPost
from bot.deps import Deps
from bot.domain.scoring import Entry, top_answers
from bot.slack import blocks
from bot.slack.gateway import SlackError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RevealResult:
    """Whether a question was closed, with a sentence for whoever asked."""

    ok: bool
    message: str
    post_id: int | None = None


def reveal_latest(deps: Deps, team_id: str, channel_id: str) -> RevealResult:
    """Close the newest open question in a channel (`/qotd reveal`)."""
    with deps.session_factory() as s:
        ch = queries.find_channel(s, team_id, channel_id)
        post = queries.latest_open_post(s, ch.id) if ch else None
        post_id = post.id if post else None
    if post_id is None:
        return RevealResult(False, "There is no open question in this channel to reveal.")
    return reveal(deps, team_id, post_id)


def reveal_due(deps: Deps) -> list[int]:
    """Close every open question whose close time has passed (called by the scheduler)."""
    with deps.session_factory() as s:
        due = [
            (p.id, p.channel.workspace.team_id) for p in queries.open_posts_due(s, deps.clock.now())
        ]
    return [post_id for post_id, team_id in due if reveal(deps, team_id, post_id).ok]


def reveal(deps: Deps, team_id: str, post_id: int) -> RevealResult:
    """Close one question: exactly once, even if two processes try at the same moment."""
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        post = s.get(QuestionPost, post_id, with_for_update=True)
        if post is None or post.status != "open" or post.slack_ts is None:
            return RevealResult(False, "This question is already closed.", post_id)
        post.status = "closed"
        post.closed_at = now
        answers = [
            a for a in queries.answers_for_post(s, post.id) if not a.late and a.deleted_at is None
        ]
        entries = [Entry(a.user_id, a.score, a.first_answered_at) for a in answers if not a.copied]
        channel_id, ts, question_id = post.channel.channel_id, post.slack_ts, post.question_id
    question = deps.bank.get(question_id)
    if question is None:
        return RevealResult(True, "Closed (the question is no longer in the bank).", post_id)
    topic = deps.bank.topics[question.topic].title if question.topic in deps.bank.topics else ""
    gateway = deps.slack(team_id)
    answer_count = len({a.user_id for a in answers})
    message = blocks.reveal(question, top_answers(entries), answer_count)
    closed = blocks.closed_post(question, topic, answer_count)
    try:
        reveal_ts = gateway.post_message(channel_id, message.text, message.blocks, thread_ts=ts)
        gateway.update_message(channel_id, ts, closed.text, closed.blocks)
    except SlackError as exc:
        log.warning("reveal of post %s failed: %s", post_id, exc.code)
        return RevealResult(True, f"Closed, but Slack refused the reveal ({exc.code}).", post_id)
    with deps.session_factory.begin() as s:
        stored = s.get(QuestionPost, post_id)
        if stored is not None:
            stored.reveal_ts = reveal_ts
    return RevealResult(True, "Answer revealed in the thread.", post_id)
