"""Appeal Block Kit as data: the feedback buttons, the admins' DM, and Slack's limits."""

from __future__ import annotations

import pytest

from bot.slack import appeal_blocks as ab
from bot.slack import blocks
from tests.slack_fake import check_blocks


def case(
    answer: str = "Some <b>answer</b> & more.", wording: str | None = "Some answer"
) -> ab.AppealCase:
    return ab.AppealCase(
        appeal_id=7,
        user_id="UALICE001",
        channel_id="C0STUDY01",
        question="Why <bias> & variance?",
        point_number=3,
        key_point="Total error is bias squared plus variance plus noise.",
        answer=answer,
        covered=2,
        total=6,
        score=41,
        wording=wording,
    )


def test_feedback_puts_a_button_beside_each_appealable_missed_point_in_order() -> None:
    lines = (
        blocks.PointLine(True, "Covered one", "evidence"),
        blocks.PointLine(False, "Hint two", appeal="5:1:2"),
        blocks.PointLine(True, "Covered three"),
        blocks.PointLine(False, "Hint four"),  # missed, but not appealable
        blocks.PointLine(False, "Hint five", appeal="5:4:2"),
    )
    message = blocks.feedback(blocks.Feedback(41, 2, 5, 5, lines))
    check_blocks(message.blocks)
    sections = [b for b in message.blocks if b["type"] == "section"][1:]
    # covered one (with its evidence) | hint two + button | covered three, hint four | five + button
    assert [b["text"]["text"].count("\n") + 1 for b in sections] == [2, 1, 2, 1]
    assert "Covered one" in sections[0]["text"]["text"]
    assert "Hint two" in sections[1]["text"]["text"]
    assert "Hint four" in sections[2]["text"]["text"]
    buttons = [b["accessory"] for b in message.blocks if "accessory" in b]
    assert [(x["action_id"], x["value"]) for x in buttons] == [
        ("appeal_point_1", "5:1:2"),
        ("appeal_point_4", "5:4:2"),
    ]
    assert all(x["text"]["text"] == "I covered this" for x in buttons)


def test_feedback_without_appeals_keeps_one_section_of_lines() -> None:
    lines = (blocks.PointLine(True, "One"), blocks.PointLine(False, "Two"))
    message = blocks.feedback(blocks.Feedback(50, 1, 2, 6, lines))
    assert not any("accessory" in b for b in message.blocks)
    assert sum(1 for b in message.blocks if b["type"] == "section") == 2


@pytest.mark.parametrize(
    ("value", "ref"),
    [
        ("12:3:4", ab.AppealRef(12, 3, 4)),
        ("", None),
        ("12:3", None),
        ("12:x:4", None),
        ("-1:0:1", None),
        ("1:2:3:4", None),
        ("9" * 30 + ":1:1", None),
    ],
)
def test_appeal_ref_round_trips_and_refuses_anything_else(
    value: str, ref: ab.AppealRef | None
) -> None:
    assert ab.AppealRef.parse(value) == ref
    if ref is not None:
        assert ab.AppealRef.parse(ref.value) == ref


def test_admin_request_shows_everything_escaped_with_two_buttons() -> None:
    message = ab.admin_request(case())
    check_blocks(message.blocks)
    shown = "\n".join(b["text"]["text"] for b in message.blocks if "text" in b)
    assert "<@UALICE001> appeals a missed key point in <#C0STUDY01>" in shown
    assert "Why &lt;bias&gt; &amp; variance?" in shown
    assert "*Key point 3*\nTotal error is bias squared" in shown
    assert ">Some &lt;b&gt;answer&lt;/b&gt; &amp; more." in shown
    (actions,) = [b for b in message.blocks if b["type"] == "actions"]
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        ("appeal_approve", "7"),
        ("appeal_reject", "7"),
    ]


def test_a_huge_answer_full_of_markup_stays_within_slack_limits() -> None:
    huge = ("<&>" * 20_000) + "\n" + ("word " * 10_000)
    for message in (ab.admin_request(case(huge)), ab.admin_decided(case(huge), True, "UADMIN001")):
        check_blocks(message.blocks)
        quoted = next(
            b["text"]["text"]
            for b in message.blocks
            if "*Their answer*" in b.get("text", {}).get("text", "")
        )
        assert len(quoted) <= blocks.SECTION_TEXT_LIMIT
        assert quoted.rstrip("…").endswith(("&lt;", "&amp;", "&gt;"))  # never half an entity


def test_escaped_within_never_cuts_an_entity() -> None:
    for limit in (10, 11, 12, 13, 50):
        shown = ab.escaped_within("&" * 100, limit)
        assert len(shown) <= limit
        assert shown.rstrip("…").replace("&amp;", "") == ""


def test_decided_dm_has_no_buttons_and_says_who_decided() -> None:
    approved = ab.admin_decided(case(), True, "UADMIN001", "The answer now: 3/6 key points.")
    assert not any(b["type"] == "actions" for b in approved.blocks)
    assert (
        "*Approved* by <@UADMIN001>. The answer now: 3/6 key points."
        in approved.blocks[-1]["text"]["text"]
    )
    rejected = ab.admin_decided(case(), False, "UADMIN002")
    assert "*Rejected* by <@UADMIN002>; the grade stands." in rejected.blocks[-1]["text"]["text"]


def test_answerer_notes() -> None:
    grade = ab.NewGrade(covered=3, total=6, score=58, points=7, counts=True)
    approved = ab.approved_note(case(), "UADMIN001", grade, learned=True)
    check_blocks(approved.blocks)
    text = approved.blocks[0]["text"]["text"]
    assert "<@UADMIN001> approved your appeal in <#C0STUDY01>" in text
    assert "*3/6 key points · score 58/100 · 7 points*" in text
    assert "learned your wording" in text
    rejected = ab.rejected_note(case(), "UADMIN001", revealed=False, hint="Sum it up.")
    text = rejected.blocks[0]["text"]["text"]
    assert "Its hint: _Sum it up._" in text
    assert "Total error" not in text
    revealed = ab.rejected_note(case(), "UADMIN001", revealed=True, hint="Sum it up.")
    assert "The key point in full: “Total error" in revealed.blocks[0]["text"]["text"]
