"""Leaderboard and App Home over real HTTP: signed Slack requests in, fake Web API calls out."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.db.models import Answer, QuestionPost
from tests.e2e.conftest import ADMIN, ALICE, BOB, Harness
from tests.slack_fake import check_view

PAYLOADS = Path(__file__).resolve().parent.parent / "data" / "slack-payloads" / "events_api"


def home_opened(user: str, tab: str = "home") -> dict[str, Any]:
    """Slack's own app_home_opened event, for `user`."""
    body = json.loads((PAYLOADS / "app_home_opened_home_tab.json").read_text())
    event: dict[str, Any] = body["event"]
    return {**event, "user": user, "tab": tab}


def alice_answers_well(h: Harness) -> int:
    """Alice answers a fresh question with its model answer; return her points."""
    ts = h.post_question()
    with h.deps.session_factory() as s:
        post = s.scalars(select(QuestionPost).where(QuestionPost.slack_ts == ts)).one()
        question = h.deps.bank.get(post.question_id)
    assert question is not None
    h.reply(question.model_answer, ts, user=ALICE)
    h.fake.wait_for("reactions.add")

    def graded() -> bool:
        with h.deps.session_factory() as s:
            return bool(s.scalar(select(Answer.points).where(Answer.user_id == ALICE)))

    h.wait_until(graded)
    with h.deps.session_factory() as s:
        return int(s.scalars(select(Answer.points).where(Answer.user_id == ALICE)).one())


def texts(blocks: list[dict[str, Any]]) -> str:
    out = []
    for b in blocks:
        out.append(str(b.get("text", {}).get("text", "")))
        out += [str(f["text"]) for f in b.get("fields", [])]
        out += [str(e.get("text", "")) for e in b.get("elements", []) if e.get("type") == "mrkdwn"]
    return "\n".join(out)


def test_leaderboard_over_slack(harness: Harness) -> None:
    h = harness
    assert h.command("leaderboard", user=BOB).status == 200
    (empty,) = h.fake.wait_for_response(1)
    assert empty["response_type"] == "ephemeral"
    assert "No points in <#C0STUDY01> this week yet" in empty["text"]

    points = alice_answers_well(h)
    assert h.command("leaderboard week", user=BOB).status == 200
    board = h.fake.wait_for_response(2)[1]
    assert board["response_type"] == "ephemeral"
    shown = texts(board["blocks"])
    assert f"1. <@{ALICE}> — {points} pts  ·  1 answer :first_place_medal:" in shown
    assert "You're not on this board yet" in shown

    assert h.command("stats <@UALICE001|alice>", user=BOB).status == 200
    stats = texts(h.fake.wait_for_response(3)[2]["blocks"])
    assert f"Stats for <@{ALICE}>" in stats
    assert f"{points} pts in all" in stats


def test_app_home_opened_publishes_the_home_tab(harness: Harness) -> None:
    h = harness
    points = alice_answers_well(h)

    assert h.event(home_opened(ALICE)).status == 200
    (call,) = h.fake.wait_for("views.publish")
    assert call.response["ok"], call.response
    assert call.args["user_id"] == ALICE
    view = call.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    check_view(view)
    shown = texts(view["blocks"])
    assert f"*All time*\n{points} pts" in shown
    assert "*Streak*\n:fire: 1  ·  best 1" in shown
    assert '"action_id": "practice_now"' in json.dumps(view)

    # The Messages tab is not the Home tab: nothing to publish for the admin who opened it.
    assert h.event(home_opened(ADMIN, tab="messages")).status == 200
    assert h.event(home_opened(BOB)).status == 200
    h.fake.wait_for("views.publish", 2)
    time.sleep(0.3)  # let a wrongly handled Messages-tab event reach the fake, if it would
    assert [c.args["user_id"] for c in h.fake.calls_to("views.publish")] == [ALICE, BOB]
