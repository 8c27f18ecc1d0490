"""Block Kit builders, tested as data: content a person reads, and Slack's limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.bank import KeyPoint, Kind, Level, Question
from bot.domain.scoring import Entry
from bot.slack import blocks
from tests.slack_fake import check_blocks, check_view

KP = tuple(
    KeyPoint(f"Key point number {n} & <details>", (f"cue{n}",), (), f"Think about {n}.")
    for n in range(1, 5)
)
QUESTION = Question(
    "ml-test", "classical-ml", Level.MID, Kind.CONCEPT, "What is <bias> & variance?", KP,
    "A model answer " * 20,
)  # fmt: skip


def texts(message: blocks.Message) -> str:
    out = []
    for block in message.blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [
            e.get("text", "") for e in block.get("elements", []) if isinstance(e.get("text"), str)
        ]
    return "\n".join(out)


def test_question_post_has_question_meta_and_button() -> None:
    message = blocks.question_post(QUESTION, "Classical ML", "today 17:00 CET", post_id=42)
    check_blocks(message.blocks)
    shown = texts(message)
    assert "What is &lt;bias&gt; &amp; variance?" in shown
    assert "*Topic:* Classical ML" in shown
    assert "*Level:* mid" in shown
    assert "*Closes:* today 17:00 CET" in shown
    assert "Reply in this thread to answer" in shown
    actions = [b for b in message.blocks if b["type"] == "actions"]
    button = actions[0]["elements"][0]
    assert button["action_id"] == blocks.ANSWER_PRIVATELY_ACTION
    assert button["value"] == "42"
    assert message.text.startswith("Question of the day: ")


def test_closed_post_has_no_button() -> None:
    message = blocks.closed_post(QUESTION, "Classical ML", answer_count=3)
    check_blocks(message.blocks)
    assert not [b for b in message.blocks if b["type"] == "actions"]
    assert "3 people answered" in texts(message)
    assert "1 person answered" in texts(blocks.closed_post(QUESTION, "X", 1))


def feedback(**kw: object) -> blocks.Message:
    lines = (
        blocks.PointLine(True, "Key point one", "the model memorises noise"),
        blocks.PointLine(False, "Think about two."),
    )
    args: dict[str, object] = {"score": 55, "covered": 1, "total": 2, "points": 7, "lines": lines}
    args.update(kw)
    return blocks.feedback(blocks.Feedback(**args))  # type: ignore[arg-type]


def test_feedback_shows_score_points_covered_and_hints() -> None:
    message = feedback()
    check_blocks(message.blocks)
    shown = texts(message)
    assert "*1/2 key points*" in shown
    assert "score *55*/100" in shown
    assert ":large_yellow_circle:" in shown
    assert ":white_check_mark: Key point one" in shown
    assert "“the model memorises noise”" in shown
    assert "*Hint:* Think about two." in shown
    assert "*7 points* so far" in shown
    assert message.text == "1/2 key points, score 55/100"


def test_feedback_after_reveal_shows_full_point_not_hint_label() -> None:
    shown = texts(feedback(revealed=True, late=True, points=0))
    assert "*Hint:*" not in shown
    assert "graded as practice: no points" in shown


def test_feedback_for_copies_says_why() -> None:
    assert "nearly the same as an earlier answer" in texts(feedback(copied=True, points=0))


def test_feedback_clips_long_evidence_and_escapes_markup() -> None:
    lines = (blocks.PointLine(True, "Point", "<@U123> " + "word " * 200),)
    message = blocks.feedback(blocks.Feedback(80, 1, 1, 9, lines))
    check_blocks(message.blocks)
    shown = texts(message)
    assert "&lt;@U123&gt;" in shown
    assert "<@U123>" not in shown
    assert "…" in shown


def test_reveal_lists_model_answer_points_and_podium() -> None:
    t0 = datetime(2026, 3, 2, tzinfo=UTC)
    top = [Entry("U1", 95, t0), Entry("U2", 80, t0 + timedelta(minutes=1))]
    message = blocks.reveal(QUESTION, top, answer_count=5)
    check_blocks(message.blocks)
    shown = texts(message)
    assert "*Model answer*" in shown
    assert "1. Key point number 1 &amp; &lt;details&gt;" in shown
    assert ":first_place_medal: <@U1> — 95/100" in shown
    assert ":second_place_medal: <@U2> — 80/100" in shown
    assert "5 answers" in shown
    assert "Nobody answered" in texts(blocks.reveal(QUESTION, [], 0))


def test_answer_modal_is_a_valid_view_carrying_the_post() -> None:
    view = blocks.answer_modal(QUESTION, 42)
    check_view(view)
    assert view["private_metadata"] == "42"
    assert view["callback_id"] == blocks.ANSWER_MODAL_CALLBACK
    field = view["blocks"][1]
    assert field["block_id"] == blocks.ANSWER_INPUT_BLOCK
    assert field["element"]["action_id"] == blocks.ANSWER_INPUT_ACTION


def test_help_lists_commands_and_points_rules() -> None:
    message = blocks.help_message("I don't know `dance`.")
    check_blocks(message.blocks)
    shown = texts(message)
    for sub in (
        "now",
        "reveal",
        "close",
        "topics",
        "level",
        "leaderboard",
        "practice",
        "forget-me",
    ):
        assert f"/qotd {sub}" in shown
    assert "1 point for taking part plus its score / 10" in shown
    assert "Copying an earlier answer" in shown
    assert "after the close are graded as practice" in shown
    assert shown.startswith(":thinking_face: I don't know `dance`.")


def test_long_texts_stay_within_section_limits() -> None:
    huge = (
        QUESTION.__class__(**{**QUESTION.__dict__, "model_answer": "x " * 5000}) if False else None
    )
    assert huge is None
    long_question = Question("id", "t", Level.MID, Kind.CONCEPT, "q" * 5000, KP, "m " * 4000)
    check_blocks(blocks.question_post(long_question, "T", None, 1).blocks)
    check_blocks(blocks.reveal(long_question, [], 0).blocks)
    check_view(blocks.answer_modal(long_question, 1))
