"""The weekly recap, exactly once: real database, fixed clock, recording gateway."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from bot.db import queries, recap_queries
from bot.db.models import Answer, Delivery, QuestionPost
from bot.deps import Deps
from bot.domain.bank import Question
from bot.usecases import daily, recap
from tests.fakes import FixedClock, RecordingGateway
from tests.usecases.conftest import CHANNEL, TEAM

LAST_WEEK = date(2026, 2, 23)  # the clock starts on Monday 2 March 2026, 09:00 UTC
ALICE, BOB, CAROL, DAN = "UALICE001", "UBOB00001", "UCAROL001", "UDAN00001"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def question(deps: Deps) -> Question:
    return next(q for q in deps.bank.questions if len(q.key_points) >= 4)


def add_post(
    deps: Deps,
    opened: datetime,
    *,
    status: str = "closed",
    tz: str = "UTC",
    paused: bool = False,
    channel: str = CHANNEL,
) -> int:
    """A question posted in the channel at `opened` (created with defaults if need be)."""
    with deps.session_factory.begin() as s:
        ch = queries.channel(s, TEAM, channel, opened)
        ch.timezone = tz
        ch.paused = paused
        post = QuestionPost(
            channel_pk=ch.id,
            question_id=question(deps).id,
            local_date=opened.date(),
            status=status,
            slack_ts=f"{int(opened.timestamp())}.000100",
            due_at=opened,
            opened_at=opened,
            closes_at=opened + timedelta(hours=8),
            created_at=opened,
        )
        s.add(post)
        s.flush()
        return post.id


def add_answer(
    deps: Deps,
    post_id: int,
    user: str,
    at: datetime,
    covered: list[int],
    points: int,
    *,
    late: bool = False,
    deleted: bool = False,
) -> None:
    with deps.session_factory.begin() as s:
        post = s.get(QuestionPost, post_id)
        assert post is not None
        s.add(
            Answer(
                post_id=post_id,
                channel_pk=post.channel_pk,
                workspace_id=post.channel.workspace_id,
                user_id=user,
                text="an answer",
                score=(points - 1) * 10 if points else 0,
                covered=covered,
                key_point_count=len(question(deps).key_points),
                points=points,
                late=late,
                first_answered_at=at,
                answered_at=at,
                deleted_at=at if deleted else None,
            )
        )


def seed_last_week(deps: Deps, tz: str = "UTC") -> None:
    """Last week (23 Feb - 1 Mar): one question, two counted answers, one late, one deleted."""
    post = add_post(deps, utc(2026, 2, 25, 10), tz=tz)
    add_answer(deps, post, ALICE, utc(2026, 2, 25, 11), [0, 1], 8)
    add_answer(deps, post, BOB, utc(2026, 2, 26, 9), [0], 5)
    add_answer(deps, post, CAROL, utc(2026, 2, 26, 20), [], 0, late=True)
    add_answer(deps, post, DAN, utc(2026, 2, 25, 12), [], 9, deleted=True)


def deliveries(deps: Deps) -> list[Delivery]:
    with deps.session_factory() as s:
        return list(s.scalars(select(Delivery).order_by(Delivery.id)))


def recap_posts(gateway: RecordingGateway) -> list[dict[str, object]]:
    return [c for c in gateway.of("post_message") if str(c["text"]).startswith("Weekly recap")]


def shown(call: dict[str, object]) -> str:
    blocks = call["blocks"]
    assert isinstance(blocks, list)
    return "\n".join(b["text"]["text"] for b in blocks if "text" in b)


def test_monday_brings_last_weeks_board_lesson_and_chart_once(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    seed_last_week(deps)
    report = daily.tick(deps)
    assert report.recaps.sent == [(CHANNEL, LAST_WEEK)]
    (call,) = recap_posts(gateway)
    assert call["channel"] == CHANNEL
    text = shown(call)
    assert "Weekly recap: 23 February – 1 March 2026" in text
    assert "*1 question*, *2 answers* from *2 people*, *13 points* in all" in text
    assert f"1. <@{ALICE}> — 8 pts (1 answer)" in text
    assert f"2. <@{BOB}> — 5 pts (1 answer)" in text
    assert CAROL not in text  # late: practice, not points
    assert DAN not in text  # deleted
    q = question(deps)
    # Alice covered 0 and 1, Bob only 0: point 2 is the first one both missed.
    assert "Missed by *2 of 2 answers*" in text
    assert q.key_points[2].point.replace("&", "&amp;")[:40] in text
    (upload,) = gateway.of("upload_file")
    assert upload["channel"] == CHANNEL
    assert upload["filename"] == "qotd-recap-2026-02-23.png"
    assert upload["title"] == "Points per day, 23 February – 1 March 2026"
    assert "Wed 8 pts (1), Thu 5 pts (1)" in str(upload["alt_text"])
    content = upload["content"]
    assert isinstance(content, bytes)
    assert Image.open(io.BytesIO(content)).size == (600, 300)
    (delivery,) = deliveries(deps)
    assert (delivery.kind, delivery.target, delivery.period) == ("recap", CHANNEL, LAST_WEEK)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, None)
    assert delivery.sent_at == clock.now()
    # Later ticks (the same minute, later on Monday, the rest of the week) send nothing more.
    for step in (timedelta(0), timedelta(hours=3), timedelta(days=2)):
        clock.advance(seconds=step.total_seconds())
        assert recap.send_due(deps) == recap.RecapReport()
    assert len(recap_posts(gateway)) == 1
    assert len(gateway.of("upload_file")) == 1


def test_the_recap_waits_for_nine_oclock_in_the_channels_timezone(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    seed_last_week(deps, tz="America/New_York")
    clock.set(utc(2026, 3, 2, 13, 59))  # 08:59 in New York
    assert recap.send_due(deps) == recap.RecapReport()
    assert deliveries(deps) == []
    clock.set(utc(2026, 3, 2, 14, 0))
    assert recap.send_due(deps).sent == [(CHANNEL, LAST_WEEK)]
    assert len(recap_posts(gateway)) == 1


def test_each_channel_gets_its_recap_at_nine_in_its_own_timezone(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    zones = {
        "CTOKYO001": "Asia/Tokyo",
        "CLONDON01": "Europe/London",
        "CLA000001": "America/Los_Angeles",
    }
    for channel, tz in zones.items():
        post = add_post(deps, utc(2026, 2, 25, 10), tz=tz, channel=channel)
        add_answer(deps, post, ALICE, utc(2026, 2, 25, 11), [0], 5)
    clock.set(utc(2026, 3, 2, 0, 0))  # 09:00 in Tokyo, still Sunday night elsewhere
    assert recap.send_due(deps).sent == [("CTOKYO001", LAST_WEEK)]
    clock.set(utc(2026, 3, 2, 9, 0))
    assert recap.send_due(deps).sent == [("CLONDON01", LAST_WEEK)]
    clock.set(utc(2026, 3, 2, 17, 0))
    assert recap.send_due(deps).sent == [("CLA000001", LAST_WEEK)]
    assert [c["channel"] for c in recap_posts(gateway)] == list(zones)


def test_a_busy_monday_is_spread_over_ticks(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recap, "RECAP_BATCH", 2)
    channels = ["C00000001", "C00000002", "C00000003"]
    for channel in channels:
        post = add_post(deps, utc(2026, 2, 25, 10), channel=channel)
        add_answer(deps, post, ALICE, utc(2026, 2, 25, 11), [0], 5)
    assert len(recap.send_due(deps).sent) == 2
    clock.advance(seconds=15)
    assert len(recap.send_due(deps).sent) == 1
    assert sorted(str(c["channel"]) for c in recap_posts(gateway)) == channels


def test_the_week_is_the_channels_local_week(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    post = add_post(deps, utc(2026, 2, 22, 23, 10), tz="Europe/Paris")  # Mon 23 Feb 00:10 Paris
    add_answer(deps, post, ALICE, utc(2026, 2, 22, 23, 20), [0], 4)
    add_answer(deps, post, BOB, utc(2026, 3, 1, 22, 50), [0], 3)  # Sunday 23:50 in Paris
    add_answer(deps, post, CAROL, utc(2026, 3, 1, 23, 30), [0], 6)  # Monday 2 Mar in Paris
    add_post(deps, utc(2026, 2, 22, 22, 50), tz="Europe/Paris")  # Sunday 22 Feb in Paris
    clock.set(utc(2026, 3, 2, 8, 0))  # 09:00 in Paris
    recap.send_due(deps)
    text = shown(recap_posts(gateway)[0])
    assert "*1 question*, *2 answers* from *2 people*" in text
    assert f"<@{ALICE}> — 4 pts" in text
    assert f"<@{BOB}> — 3 pts" in text
    assert CAROL not in text
    assert str(gateway.of("upload_file")[0]["alt_text"]).endswith(
        "Mon 4 pts (1), Tue 0 pts (0), Wed 0 pts (0), Thu 0 pts (0), Fri 0 pts (0), "
        "Sat 0 pts (0), Sun 3 pts (1)"
    )


def test_a_clock_that_claimed_and_crashed_is_taken_over_once_its_lease_ends(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    seed_last_week(deps)
    with deps.session_factory.begin() as s:  # another clock claimed it, then died
        ch = queries.find_channel(s, TEAM, CHANNEL)
        assert ch is not None
        recap_queries.claim_recap(s, ch.workspace_id, CHANNEL, LAST_WEEK, clock.now(), recap.LEASE)
    assert recap.send_due(deps) == recap.RecapReport()  # its lease still runs
    assert recap_posts(gateway) == []
    clock.advance(minutes=2)
    assert recap.send_due(deps).sent == [(CHANNEL, LAST_WEEK)]
    clock.advance(minutes=5)
    assert recap.send_due(deps) == recap.RecapReport()
    assert len(recap_posts(gateway)) == 1
    assert [d.status for d in deliveries(deps)] == ["sent"]


def test_two_clocks_at_the_same_moment_post_once(deps: Deps, gateway: RecordingGateway) -> None:
    seed_last_week(deps)
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda _: recap.send_due(deps), range(2)))
    assert sorted(len(r.sent) for r in reports) == [0, 1]
    assert len(recap_posts(gateway)) == 1
    assert len(gateway.of("upload_file")) == 1
    assert len(deliveries(deps)) == 1


def test_a_slack_failure_is_retried_with_backoff_and_never_lost(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    seed_last_week(deps)
    gateway.fail_with["post_message"] = "ratelimited"
    assert recap.send_due(deps).failed == [(CHANNEL, LAST_WEEK)]
    (delivery,) = deliveries(deps)
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "pending",
        1,
        "ratelimited",
    )
    assert delivery.next_attempt_at == clock.now() + timedelta(minutes=1)
    clock.advance(seconds=30)
    assert recap.send_due(deps) == recap.RecapReport()  # backing off
    gateway.fail_with["post_message"] = "internal_error"
    clock.advance(seconds=30)
    assert recap.send_due(deps).failed == [(CHANNEL, LAST_WEEK)]
    assert deliveries(deps)[0].next_attempt_at == clock.now() + timedelta(minutes=2)
    clock.advance(minutes=2)
    assert recap.send_due(deps).sent == [(CHANNEL, LAST_WEEK)]
    assert len(gateway.of("post_message")) == 3  # two refused, one posted
    (delivery,) = deliveries(deps)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, None)
    clock.advance(minutes=10)
    assert recap.send_due(deps) == recap.RecapReport()
    assert len(recap_posts(gateway)) == 3


def test_a_recap_still_failing_when_monday_ends_is_given_up_and_recorded(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    seed_last_week(deps)
    gateway.fail_with["post_message"] = "not_in_channel"
    recap.send_due(deps)
    clock.set(utc(2026, 3, 3, 0, 0))  # Tuesday in the channel's timezone
    assert recap.send_due(deps).failed == [(CHANNEL, LAST_WEEK)]
    (delivery,) = deliveries(deps)
    assert delivery.status == "skipped"
    assert delivery.last_error == "gave up after 1 attempt: not_in_channel"
    assert len(gateway.of("post_message")) == 1
    assert recap.send_due(deps) == recap.RecapReport()


def test_a_chart_that_cannot_be_shared_never_reposts_the_message(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    seed_last_week(deps)
    gateway.fail_with["upload_file"] = "file_upload_failed"
    assert recap.send_due(deps).sent == [(CHANNEL, LAST_WEEK)]
    (delivery,) = deliveries(deps)
    assert delivery.status == "sent"
    assert delivery.last_error == "sent without its chart: file_upload_failed"
    clock.advance(minutes=10)
    assert recap.send_due(deps) == recap.RecapReport()
    assert len(recap_posts(gateway)) == 1


def test_a_quiet_week_posts_nothing_and_is_decided_once(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    add_post(deps, utc(2026, 2, 25, 10))  # asked, nobody answered
    assert recap.send_due(deps).quiet == [(CHANNEL, LAST_WEEK)]
    (delivery,) = deliveries(deps)
    assert (delivery.status, delivery.last_error) == ("skipped", "quiet week: no answers")
    clock.advance(minutes=5)
    assert recap.send_due(deps) == recap.RecapReport()
    assert gateway.calls == []


def test_channels_without_activity_last_week_or_paused_get_nothing(
    deps: Deps, gateway: RecordingGateway
) -> None:
    post = add_post(deps, utc(2026, 2, 16, 10))  # the week before last
    add_answer(deps, post, ALICE, utc(2026, 2, 16, 11), [0], 5)
    assert recap.send_due(deps) == recap.RecapReport()
    assert deliveries(deps) == []
    seed_last_week(deps)
    add_post(deps, utc(2026, 2, 27, 10), paused=True)
    assert recap.send_due(deps) == recap.RecapReport()
    assert deliveries(deps) == []
    assert gateway.calls == []


def test_a_recap_missed_while_the_bot_was_down_all_monday_is_recorded_not_sent(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    seed_last_week(deps)
    clock.set(utc(2026, 3, 3, 10, 0))
    assert recap.send_due(deps).missed == [(CHANNEL, LAST_WEEK)]
    (delivery,) = deliveries(deps)
    assert (delivery.status, delivery.last_error) == (
        "skipped",
        "missed: the bot was down all Monday",
    )
    assert gateway.calls == []


def test_an_open_question_gives_no_lesson_away(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    post = add_post(deps, utc(2026, 3, 1, 20), status="open")  # still open on Monday morning
    add_answer(deps, post, ALICE, utc(2026, 3, 1, 21), [0], 6)
    recap.send_due(deps)
    text = shown(recap_posts(gateway)[0])
    assert f"<@{ALICE}> — 6 pts" in text
    assert "most missed" not in text
    assert question(deps).key_points[1].point[:30] not in text
