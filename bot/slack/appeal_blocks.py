"""Block Kit for appeals (SPEC §4.2): the admins' request DM, its decided form, and the notes
the answerer gets. Pure data builders, like bot.slack.blocks."""

from __future__ import annotations

from dataclasses import dataclass

from bot.slack.blocks import (
    SECTION_TEXT_LIMIT,
    Block,
    Message,
    button,
    clip,
    context,
    escape,
    section,
)

APPROVE_ACTION = "appeal_approve"
REJECT_ACTION = "appeal_reject"
APPEAL_ACTIONS_BLOCK = "appeal_decision"
# The answer as the admins see it: room for the label and quote marks within one section.
ANSWER_SHOWN_LIMIT = SECTION_TEXT_LIMIT - 200
QUESTION_SHOWN_LIMIT = 600


@dataclass(frozen=True, slots=True)
class AppealRef:
    """What an "I covered this" button stands for: one key point of one answer's revision."""

    answer_id: int
    index: int
    revision: int

    @property
    def value(self) -> str:
        """The button value carrying this reference."""
        return f"{self.answer_id}:{self.index}:{self.revision}"

    @classmethod
    def parse(cls, value: str) -> AppealRef | None:
        """The reference in a button value, or None when it is not one of ours."""
        parts = value.split(":")
        if len(parts) != 3 or not all(p.isdigit() and len(p) <= 18 for p in parts):
            return None
        answer_id, index, revision = (int(p) for p in parts)
        return cls(answer_id, index, revision)


@dataclass(frozen=True, slots=True)
class AppealCase:
    """Everything an admin needs to judge an appeal."""

    appeal_id: int
    user_id: str
    channel_id: str
    question: str
    point_number: int  # 1-based, as people count
    key_point: str
    answer: str
    covered: int
    total: int
    score: int
    wording: str | None  # what approval teaches the grader


def escaped_within(text: str, limit: int) -> str:
    """`text` escaped for mrkdwn and shortened so the escaped form fits in `limit` characters.

    Clipping after escaping could cut an entity (`&am…`) in half, so the raw text is shortened.
    """
    shown = escape(text)
    while len(shown) > limit:
        text = clip(text, max(1, len(text) * limit // len(shown) - 1))
        shown = escape(text)
    return shown


def _quote(text: str, limit: int) -> str:
    """A mrkdwn block quote of user text."""
    body = escaped_within(text.strip() or "(empty)", limit)
    return "\n".join(f">{line}" for line in body.splitlines())


def _case_blocks(case: AppealCase, note: str) -> list[Block]:
    graded = f"Graded {case.covered}/{case.total} key points · score {case.score}/100."
    return [
        section(
            f":raising_hand: <@{case.user_id}> appeals a missed key point in <#{case.channel_id}>."
        ),
        section(f"*Question*\n{escaped_within(case.question, QUESTION_SHOWN_LIMIT)}"),
        section(f"*Key point {case.point_number}*\n{escape(case.key_point)}"),
        section(f"*Their answer*\n{_quote(case.answer, ANSWER_SHOWN_LIMIT)}"),
        context(f"{graded} {note}".strip()),
    ]


def _fallback(case: AppealCase) -> str:
    return clip(f"Appeal from <@{case.user_id}>: key point {case.point_number}", 300)


def admin_request(case: AppealCase) -> Message:
    """The DM each of the channel's QOTD admins gets, with Approve and Reject."""
    value = str(case.appeal_id)
    decision: Block = {
        "type": "actions",
        "block_id": APPEAL_ACTIONS_BLOCK,
        "elements": [
            button("Approve: it is covered", APPROVE_ACTION, value, style="primary"),
            button("Reject: keep the grade", REJECT_ACTION, value),
        ],
    }
    if case.wording:
        learn = (
            "If you approve, the point counts for this answer, and this wording counts for "
            f"this point in this workspace from now on: _“{escape(case.wording)}”_"
        )
    else:
        learn = (
            "If you approve, the point counts for this answer. No sentence of it states this "
            "point alone clearly enough to teach the grader, so later answers are graded as before."
        )
    who = context("Any QOTD admin of the channel can decide; the first decision counts.")
    return Message(_fallback(case), [*_case_blocks(case, learn), decision, who])


def admin_decided(case: AppealCase, approved: bool, by: str, outcome: str = "") -> Message:
    """The same DM once someone decided: no buttons, who decided and what it changed."""
    verdict = (
        f":white_check_mark: *Approved* by <@{by}>."
        if approved
        else f":no_entry_sign: *Rejected* by <@{by}>; the grade stands."
    )
    text = f"{verdict} {outcome}".strip()
    learned = (
        f"The grader learned this wording for the point: _“{escape(case.wording)}”_"
        if approved and case.wording
        else ""
    )
    return Message(_fallback(case), [*_case_blocks(case, learned), section(text)])


@dataclass(frozen=True, slots=True)
class NewGrade:
    """An answer's grade after an approved appeal."""

    covered: int
    total: int
    score: int
    points: int
    counts: bool  # whether the appealed point counts (False: the answer changed since)


def grade_line(grade: NewGrade) -> str:
    """`4/6 key points · score 71/100 · 8 points`."""
    points = f"{grade.points} point{'' if grade.points == 1 else 's'}"
    return f"{grade.covered}/{grade.total} key points · score {grade.score}/100 · {points}"


def _where(channel_id: str, question: str) -> str:
    return f"in <#{channel_id}> on _“{escaped_within(question, 150)}”_"


def approved_note(case: AppealCase, by: str, grade: NewGrade | None, learned: bool) -> Message:
    """The DM telling the answerer their appeal was approved, and their new grade."""
    lines = [
        f":white_check_mark: <@{by}> approved your appeal {_where(case.channel_id, case.question)}"
    ]
    if grade is None:
        lines.append("Your answer was deleted since, so its points did not change.")
    elif grade.counts:
        lines.append(f"Key point {case.point_number} now counts: “{escape(case.key_point)}”")
        lines.append(f"Your answer now: *{grade_line(grade)}*.")
    else:
        lines.append(
            "You changed your answer after appealing, and the new version does not state "
            f"key point {case.point_number}, so it keeps its grade: *{grade_line(grade)}*."
        )
    if learned:
        lines.append("The grader has learned your wording for this point in this workspace.")
    return Message("Your appeal was approved.", [section("\n".join(lines))])


def rejected_note(case: AppealCase, by: str, revealed: bool, hint: str) -> Message:
    """The DM telling the answerer, kindly, that the grade stands, and what the point is."""
    lines = [
        f":speech_balloon: <@{by}> read your appeal {_where(case.channel_id, case.question)} "
        f"and kept the grade: your answer doesn't state key point {case.point_number} yet."
    ]
    if revealed:
        lines.append(f"The key point in full: “{escape(case.key_point)}”")
    else:
        lines.append(
            f"Its hint: _{escape(hint)}_ (the full key point comes with the answer at the close)"
        )
    lines.append("Thanks for flagging it: appeals keep the grading fair.")
    return Message("Your appeal was reviewed; the grade stands.", [section("\n".join(lines))])
