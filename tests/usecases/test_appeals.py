"""Appeals with a real database and a recording gateway: filing, deciding, learning, isolation."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.db import queries
from bot.db.models import AcceptedWording, Answer, Appeal, QuestionPost, Workspace
from bot.deps import Deps
from bot.domain.scoring import points_for, reaction_for
from bot.slack import appeal_blocks
from bot.usecases import answer, appeals
from tests.fakes import FixedClock, RecordingGateway
from tests.usecases.conftest import ADMIN, CHANNEL, TEAM

OTHER_TEAM = "T222"
QUESTION = "ml-bias-variance"
POST_TS = "1772441000.000100"
ALICE = "UALICE001"
BOB = "UBOB00001"
ADMIN2 = "UADMIN002"
# Covers key points 1 and 2 of ml-bias-variance in plain words...
COVERS_TWO = (
    "Bias is the error you get when the model is too simple, so it underfits. "
    "Variance is error from being too sensitive to the training data, so it overfits. "
)
# ...and states key point 3 (total error incl. irreducible noise) in words the grader misses.
PARAPHRASE = (
    "What we really care about is how wrong we are on fresh examples, and some of that "
    "mistake can never be removed whatever we do."
)
TOTAL_ERROR = 2
APPEAL_TOTAL_ERROR = f"appeal_point_{TOTAL_ERROR}"


def open_post(
    deps: Deps, clock: FixedClock, team: str = TEAM, admins: tuple[str, ...] = (ADMIN,)
) -> None:
    """An open ml-bias-variance question in the study channel, with these QOTD admins."""
    now = clock.now()
    with deps.session_factory.begin() as s:
        ch = queries.channel(s, team, CHANNEL, now)
        for admin in admins:
            queries.add_channel_admin(s, ch.id, admin, now)
        s.add(
            QuestionPost(
                channel_pk=ch.id,
                question_id=QUESTION,
                local_date=now.date(),
                status="open",
                slack_ts=POST_TS,
                due_at=now,
                opened_at=now,
                closes_at=now + timedelta(hours=8),
                created_at=now,
            )
        )


def reply(
    deps: Deps, text: str, user: str = ALICE, ts: str = "1772441100.000100", team: str = TEAM
) -> answer.Outcome:
    outcome = answer.answer_in_thread(deps, answer.Reply(team, CHANNEL, user, ts, POST_TS, text))
    assert outcome is not None
    return outcome


def edit(deps: Deps, text: str, ts: str = "1772441100.000100") -> answer.Outcome:
    outcome = answer.edit_in_thread(deps, answer.Reply(TEAM, CHANNEL, ALICE, ts, POST_TS, text))
    assert outcome is not None
    return outcome


def buttons(outcome: answer.Outcome) -> dict[str, str]:
    """The appeal buttons of a feedback message: action_id -> value."""
    return {
        b["accessory"]["action_id"]: b["accessory"]["value"]
        for b in outcome.feedback.blocks
        if "accessory" in b
    }


def text_of(blocks: Any) -> str:
    out = []
    for b in blocks or ():
        if "text" in b:
            out.append(b["text"]["text"])
        out += [e["text"] for e in b.get("elements", ()) if isinstance(e.get("text"), str)]
    return "\n".join(out)


def action_ids(blocks: Any) -> list[str]:
    return [e["action_id"] for b in blocks or () for e in b.get("elements", ()) if "action_id" in e]


def stored_answer(deps: Deps, user: str = ALICE, team: str = TEAM) -> Answer:
    with deps.session_factory() as s:
        return s.scalars(
            select(Answer)
            .join(Workspace, Answer.workspace_id == Workspace.id)
            .where(Answer.user_id == user, Workspace.team_id == team)
        ).one()


def stored_appeals(deps: Deps) -> list[Appeal]:
    with deps.session_factory() as s:
        return list(s.scalars(select(Appeal).order_by(Appeal.id)))


def wordings(deps: Deps) -> list[tuple[int, int, str]]:
    with deps.session_factory() as s:
        rows = s.execute(
            select(
                AcceptedWording.workspace_id,
                AcceptedWording.key_point_index,
                AcceptedWording.wording,
            )
        ).all()
        return [(w, i, t) for w, i, t in rows]


def dm_channel(user: str) -> str:
    """The DM channel Slack (and the recording gateway) answers a post to `user` with."""
    return "D" + user[1:]


def dms_to(gateway: RecordingGateway, user: str) -> list[dict[str, Any]]:
    return [c for c in gateway.of("post_message") if c["channel"] == user]


def file_total_error(deps: Deps, clock: FixedClock) -> tuple[Appeal, str]:
    """Alice answers, appeals key point 3, and the appeal reaches the admins."""
    first = reply(deps, COVERS_TWO + PARAPHRASE)
    sent = appeals.file_appeal(deps, TEAM, ALICE, buttons(first)[APPEAL_TOTAL_ERROR])
    assert sent.text.startswith(":mailbox_with_mail: Appeal sent to"), sent.text
    (row,) = stored_appeals(deps)
    return row, sent.text


def clicked(row: Appeal, admin: str = ADMIN) -> appeals.Clicked:
    """The admin's DM as their click reports it: its D… conversation id and ts."""
    ts = next(ts for channel, ts in row.admin_messages or () if channel == dm_channel(admin))
    return appeals.Clicked(dm_channel(admin), ts)


# -- the buttons ----------------------------------------------------------------------------


def test_buttons_only_on_missed_points_of_answers_that_earn_points(
    deps: Deps, clock: FixedClock
) -> None:
    open_post(deps, clock)
    first = reply(deps, COVERS_TWO + PARAPHRASE)
    stored = stored_answer(deps)
    missed = [i for i in range(6) if i not in stored.covered]
    assert TOTAL_ERROR in missed
    assert set(buttons(first)) == {f"appeal_point_{i}" for i in missed}
    value = buttons(first)[APPEAL_TOTAL_ERROR]
    assert appeal_blocks.AppealRef.parse(value) == appeal_blocks.AppealRef(
        stored.id, TOTAL_ERROR, stored.revision
    )
    # A copy of Alice's answer earns nothing, so it offers nothing to appeal.
    copy = reply(deps, (COVERS_TWO + PARAPHRASE).replace(".", "!"), user=BOB, ts="1772441200.0001")
    assert stored_answer(deps, BOB).copied
    assert buttons(copy) == {}
    # Nor does an answer after the close (practice).
    clock.advance(hours=9)
    late = reply(deps, COVERS_TWO, user="ULATE0001", ts="1772441300.000100")
    assert buttons(late) == {}
    # Nor an empty one.
    assert buttons(reply(deps, "  :tada:  ", user="UEMPTY001", ts="1772441400.0001")) == {}


# -- approve --------------------------------------------------------------------------------


def test_approval_counts_the_point_learns_the_wording_and_tells_everyone(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock)
    question = deps.bank.get(QUESTION)
    assert question is not None
    point = question.key_points[TOTAL_ERROR]
    row, sent = file_total_error(deps, clock)
    before = stored_answer(deps)
    # The answerer sees the hint, not the point itself, while the question is open.
    assert f"Appeal sent to <@{ADMIN}>" in sent
    assert f"key point 3 (hint: {point.hint})" in sent
    assert point.point not in sent
    # The admin gets everything needed to judge, and the buttons to decide.
    (dm,) = dms_to(gateway, ADMIN)
    shown = text_of(dm["blocks"])
    assert f"<@{ALICE}> appeals a missed key point in <#{CHANNEL}>" in shown
    assert point.point in shown
    assert PARAPHRASE in shown
    assert (
        f"this wording counts for this point in this workspace from now on: _“{PARAPHRASE}”_"
        in shown
    )
    assert action_ids(dm["blocks"]) == ["appeal_approve", "appeal_reject"]
    assert (row.status, row.answer_text, row.key_point_index) == ("pending", before.text, 2)
    assert row.admin_messages is not None
    assert [c for c, _ in row.admin_messages] == [dm_channel(ADMIN)]  # chat.update needs the D…

    where = clicked(row)
    assert appeals.decide(deps, TEAM, ADMIN, str(row.id), True, where) is None

    after = stored_answer(deps)
    assert TOTAL_ERROR in after.covered
    assert after.score > before.score
    assert after.points == points_for(after.score, late=False, copied=False) > before.points
    assert after.revision == before.revision  # not an edit: the answerer's other buttons still work
    assert wordings(deps) == [(after.workspace_id, TOTAL_ERROR, PARAPHRASE)]
    # The reply's reaction follows the score across a band (34 -> 50 here).
    assert (reaction_for(before.score), reaction_for(after.score)) == (
        "writing_hand",
        "large_yellow_circle",
    )
    reply_at = {"channel": CHANNEL, "ts": "1772441100.000100"}
    assert gateway.of("remove_reaction")[-1] == {**reply_at, "name": "writing_hand"}
    assert gateway.of("add_reaction")[-1] == {**reply_at, "name": "large_yellow_circle"}
    (decided,) = stored_appeals(deps)
    assert (decided.status, decided.decided_by, decided.decided_at) == (
        "approved",
        ADMIN,
        clock.now(),
    )
    (update,) = gateway.of("update_message")
    assert (update["channel"], update["ts"]) == (where.channel_id, where.message_ts)
    decided_dm = text_of(update["blocks"])
    assert f"*Approved* by <@{ADMIN}>" in decided_dm
    assert f"{len(after.covered)}/6 key points · score {after.score}/100" in decided_dm
    assert f"The grader learned this wording for the point: _“{PARAPHRASE}”_" in decided_dm
    assert "If you approve" not in decided_dm
    assert action_ids(update["blocks"]) == []
    (note,) = dms_to(gateway, ALICE)
    told = text_of(note["blocks"])
    assert f"<@{ADMIN}> approved your appeal in <#{CHANNEL}>" in told
    assert f"Key point 3 now counts: “{point.point}”" in told
    assert (
        f"*{len(after.covered)}/6 key points · score {after.score}/100 · {after.points} points*"
        in told
    )
    assert "The grader has learned your wording" in told
    # Next time the same phrasing counts for anyone in this workspace, without an appeal.
    reply(deps, "Honestly: " + PARAPHRASE, user=BOB, ts="1772441500.000100")
    assert TOTAL_ERROR in stored_answer(deps, BOB).covered


def test_an_answer_too_terse_to_learn_from_gets_the_point_but_teaches_nothing(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock)
    first = reply(deps, "Too simple underfits. Too sensitive overfits. Noise stays forever.")
    before = stored_answer(deps)
    assert TOTAL_ERROR not in before.covered
    appeals.file_appeal(deps, TEAM, ALICE, buttons(first)[APPEAL_TOTAL_ERROR])
    (dm,) = dms_to(gateway, ADMIN)
    assert (
        "No sentence of it states this point alone clearly enough to teach the grader"
        in text_of(dm["blocks"])
    )
    (row,) = stored_appeals(deps)
    appeals.decide(deps, TEAM, ADMIN, str(row.id), True, clicked(row))
    after = stored_answer(deps)
    assert TOTAL_ERROR in after.covered  # the admin decided, though the grader still disagrees
    assert after.score > before.score
    assert after.points == points_for(after.score, late=False, copied=False)
    assert wordings(deps) == []
    assert "learned your wording" not in text_of(dms_to(gateway, ALICE)[0]["blocks"])


def test_an_approved_point_survives_a_later_reply_but_lapses_when_the_judged_words_change(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock)
    terse = "Too simple underfits. Too sensitive overfits. Noise stays forever."
    first = reply(deps, terse)
    appeals.file_appeal(deps, TEAM, ALICE, buttons(first)[APPEAL_TOTAL_ERROR])
    (row,) = stored_appeals(deps)
    appeals.decide(deps, TEAM, ADMIN, str(row.id), True, clicked(row))
    approved = stored_answer(deps)
    assert TOTAL_ERROR in approved.covered  # counted by the admin, not the grader

    # Another reply joins the answer: the judged words are still there, so the point stays.
    more = reply(deps, "Cross-validation shows which side you are on.", ts="1772441200.000100")
    kept = stored_answer(deps)
    assert TOTAL_ERROR in kept.covered
    assert kept.score >= approved.score
    assert kept.points == points_for(kept.score, late=False, copied=False)
    assert f"{len(kept.covered)}/" in text_of(more.feedback.blocks)
    assert APPEAL_TOTAL_ERROR not in buttons(more)

    # Rewriting the judged reply: the admin never saw these words, the approval lapses.
    edit(deps, "Too simple underfits. Too sensitive overfits.")
    lapsed = stored_answer(deps)
    assert TOTAL_ERROR not in lapsed.covered
    assert lapsed.score < kept.score


def test_approval_after_the_answer_was_deleted_keeps_the_wording_and_says_so(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock)
    row, _ = file_total_error(deps, clock)
    answer.delete_in_thread(deps, TEAM, CHANNEL, "1772441100.000100", POST_TS, None)
    appeals.decide(deps, TEAM, ADMIN, str(row.id), True, clicked(row))
    gone = stored_answer(deps)
    assert (gone.points, gone.covered) == (0, [])
    assert len(wordings(deps)) == 1
    assert "deleted since, so its points did not change" in text_of(
        dms_to(gateway, ALICE)[0]["blocks"]
    )


# -- reject ---------------------------------------------------------------------------------


def test_rejection_keeps_the_grade_and_tells_the_answerer_kindly(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock)
    question = deps.bank.get(QUESTION)
    assert question is not None
    point = question.key_points[TOTAL_ERROR]
    row, _ = file_total_error(deps, clock)
    before = stored_answer(deps)
    where = clicked(row)
    assert appeals.decide(deps, TEAM, ADMIN, str(row.id), False, where) is None
    after = stored_answer(deps)
    assert (after.score, after.covered, after.points) == (
        before.score,
        before.covered,
        before.points,
    )
    assert wordings(deps) == []
    (decided,) = stored_appeals(deps)
    assert (decided.status, decided.decided_by) == ("rejected", ADMIN)
    (update,) = gateway.of("update_message")
    assert update["channel"] == where.channel_id
    assert f"*Rejected* by <@{ADMIN}>; the grade stands." in text_of(update["blocks"])
    assert action_ids(update["blocks"]) == []
    told = text_of(dms_to(gateway, ALICE)[0]["blocks"])
    assert f"<@{ADMIN}> read your appeal in <#{CHANNEL}>" in told
    assert f"Its hint: _{point.hint}_" in told  # the question is open: the hint, not the answer
    assert point.point not in told
    assert "Thanks for flagging it" in told


def test_after_the_reveal_an_appeal_is_still_possible_and_a_rejection_shows_the_point(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock)
    first = reply(deps, COVERS_TWO + PARAPHRASE)
    with deps.session_factory.begin() as s:
        for post in s.scalars(select(QuestionPost)):
            post.status = "closed"
    clock.advance(hours=9)
    question = deps.bank.get(QUESTION)
    assert question is not None
    point = question.key_points[TOTAL_ERROR]
    sent = appeals.file_appeal(deps, TEAM, ALICE, buttons(first)[APPEAL_TOTAL_ERROR])
    assert point.point in sent.text
    (row,) = stored_appeals(deps)
    appeals.decide(deps, TEAM, ADMIN, str(row.id), False, clicked(row))
    assert f"The key point in full: “{point.point}”" in text_of(dms_to(gateway, ALICE)[0]["blocks"])


# -- one appeal per key point ---------------------------------------------------------------


def test_one_appeal_per_key_point_per_answer(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock)
    first = reply(deps, COVERS_TWO + PARAPHRASE)
    value = buttons(first)[APPEAL_TOTAL_ERROR]
    assert appeals.file_appeal(deps, TEAM, ALICE, value).text.startswith(":mailbox")
    again = appeals.file_appeal(deps, TEAM, ALICE, value)
    assert again.text == "You already appealed this key point; the admins have it."
    assert len(stored_appeals(deps)) == 1
    assert len(dms_to(gateway, ADMIN)) == 1
    (row,) = stored_appeals(deps)
    appeals.decide(deps, TEAM, ADMIN, str(row.id), False, clicked(row))
    late = appeals.file_appeal(deps, TEAM, ALICE, value)
    assert late.text == f"You already appealed this key point, and it was rejected by <@{ADMIN}>."
    # Re-graded feedback no longer offers the appealed point, but still the other missed ones.
    regraded = edit(deps, COVERS_TWO + PARAPHRASE + " That is the whole story.")
    assert APPEAL_TOTAL_ERROR not in buttons(regraded)
    assert buttons(regraded)
    # Another point of the same answer can still be appealed.
    other = next(iter(buttons(regraded).values()))
    assert appeals.file_appeal(deps, TEAM, ALICE, other).text.startswith(":mailbox")
    assert len(stored_appeals(deps)) == 2


def test_two_presses_at_once_make_one_appeal(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock)
    value = buttons(reply(deps, COVERS_TWO + PARAPHRASE))[APPEAL_TOTAL_ERROR]
    with ThreadPoolExecutor(max_workers=2) as pool:
        texts = list(
            pool.map(lambda _: appeals.file_appeal(deps, TEAM, ALICE, value).text, range(2))
        )
    assert sorted(t.startswith(":mailbox") for t in texts) == [False, True]
    assert "You already appealed this key point" in next(t for t in texts if not t.startswith(":"))
    assert len(stored_appeals(deps)) == 1
    assert len(dms_to(gateway, ADMIN)) == 1


def test_a_button_of_an_older_grade_is_refused(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock)
    old = buttons(reply(deps, COVERS_TWO + PARAPHRASE))[APPEAL_TOTAL_ERROR]
    edit(deps, COVERS_TWO + PARAPHRASE + " Also noise.")
    refused = appeals.file_appeal(deps, TEAM, ALICE, old)
    assert "You've changed your answer since this feedback" in refused.text
    assert stored_appeals(deps) == []
    assert dms_to(gateway, ADMIN) == []


@pytest.mark.parametrize("value", ["", "abc", "1:2", "1:2:3:4", "-1:0:1", "99999:0:1"])
def test_a_forged_or_stale_button_changes_nothing(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock, value: str
) -> None:
    open_post(deps, clock)
    reply(deps, COVERS_TWO + PARAPHRASE)
    assert appeals.file_appeal(deps, TEAM, ALICE, value).text == appeals.STALE_BUTTON
    assert stored_appeals(deps) == []
    assert gateway.of("post_message") == []


def test_only_the_answerer_may_appeal_their_answer(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock)
    value = buttons(reply(deps, COVERS_TWO + PARAPHRASE))[APPEAL_TOTAL_ERROR]
    assert appeals.file_appeal(deps, TEAM, BOB, value).text == appeals.STALE_BUTTON
    assert stored_appeals(deps) == []


# -- who decides ----------------------------------------------------------------------------


def test_non_admins_cannot_decide_and_nobody_judges_their_own_answer(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock)
    row, _ = file_total_error(deps, clock)
    before = stored_answer(deps)
    refused = appeals.decide(deps, TEAM, BOB, str(row.id), True, appeals.Clicked("DBOB", "1.2"))
    assert refused is not None
    assert refused.text == appeals.REFUSAL
    own = appeals.decide(deps, TEAM, ALICE, str(row.id), True, None)
    assert own is not None
    assert "Nobody can judge an appeal on their own answer" in own.text
    assert stored_appeals(deps)[0].status == "pending"
    assert wordings(deps) == []
    assert stored_answer(deps).score == before.score
    assert gateway.of("update_message") == []
    assert dms_to(gateway, ALICE) == []
    # A workspace admin who is not a QOTD admin of the channel may decide.
    gateway.admins.add("UWSADMIN1")
    assert appeals.decide(deps, TEAM, "UWSADMIN1", str(row.id), False, None) is None
    assert (stored_appeals(deps)[0].status, stored_appeals(deps)[0].decided_by) == (
        "rejected",
        "UWSADMIN1",
    )


def test_the_first_decision_wins_and_every_admin_dm_shows_it(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock, admins=(ADMIN, ADMIN2))
    row, sent = file_total_error(deps, clock)
    assert f"Appeal sent to <@{ADMIN}> and <@{ADMIN2}>" in sent
    assert len(dms_to(gateway, ADMIN)) == len(dms_to(gateway, ADMIN2)) == 1
    first, second = clicked(row, ADMIN), clicked(row, ADMIN2)
    assert appeals.decide(deps, TEAM, ADMIN, str(row.id), True, first) is None
    updated = {(u["channel"], u["ts"]) for u in gateway.of("update_message")}
    second_sent = next((c, ts) for c, ts in row.admin_messages or () if c == dm_channel(ADMIN2))
    assert updated == {(first.channel_id, first.message_ts), second_sent}
    late = appeals.decide(deps, TEAM, ADMIN2, str(row.id), False, second)
    assert late is not None
    assert late.text == f"This appeal was already approved by <@{ADMIN}>."
    assert stored_appeals(deps)[0].status == "approved"
    last = gateway.of("update_message")[-1]
    assert (last["channel"], last["ts"]) == (second.channel_id, second.message_ts)
    assert f"*Approved* by <@{ADMIN}>" in text_of(last["blocks"])
    assert len(dms_to(gateway, ALICE)) == 1  # told once


def test_two_admins_deciding_at_once_make_one_decision(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock, admins=(ADMIN, ADMIN2))
    row, _ = file_total_error(deps, clock)
    clicks = [(ADMIN, True), (ADMIN2, False)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(
            pool.map(
                lambda c: appeals.decide(deps, TEAM, c[0], str(row.id), c[1], clicked(row, c[0])),
                clicks,
            )
        )
    (decided,) = stored_appeals(deps)
    winner = ADMIN if decided.status == "approved" else ADMIN2
    assert decided.decided_by == winner
    (late,) = [r for r in replies if r is not None]
    assert late.text == f"This appeal was already {decided.status} by <@{winner}>."
    assert len(dms_to(gateway, ALICE)) == 1
    assert len(wordings(deps)) == (1 if decided.status == "approved" else 0)


def test_without_channel_admins_nothing_is_sent_and_the_answerer_learns_how(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock, admins=())
    value = buttons(reply(deps, COVERS_TWO + PARAPHRASE))[APPEAL_TOTAL_ERROR]
    told = appeals.file_appeal(deps, TEAM, ALICE, value)
    assert told.text == appeals.NO_ADMINS
    assert "`/qotd schedule weekdays 09:30`" in told.text
    assert stored_appeals(deps) == []
    assert gateway.of("post_message") == []


def test_the_only_admin_cannot_send_an_appeal_to_themselves(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock, admins=(ALICE,))
    value = buttons(reply(deps, COVERS_TWO + PARAPHRASE))[APPEAL_TOTAL_ERROR]
    assert appeals.file_appeal(deps, TEAM, ALICE, value).text == appeals.ONLY_ADMIN
    assert stored_appeals(deps) == []


def test_when_no_admin_can_be_reached_nothing_is_kept_and_a_retry_works(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    open_post(deps, clock)
    value = buttons(reply(deps, COVERS_TWO + PARAPHRASE))[APPEAL_TOTAL_ERROR]
    gateway.fail_with["post_message"] = "ratelimited"
    told = appeals.file_appeal(deps, TEAM, ALICE, value)
    assert "could not reach this channel's QOTD admins" in told.text
    assert stored_appeals(deps) == []
    assert appeals.file_appeal(deps, TEAM, ALICE, value).text.startswith(":mailbox")
    assert len(stored_appeals(deps)) == 1


# -- isolation ------------------------------------------------------------------------------


def test_an_accepted_wording_never_helps_another_workspace(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    # Two workspaces with the same channel id, the same people and the same question.
    open_post(deps, clock, team=TEAM)
    open_post(deps, clock, team=OTHER_TEAM)
    row, _ = file_total_error(deps, clock)
    value_a = appeal_blocks.AppealRef(
        row.answer_id, TOTAL_ERROR, stored_answer(deps).revision
    ).value
    appeals.decide(deps, TEAM, ADMIN, str(row.id), True, clicked(row))
    assert TOTAL_ERROR in stored_answer(deps).covered
    # The same answer in the other workspace is graded as if nothing was ever approved.
    other = reply(deps, COVERS_TWO + PARAPHRASE, team=OTHER_TEAM)
    assert TOTAL_ERROR not in stored_answer(deps, team=OTHER_TEAM).covered
    assert APPEAL_TOTAL_ERROR in buttons(other)
    # And the first workspace's buttons and appeals mean nothing there.
    assert appeals.file_appeal(deps, OTHER_TEAM, ALICE, value_a).text == appeals.STALE_BUTTON
    gone = appeals.decide(deps, OTHER_TEAM, ADMIN, str(row.id), False, None)
    assert gone is not None
    assert gone.text == appeals.GONE
    assert [a.status for a in stored_appeals(deps)] == ["approved"]
