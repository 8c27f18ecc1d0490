"""The weekly recap message, tested as data: what a team reads, within Slack's limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from bot.slack import recap_blocks
from tests.slack.test_blocks import texts
from tests.slack_fake import check_blocks


@dataclass(frozen=True)
class Row:
    rank: int
    user_id: str
    points: int
    answers: int


BOARD = [
    Row(1, "UALICE", 23, 3),
    Row(1, "UBOB", 23, 2),
    Row(3, "UCAROL", 9, 1),
    Row(4, "UDAN", 2, 1),
]
LESSON = recap_blocks.MissedLesson(
    question="What is <bias> & variance?", key_point="Bias & variance <trade off>", missed=4,
    answers=6,
)  # fmt: skip


def recap(**changes: object) -> recap_blocks.Recap:
    fields: dict[str, object] = {
        "channel_id": "C0STUDY01",
        "period": date(2026, 3, 2),
        "questions": 5,
        "answers": 7,
        "people": 4,
        "points": 57,
        "board": BOARD,
        "lesson": LESSON,
    }
    fields.update(changes)
    return recap_blocks.Recap(**fields)  # type: ignore[arg-type]


def test_the_recap_shows_the_week_totals_the_board_and_the_lesson() -> None:
    message = recap_blocks.recap_message(recap())
    check_blocks(message.blocks)
    assert message.blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Weekly recap: 2–8 March 2026"},
    }
    shown = texts(message)
    assert "<#C0STUDY01> did last week: *5 questions*, *7 answers* from *4 people*" in shown
    assert "*57 points* in all" in shown
    lines = shown.split("*Top of the week*\n")[1].split("\n")[:4]
    assert lines == [
        "1. <@UALICE> — 23 pts (3 answers) :first_place_medal:",
        "1. <@UBOB> — 23 pts (2 answers) :first_place_medal:",
        "3. <@UCAROL> — 9 pts (1 answer) :third_place_medal:",
        "4. <@UDAN> — 2 pts (1 answer)",
    ]
    assert "> Bias &amp; variance &lt;trade off&gt;" in shown
    assert "Missed by *4 of 6 answers* to _What is &lt;bias&gt; &amp; variance?_" in shown
    assert (
        message.text
        == "Weekly recap for 2–8 March 2026: 7 answers from 4 people; top: <@UALICE> with 23 pts."
    )


def test_singulars_and_a_week_without_a_lesson() -> None:
    message = recap_blocks.recap_message(
        recap(questions=1, answers=1, people=1, points=6, board=[Row(1, "UA", 6, 1)], lesson=None)
    )
    check_blocks(message.blocks)
    shown = texts(message)
    assert "*1 question*, *1 answer* from *1 person*, *6 points*" in shown
    assert "most missed" not in shown


def test_a_huge_key_point_stays_within_slacks_section_limit() -> None:
    long = recap_blocks.MissedLesson("Q" * 5000, "K" * 5000, 1, 1)
    message = recap_blocks.recap_message(recap(lesson=long))
    check_blocks(message.blocks)  # raises on a section over 3,000 characters


@pytest.mark.parametrize(
    ("monday", "label"),
    [
        (date(2026, 3, 2), "2–8 March 2026"),
        (date(2026, 3, 30), "30 March – 5 April 2026"),
        (date(2025, 12, 29), "29 December 2025 – 4 January 2026"),
    ],
)
def test_week_labels(monday: date, label: str) -> None:
    assert recap_blocks.week_label(monday) == label


def test_the_chart_has_a_title_and_alt_text() -> None:
    assert recap_blocks.chart_title(date(2026, 3, 2)) == "Points per day, 2–8 March 2026"
    alt = recap_blocks.chart_alt_text([3, 0, 0, 0, 0, 0, 11], [1, 0, 0, 0, 0, 0, 2])
    assert alt.endswith("Mon 3 pts (1), Tue 0 pts (0), Wed 0 pts (0), Thu 0 pts (0), "
                        "Fri 0 pts (0), Sat 0 pts (0), Sun 11 pts (2)")  # fmt: skip
