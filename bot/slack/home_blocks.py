"""The App Home tab (SPEC §4.4): points, streak, topic mastery and practice, as a home view."""

from __future__ import annotations

from typing import Any

from bot.domain.boards import PersonStats, TopicMastery, bar
from bot.domain.boards import strongest_and_weakest as split_topics
from bot.slack.blocks import Block, button, context, escape, header, section
from bot.slack.board_blocks import POINTS_RULE, pts

PRACTICE_NOW_ACTION = "practice_now"
MAX_HOME_BLOCKS = 100
# One mastery line is < 100 characters, so a section of 25 stays far under 3,000.
TOPICS_PER_SECTION = 25
BAR_WIDTH = 10


def mastery_line(topic: TopicMastery) -> str:
    """'`▰▰▰▰▰▰▱▱▱▱`  62%  *Deep learning*  ·  4 answers, 2 practised'."""
    if topic.percent is None:
        return f"`{bar(0, BAR_WIDTH)}`   —    {escape(topic.title)}  ·  not tried yet"
    done = []
    if topic.answers:
        done.append(f"{topic.answers} in channels")
    if topic.practised:
        done.append(f"{topic.practised} practised")
    return (
        f"`{bar(topic.percent, BAR_WIDTH)}`  {topic.percent:>3}%  *{escape(topic.title)}*  ·  "
        + ", ".join(done)
    )


def _practice_actions(found: PersonStats) -> list[Block]:
    """'Practice now' (due cards first, any topic), and one for the weakest topic tried.

    Both carry action_id `practice_now` (the practice feature's handler), so each sits in its own
    actions block: Slack wants action ids unique within a block.
    """
    label = f"Practice now ({found.due_cards} due)" if found.due_cards else "Practice now"
    found_blocks: list[Block] = [
        {
            "type": "actions",
            "block_id": "home_practice",
            "elements": [button(label, PRACTICE_NOW_ACTION, "", style="primary")],
        }
    ]
    _strong, weak = split_topics(found.topics, n=1)
    if weak:
        topic = weak[0]
        found_blocks.append(
            {
                "type": "actions",
                "block_id": "home_practice_weakest",
                "elements": [
                    button(
                        f"Practise {topic.title} ({topic.percent}%)",
                        PRACTICE_NOW_ACTION,
                        topic.slug,
                    )
                ],
            }
        )
    return found_blocks


def home_view(found: PersonStats) -> dict[str, Any]:
    """The person's App Home: a `views.publish` home view within Slack's 100-block limit."""
    due = (
        f":card_index_dividers: *{found.due_cards}* practice question"
        f"{'' if found.due_cards == 1 else 's'} due"
        if found.due_cards
        else ":card_index_dividers: Nothing due for practice: start a new topic any time"
    )
    summary = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": f"Hi <@{found.user_id}>, here is your interview prep."},
        "fields": [
            {"type": "mrkdwn", "text": f"*{found.month_label}*\n{pts(found.month_points)}"},
            {"type": "mrkdwn", "text": f"*All time*\n{pts(found.points)}"},
            {
                "type": "mrkdwn",
                "text": f"*Streak*\n:fire: {found.streak.current}  ·  best {found.streak.longest}",
            },
            {
                "type": "mrkdwn",
                "text": "*Average score*\n"
                + (f"{found.average}/100" if found.average is not None else "—"),
            },
        ],
    }
    blocks: list[Block] = [
        header(":brain: Interview question of the day"),
        summary,
        context(due),
        *_practice_actions(found),
        {"type": "divider"},
        header(":dart: Topic mastery"),
    ]
    lines = [mastery_line(t) for t in found.topics]
    room = MAX_HOME_BLOCKS - len(blocks) - 1
    chunks = [lines[i : i + TOPICS_PER_SECTION] for i in range(0, len(lines), TOPICS_PER_SECTION)]
    blocks += [section("\n".join(chunk)) for chunk in chunks[:room]]
    blocks.append(
        context(
            f"Points: {POINTS_RULE}.  Streak: questions answered in a row in your best "
            "channel.  Mastery: mean score of your channel answers and latest practice "
            "answers per topic.  `/qotd stats` · `/qotd leaderboard`"
        )
    )
    return {"type": "home", "blocks": blocks}
