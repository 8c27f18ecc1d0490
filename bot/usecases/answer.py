"""Answer: thread replies, edits, deletions and private answers become graded answers."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.db import answer_queries, appeal_queries, queries
from bot.db.answer_queries import AnswerRow, Post
from bot.deps import Deps
from bot.domain import approved, grading
from bot.domain.bank import KeyPoint, Question
from bot.domain.scoring import points_for, reaction_for
from bot.slack import blocks
from bot.slack.appeal_blocks import AppealRef
from bot.slack.gateway import SlackError

log = logging.getLogger(__name__)

MAX_GRADED_CHARS = 40_000
# Two answers this similar (0-100, after normalisation) count as a copy.
COPY_SIMILARITY = 90
# Very short answers ("same", "+1") are too short to call copies.
COPY_MIN_WORDS = 8


def clean(text: str) -> str:
    """What we store of a message: no NUL or other control characters but newlines and tabs.

    PostgreSQL text cannot hold NUL, and no control character carries meaning in an answer.
    """
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable() or ch.isspace())


class FeedbackNotSent(Exception):
    """The answer is stored and graded, but Slack could not take its feedback for now.

    Raised after the answer's transactions have committed, so the listener fails and the durable
    inbox replays the request (storage is idempotent; grading and feedback run again).
    """


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
        post = answer_queries.post_by_ts(s, reply.team_id, reply.channel_id, reply.thread_ts)
        if post is None or post.status == "pending" or post.slack_ts is None:
            return None  # not a question thread: ordinary conversation
        snap = _add_message(deps, s, post, reply.user_id, reply.ts, reply.text, now)
    return _finish(deps, reply.team_id, snap)


def edit_in_thread(deps: Deps, reply: Reply) -> Outcome | None:
    """A reply was edited: re-grade the answer it belongs to."""
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        if reply.event_id and not queries.claim_event(s, reply.event_id, now):
            return None
        post = answer_queries.post_by_ts(s, reply.team_id, reply.channel_id, reply.thread_ts)
        if post is None or post.slack_ts is None:
            return None
        found = answer_queries.message_in_post(s, post.id, reply.ts)
        if found is None:  # an edit of a reply we never saw: take it as a new one
            snap = _add_message(deps, s, post, reply.user_id, reply.ts, reply.text, now)
        else:
            message_id, _, ans = found
            if ans.user_id != reply.user_id:
                return None
            if not ans.late and _is_closed(post, now):
                text = "This question has closed, so edits no longer change your answer."
                note = Outcome(reply.channel_id, reply.user_id, post.slack_ts, blocks.notice(text))
                snap = None
            else:
                text = clean(reply.text)
                answer_queries.update_message(s, message_id, text=text, edited_at=now)
                changes = {"edited_at": now}
                snap = _snapshot(deps, s, post, ans, now, changes, edited=True, react_to=reply.ts)
    if snap is None:
        _tell(deps, reply.team_id, note)
        return note
    return _finish(deps, reply.team_id, snap)


def delete_in_thread(
    deps: Deps, team_id: str, channel_id: str, ts: str, thread_ts: str, event_id: str | None
) -> bool:
    """A reply was deleted: drop it from its answer and re-grade quietly. True if it counted."""
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        if event_id and not queries.claim_event(s, event_id, now):
            return False
        post = answer_queries.post_by_ts(s, team_id, channel_id, thread_ts)
        if post is None or post.slack_ts is None:
            return False
        found = answer_queries.message_in_post(s, post.id, ts)
        if found is None or found[1] is not None:
            return False
        message_id, _, ans = found
        answer_queries.update_message(s, message_id, deleted_at=now)
        snap = _snapshot(deps, s, post, ans, now, {})
    _finish(deps, team_id, snap, quiet=True)
    return True


def answer_privately(
    deps: Deps, team_id: str, user_id: str, post_id: int, text: str, submission_id: str
) -> Outcome | None:
    """An answer from the "Answer privately" modal: graded like thread replies, seen by no one."""
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        post = answer_queries.post_by_id(s, post_id)
        if post is None or post.slack_ts is None or post.team_id != team_id:
            return None
        snap = _add_message(
            deps, s, post, user_id, f"modal:{submission_id}", text, now, private=True
        )
    return _finish(deps, team_id, snap)


def _is_closed(post: Post, now: datetime) -> bool:
    return post.status == "closed" or (post.closes_at is not None and now >= post.closes_at)


@dataclass(frozen=True)
class _Snapshot:
    """What grading needs, read in the recording transaction (grading happens outside it)."""

    answer_id: int
    revision: int
    text: str
    form: str
    question: Question | None
    key_points: tuple[KeyPoint, ...]
    earlier: tuple[str, ...]
    # Key points approved on appeal, with the text the admin judged (none on a first message).
    approved: tuple[tuple[int, str | None], ...]
    late: bool
    revealed: bool
    old_reaction: str | None
    channel_id: str
    user_id: str
    thread_ts: str
    react_to: str | None
    edited: bool
    live: bool


def _add_message(
    deps: Deps,
    s: Session,
    post: Post,
    user_id: str,
    ts: str,
    text: str,
    now: datetime,
    *,
    private: bool = False,
) -> _Snapshot:
    late = _is_closed(post, now)
    text = clean(text)
    react_to = None if ts.startswith("modal:") else ts
    form = grading.copy_form(text)
    answer_id = answer_queries.start_answer(
        s, post, user_id, late=late, private=private, ts=ts, text=text, copy_form=form, now=now
    )
    if answer_id is not None:  # their first message: the answer is this text, at revision 1
        ans = AnswerRow(answer_id, user_id, late, now, score=0, key_point_count=0)
        return _capture(deps, s, post, ans, text, form, 1, react_to=react_to)
    found = answer_queries.find_answer(s, post.id, user_id, late)
    if found is None:  # start_answer found it a moment ago, in this transaction
        raise RuntimeError(f"answer of {user_id} to post {post.id} vanished")
    if answer_queries.add_message(s, found.id, ts, text, now):
        changes: dict[str, Any] = {"deleted_at": None, "answered_at": now}
    else:  # a replay of a message already stored: grade it again, keep when it was given
        changes = {}
    return _snapshot(deps, s, post, found, now, changes, react_to=react_to)


def key_points_for(s: Session, question: Question, workspace_id: int) -> tuple[KeyPoint, ...]:
    """The question's key points plus the wordings accepted on appeal in this workspace."""
    accepted = answer_queries.accepted_wordings(s, workspace_id, question.id)
    return tuple(
        kp.with_alternatives(accepted[i]) if i in accepted else kp
        for i, kp in enumerate(question.key_points)
    )


def _snapshot(
    deps: Deps,
    s: Session,
    post: Post,
    ans: AnswerRow,
    now: datetime,
    changes: dict[str, Any],
    *,
    edited: bool = False,
    react_to: str | None = None,
) -> _Snapshot:
    """Re-read the answer's live messages, write `changes` and the next revision, capture."""
    texts = answer_queries.live_texts(s, ans.id)
    text = "\n".join(texts)
    form = grading.copy_form(text)
    changes = {**changes, "text": text, "copy_form": form}
    if not texts:
        # Nothing left to grade: the answer stops counting in this same transaction.
        changes.update(deleted_at=now, score=0, points=0, covered=[])
    revision = answer_queries.bump_revision(s, ans.id, changes)
    return _capture(
        deps, s, post, ans, text, form, revision, live=bool(texts), edited=edited, react_to=react_to
    )


def _capture(
    deps: Deps,
    s: Session,
    post: Post,
    ans: AnswerRow,
    text: str,
    form: str,
    revision: int,
    *,
    live: bool = True,
    edited: bool = False,
    react_to: str | None = None,
) -> _Snapshot:
    """What grading needs, read in the recording transaction (`ans` as it was before)."""
    assert post.slack_ts is not None
    question = deps.bank.get(post.question_id)
    key_points = key_points_for(s, question, post.workspace_id) if question else ()
    earlier: tuple[str, ...] = ()
    if question and not ans.late and len(text.split()) >= COPY_MIN_WORDS:
        earlier = tuple(
            other_form if other_form is not None else grading.copy_form(other_text)
            for other_form, other_text in answer_queries.earlier_answer_forms(
                s, post.id, ans, len(text)
            )
        )
    approved_points = tuple(appeal_queries.approved_texts(s, ans.id)) if revision > 1 else ()
    return _Snapshot(
        answer_id=ans.id,
        revision=revision,
        text=text,
        form=form,
        question=question,
        key_points=key_points,
        earlier=earlier,
        approved=approved_points,
        late=ans.late,
        revealed=post.status == "closed",
        old_reaction=reaction_for(ans.score) if ans.key_point_count else None,
        channel_id=post.channel_id,
        user_id=ans.user_id,
        thread_ts=post.slack_ts,
        react_to=react_to,
        edited=edited,
        live=live,
    )


def _finish(deps: Deps, team_id: str, snap: _Snapshot, *, quiet: bool = False) -> Outcome | None:
    """Grade outside any transaction, store the result if still current, then tell Slack."""
    outcome = _grade_and_store(deps, snap)
    if outcome is not None and not quiet:
        _tell(deps, team_id, outcome)
    return outcome


def _grade_and_store(deps: Deps, snap: _Snapshot) -> Outcome | None:
    question = snap.question
    if question is None:
        note = blocks.notice("This question is no longer in the bank, so it can't be graded.")
        return Outcome(snap.channel_id, snap.user_id, snap.thread_ts, note)
    truncated = len(snap.text) > MAX_GRADED_CHARS
    graded = snap.text[:MAX_GRADED_CHARS]
    result = grading.grade(graded, snap.key_points, question=question.question, idf=deps.idf)
    # A point approved on appeal still counts while the answer holds the text that was judged.
    kept = approved.still_approved(snap.approved, snap.text, result.covered_indices)
    score = approved.score_counting(
        graded, snap.key_points, kept, question=question.question, idf=deps.idf, score=result.score
    )
    covered = sorted({*result.covered_indices, *kept})
    copied = grading.copies_any(snap.form, snap.earlier, COPY_SIMILARITY)
    points = points_for(score, late=snap.late, copied=copied) if snap.live else 0
    values: dict[str, object] = {
        "score": score if snap.live else 0,
        "covered": covered if snap.live else [],
        "key_point_count": len(question.key_points),
        "copied": copied,
        "points": points,
    }
    with deps.session_factory.begin() as s:
        if not answer_queries.store_grade(s, snap.answer_id, snap.revision, values):
            return None  # a newer message of this answer is being graded: its result wins
    revealed = snap.revealed
    # Missed points of an answer that earns points may be appealed, each point once.
    appealable = snap.live and not snap.late and not copied and result.message is None
    appealed: set[int] = set()
    if appealable and snap.revision > 1:  # a first grade has no appeals yet
        with deps.session_factory() as s:
            appealed = appeal_queries.appealed_points(s, snap.answer_id)
    lines = tuple(
        blocks.PointLine(
            covered=p.covered or p.index in kept,
            text=p.key_point.point
            if (p.covered or p.index in kept or revealed)
            else (p.key_point.hint or "…"),
            evidence=p.evidence,
            appeal=AppealRef(snap.answer_id, p.index, snap.revision).value
            if appealable and not p.covered and p.index not in appealed
            else None,
        )
        for p in result.points
    )
    message = blocks.feedback(
        blocks.Feedback(
            score=score,
            covered=len(covered),
            total=len(question.key_points),
            points=points,
            lines=lines,
            late=snap.late,
            copied=copied,
            revealed=revealed,
            edited=snap.edited,
            truncated=truncated,
            message=result.message,
        )
    )
    reaction = reaction_for(score)
    return Outcome(
        snap.channel_id,
        snap.user_id,
        snap.thread_ts,
        message,
        react_to=snap.react_to,
        reaction=reaction,
        old_reaction=snap.old_reaction if snap.old_reaction != reaction else None,
    )


def _tell(deps: Deps, team_id: str, outcome: Outcome) -> None:
    """Feedback and reaction, after the answer is safely stored."""
    gateway = deps.slack(team_id)
    unsent: SlackError | None = None
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
        unsent = exc if exc.transient else None
    if outcome.react_to and outcome.reaction:
        try:
            if outcome.old_reaction:
                gateway.remove_reaction(outcome.channel_id, outcome.react_to, outcome.old_reaction)
            gateway.add_reaction(outcome.channel_id, outcome.react_to, outcome.reaction)
        except SlackError as exc:
            log.warning("reaction on %s failed: %s", outcome.react_to, exc.code)
    if unsent is not None:
        raise FeedbackNotSent(f"feedback to {outcome.user_id}: {unsent.code}") from unsent


def modal_for(deps: Deps, team_id: str, post_ref: str) -> dict[str, object] | None:
    """The private-answer modal for a post of this workspace, or None if there is no such post."""
    if not post_ref.isdigit():
        return None
    with deps.session_factory() as s:
        post = answer_queries.post_by_id(s, int(post_ref))
    if post is None or post.team_id != team_id:
        return None
    question = deps.bank.get(post.question_id)
    return blocks.answer_modal(question, post.id) if question else None
