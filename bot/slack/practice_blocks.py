"""Block Kit for DM practice: pure builders over the use case's plain data (tested as data)."""

from __future__ import annotations

from bot.domain.practice_views import (
    Asked,
    Graded,
    HelpView,
    Info,
    Part,
    StatsView,
    TopicRow,
    TopicsView,
)
from bot.domain.scoring import reaction_for
from bot.slack.blocks import (
    EVIDENCE_LIMIT,
    FALLBACK_TEXT_LIMIT,
    MAX_BLOCKS,
    Block,
    Message,
    button,
    clip,
    context,
    escape,
    section,
)

# The "Practice now" button (App Home, nudges): value "" for every topic, or a topic slug.
PRACTICE_NOW_ACTION = "practice_now"

HELP_LINES = (
    ("`practice`", "the next question: due ones first, then new ones"),
    ("`practice &lt;topic&gt;`", "practise one topic (`topics` lists them)"),  # escaped mrkdwn
    ("_anything else_", "your answer to the question waiting"),
    ("`skip`", "leave this question for later and get another"),
    ("`stop`", "end the session (your progress is kept)"),
    ("`stats`", "cards seen, due, average score, mastery per topic"),
    ("`topics`", "the topics, their sizes and your mastery"),
    ("`level junior|mid|senior|any`", "the level of new questions"),
    ("`remind on|off`", "a nudge at 09:00 your time on days questions are due"),
)


def render(part: Part) -> Message:
    """The DM message for one part of a practice turn."""
    match part:
        case Asked():
            return asked(part)
        case Graded():
            return graded(part)
        case Info():
            return info(part)
        case HelpView():
            return help_message(part)
        case TopicsView():
            return topics(part)
        case StatsView():
            return stats(part)
    raise AssertionError(f"unknown part {part!r}")  # pragma: no cover


def asked(a: Asked) -> Message:
    """A practice question."""
    q = a.question
    meta = f"*Topic:* {escape(a.topic_title)}  ·  *Level:* {q.level.value}"
    if a.returning:
        meta = ":repeat: *Back for review*  ·  " + meta
    if a.due_after:
        meta += f"  ·  {a.due_after} more due after this one"
    blocks = [
        section(f":brain: *{escape(q.question)}*"),
        context(meta),
        context(
            "Reply here with your answer (one message). `skip` for another question, `stop` to end."
        ),
    ]
    return Message(clip(f"Practice: {q.question}", FALLBACK_TEXT_LIMIT), blocks)


def graded(g: Graded) -> Message:
    """Complete feedback: every key point covered (with evidence) or missed (in full)."""
    title = (
        f":{reaction_for(g.score)}: *{g.covered}/{g.total} key points*  ·  score *{g.score}*/100"
    )
    blocks: list[Block] = [section(title)]
    for point in g.points:
        if point.covered:
            quote = (
                f"\n      _“{escape(clip(point.evidence, EVIDENCE_LIMIT))}”_"
                if point.evidence
                else ""
            )
            blocks.append(section(f":white_check_mark: {escape(point.point)}{quote}"))
        else:
            blocks.append(section(f":x: *Missed:* {escape(point.point)}"))
    blocks.append(section(f"*Model answer*\n{escape(g.question.model_answer)}"))
    blocks.append(
        context(f":calendar: Rated *{g.rating}*: this question comes back {escape(g.comes_back)}.")
    )
    if g.truncated:
        blocks.append(context("Only the first 40,000 characters of your answer were graded."))
    text = f"{g.covered}/{g.total} key points, score {g.score}/100"
    return Message(text, blocks[:MAX_BLOCKS])


def info(i: Info) -> Message:
    """A short message."""
    return Message(i.text, [section(escape(i.text))])


def help_message(h: HelpView) -> Message:
    """What can be typed in the DM."""
    lines = "\n".join(f"• {usage} — {what}" for usage, what in HELP_LINES)
    blocks = []
    if h.intro:
        blocks.append(section(f":wave: {escape(h.intro)}"))
    blocks += [
        section(
            "*Practice one-on-one.* I ask an interview question, you answer in a message, and I "
            "grade it against its key points. Questions you find hard come back sooner."
        ),
        section(f"*What you can type*\n{lines}"),
    ]
    text = (h.intro + " " if h.intro else "") + "Type practice to get a question."
    return Message(text, blocks)


def _topic_line(row: TopicRow, current: str | None = None) -> str:
    mastery = f"mastery *{row.mastery}*/100" if row.mastery is not None else "not practised yet"
    mark = " ← practising" if row.slug == current else ""
    return (
        f"• *{escape(row.title)}* (`{row.slug}`) — {row.questions} questions, "
        f"{row.seen} seen, {mastery}{mark}"
    )


def topics(t: TopicsView) -> Message:
    """The bank's topics with the person's progress."""
    lines = [_topic_line(r, t.current) for r in t.rows]
    blocks = [section("*Topics*  ·  `practice &lt;topic&gt;` to focus on one")]
    blocks += _chunked(lines)
    return Message("Topics: " + ", ".join(r.slug for r in t.rows), blocks[:MAX_BLOCKS])


def stats(st: StatsView) -> Message:
    """A person's practice statistics."""
    average = f"*{st.average}*/100" if st.average is not None else "—"
    seen = f"{st.seen} question{'' if st.seen == 1 else 's'} seen"
    summary = (
        f"*Your practice*\n{seen}  ·  *{st.due}* due now  ·  "
        f"{st.reviews} answer{'' if st.reviews == 1 else 's'}  ·  average score {average}"
    )
    blocks = [section(summary)]
    if st.topics:
        blocks += _chunked([_topic_line(r) for r in st.topics])
    notes = []
    if st.next_due:
        notes.append(f"Next review {escape(st.next_due)}.")
    notes.append("Daily reminder on." if st.remind else "Daily reminder off (`remind on`).")
    blocks.append(context(" ".join(notes)))
    text = f"{st.seen} seen, {st.due} due, {st.reviews} answers"
    return Message(text, blocks[:MAX_BLOCKS])


def nudge(due: int) -> Message:
    """The daily reminder: questions are due, with a button to start."""
    what = "1 practice question is" if due == 1 else f"{due} practice questions are"
    text = f":alarm_clock: Good morning! {what} due for review today."
    blocks = [
        section(text),
        {
            "type": "actions",
            "block_id": "practice_nudge",
            "elements": [practice_button()],
        },
        context("Or type `practice`. `remind off` stops these messages."),
    ]
    return Message(f"{what.capitalize()} due for review today.", blocks)


def practice_button(topic: str | None = None) -> Block:
    """The "Practice now" button; without a topic it has no value (Slack refuses empty ones)."""
    element = button("Practice now", PRACTICE_NOW_ACTION, topic or "", style="primary")
    if not topic:
        del element["value"]
    return element


def _chunked(lines: list[str]) -> list[Block]:
    """Sections of whole lines, each within Slack's section limit."""
    out: list[Block] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > 2900:
            out.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        out.append(section(current))
    return out
