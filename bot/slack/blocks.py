"""Pure Block Kit builders: data in, Slack message and view payloads out (tested as data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.bank import Question
from bot.domain.scoring import Entry, reaction_for

Block = dict[str, Any]

# Slack's limits (https://api.slack.com/reference/block-kit): we stay well inside them.
MAX_BLOCKS = 50
SECTION_TEXT_LIMIT = 3000
CONTEXT_TEXT_LIMIT = 2000
HEADER_LIMIT = 150
BUTTON_TEXT_LIMIT = 75
FALLBACK_TEXT_LIMIT = 3000
EVIDENCE_LIMIT = 160
ANSWER_INPUT_LIMIT = 3000

ANSWER_PRIVATELY_ACTION = "answer_privately"
ANSWER_MODAL_CALLBACK = "answer_modal"
ANSWER_INPUT_BLOCK = "answer"
ANSWER_INPUT_ACTION = "answer_text"
# "I covered this" on a missed key point: `appeal_point_<index>` (see bot.slack.appeal_blocks).
APPEAL_POINT_ACTION = "appeal_point"

MEDALS = (":first_place_medal:", ":second_place_medal:", ":third_place_medal:")


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Shorten to `limit` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # Never end inside an escape (`&amp;`, `&lt;`, `&gt;`): Slack would show the broken piece.
    amp = cut.rfind("&", len(cut) - 4)
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + "…"


def section(text: str) -> Block:
    """A mrkdwn section, clipped to Slack's limit."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_TEXT_LIMIT)}}


def context(*texts: str) -> Block:
    """A context block of mrkdwn elements."""
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clip(t, CONTEXT_TEXT_LIMIT)} for t in texts if t][
            :10
        ],
    }


def header(text: str) -> Block:
    """A header block."""
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, HEADER_LIMIT)}}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    """A button element."""
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, BUTTON_TEXT_LIMIT)},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


@dataclass(frozen=True, slots=True)
class Message:
    """A message payload: fallback text (notifications, screen readers) and blocks."""

    text: str
    blocks: list[Block]


def _question_meta(question: Question, topic_title: str, closes: str | None) -> str:
    parts = [f"*Topic:* {escape(topic_title)}", f"*Level:* {question.level.value}"]
    if closes:
        parts.append(f"*Closes:* {escape(closes)}")
    return "  ·  ".join(parts)


def question_post(
    question: Question, topic_title: str, closes: str | None, post_id: int
) -> Message:
    """The question of the day as posted in the channel, open for answers."""
    blocks = [
        header(":brain: Question of the day"),
        section(f"*{escape(question.question)}*"),
        context(_question_meta(question, topic_title, closes)),
        context(
            ":thread: *Reply in this thread to answer.* Several replies count as one answer; "
            "your feedback is private. Prefer nobody sees your answer? Use the button."
        ),
        {
            "type": "actions",
            "block_id": "qotd_actions",
            "elements": [button("Answer privately", ANSWER_PRIVATELY_ACTION, str(post_id))],
        },
    ]
    return Message(clip(f"Question of the day: {question.question}", FALLBACK_TEXT_LIMIT), blocks)


def closed_post(question: Question, topic_title: str, answer_count: int) -> Message:
    """The question post after the reveal: no more button, a pointer to the answer."""
    people = "1 person" if answer_count == 1 else f"{answer_count} people"
    blocks = [
        header(":brain: Question of the day (closed)"),
        section(f"*{escape(question.question)}*"),
        context(_question_meta(question, topic_title, None)),
        context(
            f":lock: Closed. {people} answered; the model answer and key points are in the "
            "thread. Replies now are graded as practice, without points."
        ),
    ]
    return Message(clip(f"Closed: {question.question}", FALLBACK_TEXT_LIMIT), blocks)


@dataclass(frozen=True, slots=True)
class PointLine:
    """One key point as shown in feedback."""

    covered: bool
    text: str  # the hint for a missed point before the reveal, else the point itself
    evidence: str | None = None
    # The "I covered this" button's value for a missed point that may be appealed (None: none).
    appeal: str | None = None


@dataclass(frozen=True, slots=True)
class Feedback:
    """What the answerer is told after each answer."""

    score: int
    covered: int
    total: int
    points: int
    lines: tuple[PointLine, ...]
    late: bool = False
    copied: bool = False
    revealed: bool = False
    edited: bool = False
    truncated: bool = False
    message: str | None = None


def feedback(fb: Feedback) -> Message:
    """The private feedback for one answer."""
    emoji = f":{reaction_for(fb.score)}:"
    title = f"{emoji} *{fb.covered}/{fb.total} key points*  ·  score *{fb.score}*/100"
    if fb.edited:
        title += "  ·  _re-graded after your edit_"
    blocks: list[Block] = [section(title)]
    if fb.message:
        blocks.append(section(escape(fb.message)))
    lines = []
    for index, line in enumerate(fb.lines):
        if line.covered:
            quote = (
                f"\n      _“{escape(clip(line.evidence, EVIDENCE_LIMIT))}”_"
                if line.evidence
                else ""
            )
            lines.append(f":white_check_mark: {escape(line.text)}{quote}")
        else:
            label = "" if fb.revealed else "*Hint:* "
            lines.append(f":heavy_minus_sign: {label}{escape(line.text)}")
        if line.appeal is not None:
            # A missed point that may be appealed gets its own section, with the button beside it.
            if lines[:-1]:
                blocks.append(section("\n".join(lines[:-1])))
            appeal = button("I covered this", f"{APPEAL_POINT_ACTION}_{index}", line.appeal)
            blocks.append({**section(lines[-1]), "accessory": appeal})
            lines = []
    if lines:
        blocks.append(section("\n".join(lines)))
    blocks.append(context(_points_note(fb)))
    if fb.truncated:
        blocks.append(context("Only the first 40,000 characters of your answer were graded."))
    text = f"{fb.covered}/{fb.total} key points, score {fb.score}/100"
    return Message(text, blocks[:MAX_BLOCKS])


def _points_note(fb: Feedback) -> str:
    if fb.copied:
        return (
            ":warning: This answer is nearly the same as an earlier answer in this thread, so it "
            "earns no points. Write it in your own words to count."
        )
    if fb.late:
        return ":hourglass: The question has closed, so this was graded as practice: no points."
    plural = "s" if fb.points != 1 else ""
    return f"*{fb.points} point{plural}* so far for this question (1 for taking part + score/10)."


def reveal(question: Question, top: Sequence[Entry], answer_count: int) -> Message:
    """The thread reply at the close: model answer, key points, top three."""
    points = "\n".join(
        f"{n}. {escape(kp.point)}" for n, kp in enumerate(question.key_points, start=1)
    )
    if top:
        podium = "\n".join(
            f"{MEDALS[i]} <@{e.user_id}> — {e.score}/100" for i, e in enumerate(top[:3])
        )
    else:
        podium = "Nobody answered this one. Tomorrow is another chance!"
    blocks = [
        header(":bulb: The answer"),
        section(f"*Model answer*\n{escape(question.model_answer)}"),
        section(f"*Key points*\n{points}"),
        section(f"*Top answers*\n{podium}"),
        context(
            f"{answer_count} answer{'s' if answer_count != 1 else ''}. Answers from now on are "
            "graded as practice, without points."
        ),
    ]
    return Message(clip(f"The answer: {question.model_answer}", FALLBACK_TEXT_LIMIT), blocks)


def answer_modal(question: Question, post_id: int) -> Block:
    """The "Answer privately" modal."""
    return {
        "type": "modal",
        "callback_id": ANSWER_MODAL_CALLBACK,
        "private_metadata": str(post_id),
        "title": {"type": "plain_text", "text": "Answer privately"},
        "submit": {"type": "plain_text", "text": "Submit answer"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(f"*{escape(question.question)}*"),
            {
                "type": "input",
                "block_id": ANSWER_INPUT_BLOCK,
                "label": {"type": "plain_text", "text": "Your answer"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": ANSWER_INPUT_ACTION,
                    "multiline": True,
                    "max_length": ANSWER_INPUT_LIMIT,
                    "placeholder": {
                        "type": "plain_text",
                        "text": "Answer as you would in an interview.",
                    },
                },
            },
            context("Only you see your answer; the feedback comes to you privately."),
        ],
    }


HELP_LINES = (
    ("`/qotd now [topic]`", "post a question now"),
    ("`/qotd reveal`", "close the open question and reveal the answer (admins)"),
    ("`/qotd close HH:MM` or `+Nh`", "when questions close (admins; default 8 hours)"),
    ("`/qotd topics [t1,t2|all]`", "show or choose the channel's topics (admins choose)"),
    ("`/qotd level [junior|mid|senior|any]`", "show or choose the level (admins choose)"),
    ("`/qotd schedule weekdays 09:30 Europe/Paris`", "daily questions (admins); `schedule off`"),
    ("`/qotd pause` · `resume` · `skip [YYYY-MM-DD]`", "control the schedule (admins)"),
    ("`/qotd leaderboard [week|month|all]`", "the channel's leaderboard"),
    ("`/qotd teams`", "channels ranked this month"),
    ("`/qotd stats [@someone]`", "points, streaks, strongest and weakest topics"),
    ("`/qotd practice [topic]`", "practise one-on-one in a direct message"),
    ("`/qotd forget-me`", "delete your answers, scores and practice history here"),
)


def help_message(problem: str | None = None) -> Message:
    """The help text (with what was wrong with the input, if anything)."""
    commands = "\n".join(f"• {usage} — {what}" for usage, what in HELP_LINES)
    rules = (
        "*How points work*\n"
        "• An answer before the close earns 1 point for taking part plus its score / 10, "
        "rounded (1 to 11 points).\n"
        "• Copying an earlier answer in the thread earns nothing.\n"
        "• Answers after the close are graded as practice and earn nothing.\n"
        "• The grader missed a point you made? Press *I covered this* beside it in your "
        "feedback: the channel's QOTD admins decide, and an approved wording counts from then on.\n"
        "• Reactions on your reply: :white_check_mark: 70 or more, :large_yellow_circle: 40 or "
        "more, :writing_hand: below."
    )
    blocks = []
    if problem:
        blocks.append(section(f":thinking_face: {escape(problem)}"))
    blocks += [
        section(
            "*Interview question of the day*: answer in the thread, get private feedback "
            "on the key points you covered."
        ),
        section(f"*Commands*\n{commands}"),
        section(rules),
    ]
    text = (problem + " " if problem else "") + "Commands: /qotd help, now, reveal, topics…"
    return Message(clip(text, FALLBACK_TEXT_LIMIT), blocks)


def notice(text: str, *, trusted: bool = False) -> Message:
    """A one-paragraph reply; `trusted` text keeps its mrkdwn (mentions, links)."""
    return Message(clip(text, FALLBACK_TEXT_LIMIT), [section(text if trusted else escape(text))])
