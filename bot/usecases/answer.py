"""Answer: thread replies, edits, deletions and private answers become graded answers."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.db import queries
from bot.db.models import Answer, AnswerMessage, QuestionPost
from bot.deps import Deps
from bot.domain import grading
from bot.domain.bank import KeyPoint, Question
from bot.domain.scoring import points_for, reaction_for
from bot.slack import blocks
from bot.slack.gateway import SlackError

log = logging.getLogger(__name__)

MAX_GRADED_CHARS = 40_000
# Two answers this similar (0-100, after normalisation) count as a copy.
COPY_SIMILARITY = 90
# Very short answers ("same", "+1") are too short to call copies.
COPY_MIN_WORDS = 8


@dataclass(frozen=True, slots=True)
class Reply:
    """A message in a question's thread, as Slack reported it."""

    team_id: str
    channel_id: str
    user_id: str
    ts: str
    thread_ts: str
    text: str
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What to tell the answerer after the transaction commits."""

    channel_id: str
    user_id: str
    thread_ts: str
    feedback: blocks.Message
    react_to: str | None = None
    reaction: str | None = None
    old_reaction: str | None = None


def answer_in_thread(deps: Deps, reply: Reply) -> Outcome | None:
    """A new reply in a question's thread: add it to the person's answer and grade."""
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        if reply.event_id and not queries.claim_event(s, reply.event_id, now):
            return None  # a retry of an event already handled
        post = queries.post_by_ts(s, reply.team_id, reply.channel_id, reply.thread_ts)
        if post is None or post.status == "pending" or post.slack_ts is None:
            return None  # not a question thread: ordinary conversation
        outcome = _add_message(deps, s, post, reply.user_id, reply.ts, reply.text, now)
    _tell(deps, reply.team_id, outcome)
    return outcome


def edit_in_thread(deps: Deps, reply: Reply) -> Outcome | None:
    """A reply was edited: re-grade the answer it belongs to."""
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        if reply.event_id and not queries.claim_event(s, reply.event_id, now):
            return None
        post = queries.post_by_ts(s, reply.team_id, reply.channel_id, reply.thread_ts)
        if post is None or post.slack_ts is None:
            return None
        found = queries.answer_message(s, post.id, reply.ts)
        if found is None:  # an edit of a reply we never saw: take it as a new one
            outcome = _add_message(deps, s, post, reply.user_id, reply.ts, reply.text, now)
        else:
            msg, ans = found
            if ans.user_id != reply.user_id:
                return None
            if not ans.late and _is_closed(post, now):
                text = "This question has closed, so edits no longer change your answer."
                outcome = Outcome(
                    reply.channel_id, reply.user_id, post.slack_ts, blocks.notice(text)
                )
            else:
                msg.text = reply.text
                msg.edited_at = now
                ans.edited_at = now
                outcome = _regrade(deps, s, post, ans, now, edited=True, react_to=reply.ts)
    _tell(deps, reply.team_id, outcome)
    return outcome


def delete_in_thread(
    deps: Deps, team_id: str, channel_id: str, ts: str, thread_ts: str, event_id: str | None
) -> bool:
    """A reply was deleted: drop it from its answer and re-grade quietly. True if it counted."""
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        if event_id and not queries.claim_event(s, event_id, now):
            return False
        post = queries.post_by_ts(s, team_id, channel_id, thread_ts)
        if post is None:
            return False
        found = queries.answer_message(s, post.id, ts)
        if found is None or found[0].deleted_at is not None:
            return False
        msg, ans = found
        msg.deleted_at = now
        _regrade(deps, s, post, ans, now)
    return True


def answer_privately(
    deps: Deps, team_id: str, user_id: str, post_id: int, text: str, submission_id: str
) -> Outcome | None:
    """An answer from the "Answer privately" modal: graded like thread replies, seen by no one."""
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        post = s.get(QuestionPost, post_id)
        if post is None or post.slack_ts is None:
            return None
        ws = queries.workspace(s, team_id, now)
        if post.channel.workspace_id != ws.id:
            return None
        outcome = _add_message(
            deps, s, post, user_id, f"modal:{submission_id}", text, now, private=True
        )
    _tell(deps, team_id, outcome)
    return outcome


def _is_closed(post: QuestionPost, now: datetime) -> bool:
    return post.status == "closed" or (post.closes_at is not None and now >= post.closes_at)


def _add_message(
    deps: Deps,
    s: Session,
    post: QuestionPost,
    user_id: str,
    ts: str,
    text: str,
    now: datetime,
    *,
    private: bool = False,
) -> Outcome:
    late = _is_closed(post, now)
    ans = queries.answer(s, post.id, user_id, late)
    if ans is None:
        ans = Answer(
            post_id=post.id,
            channel_pk=post.channel_pk,
            workspace_id=post.channel.workspace_id,
            user_id=user_id,
            late=late,
            private=private,
            covered=[],
            first_answered_at=now,
            answered_at=now,
        )
        s.add(ans)
        s.flush()
    if queries.answer_message(s, post.id, ts) is None:
        s.add(AnswerMessage(answer_id=ans.id, message_ts=ts, text=text, posted_at=now))
        s.flush()
        s.refresh(ans, ["messages"])
    ans.deleted_at = None
    ans.answered_at = now
    react_to = None if ts.startswith("modal:") else ts
    return _regrade(deps, s, post, ans, now, react_to=react_to)


def key_points_for(s: Session, question: Question, workspace_id: int) -> tuple[KeyPoint, ...]:
    """The question's key points plus the wordings accepted on appeal in this workspace."""
    accepted = queries.accepted_wordings(s, workspace_id, question.id)
    return tuple(
        kp.with_alternatives(accepted[i]) if i in accepted else kp
        for i, kp in enumerate(question.key_points)
    )


def _regrade(
    deps: Deps,
    s: Session,
    post: QuestionPost,
    ans: Answer,
    now: datetime,
    *,
    edited: bool = False,
    react_to: str | None = None,
) -> Outcome:
    question = deps.bank.get(post.question_id)
    assert post.slack_ts is not None
    channel_id = post.channel.channel_id
    if question is None:
        note = blocks.notice("This question is no longer in the bank, so it can't be graded.")
        return Outcome(channel_id, ans.user_id, post.slack_ts, note)
    old_reaction = reaction_for(ans.score) if ans.messages and ans.key_point_count else None
    live = [m for m in ans.messages if m.deleted_at is None]
    full_text = "\n".join(m.text for m in live)
    truncated = len(full_text) > MAX_GRADED_CHARS
    result = grading.grade(
        full_text[:MAX_GRADED_CHARS],
        key_points_for(s, question, ans.workspace_id),
        question=question.question,
        idf=deps.idf,
    )
    ans.text = full_text
    ans.score = result.score
    ans.covered = list(result.covered_indices)
    ans.key_point_count = len(question.key_points)
    ans.copied = not ans.late and _copies_earlier(s, post, ans, full_text)
    ans.points = points_for(result.score, late=ans.late, copied=ans.copied)
    if not live:
        ans.deleted_at = now
        ans.points = 0
    revealed = post.status == "closed"
    lines = tuple(
        blocks.PointLine(
            covered=p.covered,
            text=p.key_point.point if (p.covered or revealed) else (p.key_point.hint or "…"),
            evidence=p.evidence,
        )
        for p in result.points
    )
    message = blocks.feedback(
        blocks.Feedback(
            score=result.score,
            covered=len(result.covered_indices),
            total=len(question.key_points),
            points=ans.points,
            lines=lines,
            late=ans.late,
            copied=ans.copied,
            revealed=revealed,
            edited=edited,
            truncated=truncated,
            message=result.message,
        )
    )
    reaction = reaction_for(result.score)
    return Outcome(
        channel_id,
        ans.user_id,
        post.slack_ts,
        message,
        react_to=react_to,
        reaction=reaction,
        old_reaction=old_reaction if old_reaction != reaction else None,
    )


def _copies_earlier(s: Session, post: QuestionPost, ans: Answer, text: str) -> bool:
    if len(text.split()) < COPY_MIN_WORDS:
        return False
    for other in queries.answers_for_post(s, post.id):
        if other.id == ans.id or other.user_id == ans.user_id or other.deleted_at is not None:
            continue
        if other.first_answered_at > ans.first_answered_at:
            continue
        if other.text and grading.similarity(text, other.text) >= COPY_SIMILARITY:
            return True
    return False


def _tell(deps: Deps, team_id: str, outcome: Outcome) -> None:
    """Feedback and reaction, after the answer is safely stored."""
    gateway = deps.slack(team_id)
    try:
        gateway.post_ephemeral(
            outcome.channel_id,
            outcome.user_id,
            outcome.feedback.text,
            outcome.feedback.blocks,
            thread_ts=outcome.thread_ts,
        )
    except SlackError as exc:
        log.warning("feedback to %s failed: %s", outcome.user_id, exc.code)
    if outcome.react_to and outcome.reaction:
        try:
            if outcome.old_reaction:
                gateway.remove_reaction(outcome.channel_id, outcome.react_to, outcome.old_reaction)
            gateway.add_reaction(outcome.channel_id, outcome.react_to, outcome.reaction)
        except SlackError as exc:
            log.warning("reaction on %s failed: %s", outcome.react_to, exc.code)


def modal_for(deps: Deps, team_id: str, post_ref: str) -> dict[str, object] | None:
    """The private-answer modal for a post of this workspace, or None if there is no such post."""
    if not post_ref.isdigit():
        return None
    with deps.session_factory() as s:
        post = s.get(QuestionPost, int(post_ref))
        if post is None or post.channel.workspace.team_id != team_id:
            return None
        question = deps.bank.get(post.question_id)
        post_id = post.id
    return blocks.answer_modal(question, post_id) if question else None
