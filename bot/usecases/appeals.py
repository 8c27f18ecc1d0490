"""Appeals (SPEC §4.2): "I covered this" on a missed key point, decided by a QOTD admin.

Filing: the answerer presses the button of a missed point; the appeal is recorded with the answer
as it stood (what the admins judge), then each of the channel's QOTD admins gets it in a DM.
Deciding: the first decision wins (a conditional UPDATE). Approval keeps the part of the answer
that states the point as an accepted wording of the workspace, re-grades the answer with it
(counting the point even if the grader still does not: the admin decided) and tells the
answerer; rejection tells the answerer kindly. One appeal per key point per answer (a unique
key). Slack is called only after the transaction that records what happened.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError

from bot.db import answer_queries, appeal_queries, queries
from bot.db.models import AcceptedWording, Answer, Appeal
from bot.deps import Deps
from bot.domain import approved, grading, wording
from bot.domain.bank import KeyPoint, Question
from bot.domain.scoring import points_for, reaction_for
from bot.slack import appeal_blocks as ab
from bot.slack import blocks
from bot.slack.gateway import SlackError
from bot.usecases import answer
from bot.usecases.permissions import is_channel_admin

log = logging.getLogger(__name__)

STALE_BUTTON = "That button no longer works. Use the buttons of your latest feedback."
NO_ADMINS = (
    "Appeals go to this channel's QOTD admins, and it has none yet: whoever first sets the "
    "channel's schedule (`/qotd schedule weekdays 09:30`) becomes one. Ask whoever runs the "
    "channel to set it up, then appeal again. Nothing was sent."
)
ONLY_ADMIN = (
    "You are this channel's only QOTD admin, and an appeal needs someone else to judge it. "
    "Nothing was sent."
)
REFUSAL = (
    "Only this channel's QOTD admins and workspace admins can decide appeals. Nothing changed."
)
GONE = "This appeal no longer exists: the answer was deleted."
NOT_IN_BANK = "This question is no longer in the bank, so it can't be appealed."
# A concurrent edit can beat the approval's re-grade: grade the newest text again, this often.
REGRADE_ATTEMPTS = 3


# -- filing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Filed:
    """A recorded appeal and what its DMs need (read in the filing transaction)."""

    case: ab.AppealCase
    question: Question
    index: int
    admins: tuple[str, ...]
    shown_point: str  # what the answerer may see of the point: its hint until the reveal


def file_appeal(deps: Deps, team_id: str, user_id: str, value: str) -> blocks.Message:
    """The "I covered this" button: record the appeal, DM the channel's admins, reply."""
    ref = ab.AppealRef.parse(value)
    if ref is None:
        return blocks.notice(STALE_BUTTON)
    filed = _record(deps, team_id, user_id, ref)
    if isinstance(filed, str):
        return blocks.notice(filed, trusted=True)
    case = replace(filed.case, wording=_wording(deps, filed.question, filed.index, filed.case))
    sent = _send_requests(deps, team_id, case, filed.admins)
    with deps.session_factory.begin() as s:
        row = s.get(Appeal, case.appeal_id)
        if row is not None and not sent:
            s.delete(row)  # nobody was told: nothing to decide, and the person may try again
        elif row is not None:
            row.admin_messages = [[channel, ts] for channel, ts in sent]
    if not sent:
        return blocks.notice(
            "Your appeal could not reach this channel's QOTD admins just now, so nothing was "
            "recorded. Please try again in a minute."
        )
    return blocks.notice(
        f":mailbox_with_mail: Appeal sent to {_people(filed.admins)}. They'll read your answer "
        f"and decide whether it covers key point {case.point_number} "
        f"({blocks.escape(filed.shown_point)}); the decision comes to you in a direct message.",
        trusted=True,
    )


def _record(deps: Deps, team_id: str, user_id: str, ref: ab.AppealRef) -> _Filed | str:
    """Check the appeal may be made and record it; a string says why not (nothing stored)."""
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        found = appeal_queries.answer_in_workspace(s, team_id, ref.answer_id)
        if found is None or found.answer.user_id != user_id:
            return STALE_BUTTON
        ans = found.answer
        question = deps.bank.get(found.post.question_id)
        if question is None:
            return NOT_IN_BANK
        problem = _why_not(ans, question, ref)
        if problem is not None:
            return problem
        existing = appeal_queries.appeal_for(s, ans.id, ref.index)
        if existing is not None:
            return _already_appealed(existing)
        channel_admins = queries.channel_admin_ids(s, found.channel.id)
        admins = tuple(a for a in channel_admins if a != user_id)
        if not admins:
            return ONLY_ADMIN if channel_admins else NO_ADMINS
        row = Appeal(
            answer_id=ans.id,
            key_point_index=ref.index,
            status="pending",
            answer_text=ans.text,
            admin_messages=[],
            created_at=now,
        )
        try:
            with s.begin_nested():
                s.add(row)
        except IntegrityError:  # the same button pressed twice at once: the other press won
            return "You already appealed this key point; the admins have it."
        kp = question.key_points[ref.index]
        case = ab.AppealCase(
            appeal_id=row.id,
            user_id=user_id,
            channel_id=found.channel.channel_id,
            question=question.question,
            point_number=ref.index + 1,
            key_point=kp.point,
            answer=ans.text,
            covered=len(ans.covered),
            total=len(question.key_points),
            score=ans.score,
            wording=None,
        )
        shown = kp.point if found.post.status == "closed" else f"hint: {kp.hint or '…'}"
        return _Filed(case, question, ref.index, admins, shown)


def _why_not(ans: Answer, question: Question, ref: ab.AppealRef) -> str | None:
    """Why this answer's key point cannot be appealed now, or None when it can."""
    if ans.deleted_at is not None:
        return "This answer was deleted, so there is nothing to appeal."
    if ans.late or ans.copied:
        return "Appeals are about points, and this answer earns none, so it can't be appealed."
    if ans.revision != ref.revision:
        return (
            "You've changed your answer since this feedback, so it was graded again. "
            "Use the buttons of your latest feedback to appeal."
        )
    if not 0 <= ref.index < len(question.key_points):
        return STALE_BUTTON
    if ref.index in ans.covered:
        return "This key point already counts for your answer."
    return None


def _already_appealed(existing: Appeal) -> str:
    if existing.status == "pending":
        return "You already appealed this key point; the admins have it."
    by = f" by <@{existing.decided_by}>" if existing.decided_by else ""
    return f"You already appealed this key point, and it was {existing.status}{by}."


def _wording(deps: Deps, question: Question, index: int, case: ab.AppealCase) -> str | None:
    """What approval would teach the grader: the same for the admins' DM and the decision."""
    return wording.best_wording(
        case.answer, question.key_points, index, question=question.question, idf=deps.idf
    )


def _send_requests(
    deps: Deps, team_id: str, case: ab.AppealCase, admins: Sequence[str]
) -> list[tuple[str, str]]:
    """DM each admin the appeal; return where each DM went (channel, ts)."""
    message = ab.admin_request(case)
    gateway = deps.slack(team_id)
    sent = []
    for admin in admins:
        try:
            sent.append(gateway.post_direct(admin, message.text, message.blocks))
        except SlackError as exc:
            log.warning("appeal %s to %s failed: %s", case.appeal_id, admin, exc.code)
    return sent


def _people(users: Sequence[str]) -> str:
    mentions = [f"<@{u}>" for u in users]
    return mentions[0] if len(mentions) == 1 else ", ".join(mentions[:-1]) + f" and {mentions[-1]}"


# -- deciding -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Clicked:
    """The DM message whose Approve or Reject was pressed (its real conversation id, D…)."""

    channel_id: str
    message_ts: str


@dataclass(frozen=True, slots=True)
class _Appeal:
    """An appeal as read before deciding."""

    case: ab.AppealCase
    status: str
    decided_by: str | None
    answer_id: int
    workspace_id: int
    question: Question | None
    index: int
    revealed: bool
    hint: str
    admin_messages: tuple[tuple[str, str], ...]


def decide(
    deps: Deps, team_id: str, user_id: str, value: str, approve: bool, where: Clicked | None
) -> blocks.Message | None:
    """An admin pressed Approve or Reject; return what to tell them privately, if anything."""
    found = _read(deps, team_id, int(value)) if value.isdigit() and len(value) <= 18 else None
    if found is None:
        return blocks.notice(GONE)
    if user_id == found.case.user_id:
        return blocks.notice("Nobody can judge an appeal on their own answer. Nothing changed.")
    if found.status != "pending":
        return _already_decided(deps, team_id, found, where)
    if not is_channel_admin(deps, team_id, found.case.channel_id, user_id):
        return blocks.notice(REFUSAL)
    question = found.question
    if question is None:
        return blocks.notice(NOT_IN_BANK + " Nothing changed.")
    learned = _wording(deps, question, found.index, found.case) if approve else None
    status = "approved" if approve else "rejected"
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        won = appeal_queries.claim_decision(s, found.case.appeal_id, status, user_id, now)
        if won and learned is not None:
            known = appeal_queries.wording_known(
                s, found.workspace_id, question.id, found.index, learned
            )
            if not known:
                s.add(
                    AcceptedWording(
                        workspace_id=found.workspace_id,
                        question_id=question.id,
                        key_point_index=found.index,
                        wording=learned,
                        appeal_id=found.case.appeal_id,
                        created_at=now,
                    )
                )
    if not won:  # another admin decided a moment ago
        again = _read(deps, team_id, found.case.appeal_id)
        return _already_decided(deps, team_id, again, where) if again else blocks.notice(GONE)
    case = replace(found.case, wording=learned)
    gateway = deps.slack(team_id)
    if approve:
        regraded = _regrade(deps, found.answer_id, question, found.index, case.answer)
        grade = regraded.grade if regraded else None
        outcome = (
            f"The answer now: {ab.grade_line(grade)}."
            if grade
            else "The answer was deleted since, so its points did not change."
        )
        decided = ab.admin_decided(case, True, user_id, outcome)
        note = ab.approved_note(case, user_id, grade, learned is not None)
        if regraded is not None:
            _react(deps, team_id, case.channel_id, regraded)
    else:
        decided = ab.admin_decided(case, False, user_id)
        note = ab.rejected_note(case, user_id, found.revealed, found.hint)
    _update_requests(deps, team_id, found.admin_messages, where, decided)
    try:
        gateway.post_message(case.user_id, note.text, note.blocks)
    except SlackError as exc:
        log.warning("appeal %s decision to %s failed: %s", case.appeal_id, case.user_id, exc.code)
    return None


def _read(deps: Deps, team_id: str, appeal_id: int) -> _Appeal | None:
    """The appeal with what deciding it needs, if it belongs to this workspace."""
    with deps.session_factory() as s:
        found = appeal_queries.appeal_in_workspace(s, team_id, appeal_id)
        if found is None:
            return None
        row, ctx = found
        question = deps.bank.get(ctx.post.question_id)
        index = row.key_point_index
        kps = question.key_points if question else ()
        kp = kps[index] if index < len(kps) else KeyPoint(point="(no longer in the bank)")
        case = ab.AppealCase(
            appeal_id=row.id,
            user_id=ctx.answer.user_id,
            channel_id=ctx.channel.channel_id,
            question=question.question if question else ctx.post.question_id,
            point_number=index + 1,
            key_point=kp.point,
            answer=row.answer_text if row.answer_text is not None else ctx.answer.text,
            covered=len(ctx.answer.covered),
            total=len(kps),
            score=ctx.answer.score,
            wording=None,
        )
        return _Appeal(
            case=case,
            status=row.status,
            decided_by=row.decided_by,
            answer_id=ctx.answer.id,
            workspace_id=ctx.answer.workspace_id,
            question=question if index < len(kps) else None,
            index=index,
            revealed=ctx.post.status == "closed",
            hint=kp.hint or "…",
            admin_messages=tuple((str(c), str(t)) for c, t in row.admin_messages or ()),
        )


def _already_decided(
    deps: Deps, team_id: str, found: _Appeal, where: Clicked | None
) -> blocks.Message:
    """Someone decided first: show the decision on the clicked DM and say who it was."""
    approved = found.status == "approved"
    by = found.decided_by or "someone"
    if where is not None:
        _update_requests(deps, team_id, (), where, ab.admin_decided(found.case, approved, by))
    return blocks.notice(f"This appeal was already {found.status} by <@{by}>.", trusted=True)


def _update_requests(
    deps: Deps,
    team_id: str,
    sent: Sequence[tuple[str, str]],
    where: Clicked | None,
    message: blocks.Message,
) -> None:
    """Show the decision, without buttons, in every admin's DM about the appeal.

    The clicked DM is addressed by the conversation id its click reported, which chat.update
    needs; the others by where they were sent.
    """
    targets = list(sent)
    if where is not None:
        targets = [(c, ts) for c, ts in targets if ts != where.message_ts]
        targets.append((where.channel_id, where.message_ts))
    gateway = deps.slack(team_id)
    for channel, ts in targets:
        try:
            gateway.update_message(channel, ts, message.text, message.blocks)
        except SlackError as exc:
            log.warning("appeal DM %s in %s not updated: %s", ts, channel, exc.code)


@dataclass(frozen=True, slots=True)
class _Regraded:
    grade: ab.NewGrade
    old_score: int
    reply_ts: str | None  # the reply wearing the score's reaction (None: a private answer)


def _regrade(
    deps: Deps, answer_id: int, question: Question, index: int, judged: str
) -> _Regraded | None:
    """Grade the answer again with the workspace's key points (now with the approved wording).

    The point counts even if the grader still misses it, as long as the answer is the text the
    admin judged. None when the answer is gone.
    """
    for _ in range(REGRADE_ATTEMPTS):
        with deps.session_factory() as s:
            ans = s.get(Answer, answer_id)
            if ans is None or ans.deleted_at is not None:
                return None
            revision, text, old_score = ans.revision, ans.text, ans.score
            late, copied = ans.late, ans.copied
            kps = answer.key_points_for(s, question, ans.workspace_id)
            reply_ts = appeal_queries.latest_reply_ts(s, answer_id)
        graded = text[: answer.MAX_GRADED_CHARS]
        result = grading.grade(graded, kps, question=question.question, idf=deps.idf)
        covered = set(result.covered_indices)
        score = result.score
        if index not in covered and text == judged:
            covered.add(index)
            score = approved.score_counting(
                graded, kps, {index}, question=question.question, idf=deps.idf, score=score
            )
        points = points_for(score, late=late, copied=copied)
        values: dict[str, object] = {"score": score, "covered": sorted(covered), "points": points}
        with deps.session_factory.begin() as s:
            if answer_queries.store_grade(s, answer_id, revision, values):
                grade = ab.NewGrade(len(covered), len(kps), score, points, index in covered)
                return _Regraded(grade, old_score, reply_ts)
    log.warning("answer %s kept changing; its approved appeal was not re-graded", answer_id)
    return None


def _react(deps: Deps, team_id: str, channel_id: str, regraded: _Regraded) -> None:
    """Swap the reply's score reaction when the approval moved the score across a band."""
    old, new = reaction_for(regraded.old_score), reaction_for(regraded.grade.score)
    if regraded.reply_ts is None or old == new:
        return
    gateway = deps.slack(team_id)
    try:
        gateway.remove_reaction(channel_id, regraded.reply_ts, old)
        gateway.add_reaction(channel_id, regraded.reply_ts, new)
    except SlackError as exc:
        log.warning("reaction on %s failed: %s", regraded.reply_ts, exc.code)
