"""The daily schedule with a fixed clock: local times, DST, work days, pause/skip, catch-up,
retries, the timed reveal, and exactly one post per channel and local date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select

from bot.app import build_deps
from bot.config import Settings
from bot.db import queries
from bot.db.models import QuestionPost
from bot.deps import Deps
from bot.slack.gateway import make_web_client
from bot.usecases import ask, daily, scheduling
from tests.fakes import FixedClock, RecordingGateway
from tests.slack_fake import BOT_TOKEN, FakeSlack
from tests.usecases.conftest import ADMIN, CHANNEL, TEAM

MEMBER = "UMEMBER01"


def posts(deps: Deps, status: str | None = None) -> list[QuestionPost]:
    with deps.session_factory() as s:
        query = select(QuestionPost).order_by(QuestionPost.id)
        if status:
            query = query.where(QuestionPost.status == status)
        return list(s.scalars(query))


def questions_posted(gateway: RecordingGateway) -> list[dict[str, object]]:
    return [c for c in gateway.of("post_message") if c["channel"] == CHANNEL and not c["thread_ts"]]


def run_ticks(deps: Deps, clock: FixedClock, until: datetime, step: timedelta) -> None:
    while clock.now() < until:
        daily.tick(deps)
        clock.advance(seconds=step.total_seconds())


def test_first_person_to_schedule_becomes_admin_and_sees_next_post(
    deps: Deps, clock: FixedClock
) -> None:
    # Monday 2 March 2026, 09:00 UTC = 10:00 in Paris
    text = scheduling.set_schedule(deps, TEAM, CHANNEL, MEMBER, "weekdays 09:30 Europe/Paris")
    assert text.startswith("Questions scheduled weekdays at 09:30 (Europe/Paris).")
    assert "Next question: Tue 3 Mar, 09:30 CET." in text
    assert text.endswith("You are now a QOTD admin of this channel.")
    assert not scheduling.may_set_schedule(deps, TEAM, CHANNEL)
    with deps.session_factory() as s:
        ch = queries.find_channel(s, TEAM, CHANNEL)
        assert ch is not None
        assert queries.channel_admin_ids(s, ch.id) == [MEMBER]


def test_bad_schedule_changes_nothing(deps: Deps) -> None:
    text = scheduling.set_schedule(deps, TEAM, CHANNEL, MEMBER, "weekdays 25:00")
    assert "25:00" in text
    assert text.endswith("Nothing changed.")
    assert scheduling.may_set_schedule(deps, TEAM, CHANNEL)


def test_default_timezone_is_the_admins(deps: Deps) -> None:
    # RecordingGateway reports Europe/Paris for everyone
    assert "(Europe/Paris)" in scheduling.set_schedule(deps, TEAM, CHANNEL, ADMIN, "daily 8:00")


def test_posts_at_the_local_time_once_and_only_on_work_days(
    deps: Deps, clock: FixedClock, gateway: RecordingGateway
) -> None:
    scheduling.set_schedule(deps, TEAM, CHANNEL, ADMIN, "weekdays 09:30 Europe/Paris")
    clock.set(datetime(2026, 3, 3, 8, 0, tzinfo=UTC))  # Tue 09:00 Paris
    run_ticks(deps, clock, datetime(2026, 3, 9, 12, 0, tzinfo=UTC), timedelta(minutes=15))
    scheduled = [p for p in posts(deps) if p.scheduled_date]
    assert [p.scheduled_date for p in scheduled] == [
        date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5), date(2026, 3, 6), date(2026, 3, 9),
    ]  # fmt: skip
    assert all(p.opened_at is not None for p in scheduled)
    for p in scheduled:  # within one tick of 09:30 Paris (08:30 UTC in winter)
        assert p.due_at is not None
        assert (
            timedelta(0) <= p.due_at - p.due_at.replace(hour=8, minute=30) < timedelta(minutes=15)
        )
    assert len(questions_posted(gateway)) == 5
    # each new post closed the previous day's question first (they close after 8 hours anyway)
    assert all(p.status == "closed" for p in scheduled[:-1])


def test_spring_forward_posts_at_the_first_valid_minute(deps: Deps, clock: FixedClock) -> None:
    clock.set(datetime(2026, 3, 28, 0, 0, tzinfo=UTC))
    scheduling.set_schedule(deps, TEAM, CHANNEL, ADMIN, "daily 02:30 Europe/Paris")
    run_ticks(deps, clock, datetime(2026, 3, 31, 0, 0, tzinfo=UTC), timedelta(minutes=5))
    due = {p.scheduled_date: p.due_at for p in posts(deps) if p.scheduled_date}
    assert set(due) == {date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)}
    # 02:30 does not exist on the 29th: 03:00 CEST = 01:00 UTC
    assert datetime(2026, 3, 29, 1, 0, tzinfo=UTC) <= due[date(2026, 3, 29)]
    assert due[date(2026, 3, 29)] < datetime(2026, 3, 29, 1, 5, tzinfo=UTC)


def test_fall_back_posts_once(deps: Deps, clock: FixedClock) -> None:
    clock.set(datetime(2026, 10, 31, 0, 0, tzinfo=UTC))
    scheduling.set_schedule(deps, TEAM, CHANNEL, ADMIN, "daily 01:30 America/New_York")
    run_ticks(deps, clock, datetime(2026, 11, 3, 0, 0, tzinfo=UTC), timedelta(minutes=10))
    dates = [p.scheduled_date for p in posts(deps) if p.scheduled_date]
    assert dates == [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)]


def test_pause_resume_and_skip(deps: Deps, clock: FixedClock, gateway: RecordingGateway) -> None:
    scheduling.set_schedule(deps, TEAM, CHANNEL, ADMIN, "daily 09:00 UTC")
    assert "paused" in scheduling.pause(deps, TEAM, CHANNEL, True)
    clock.set(datetime(2026, 3, 3, 9, 5, tzinfo=UTC))
    daily.tick(deps)
    assert questions_posted(gateway) == []
    resumed = scheduling.pause(deps, TEAM, CHANNEL, False)
    assert "Next question:" in resumed
    text = scheduling.skip(deps, TEAM, CHANNEL, date(2026, 3, 4))
    assert text.startswith("Skipping Wed 4 Mar.")
    assert "past" in scheduling.skip(deps, TEAM, CHANNEL, date(2026, 3, 1))
    clock.set(datetime(2026, 3, 4, 9, 1, tzinfo=UTC))
    report = daily.tick(deps)
    assert report.skipped == [(CHANNEL, date(2026, 3, 4))]
    clock.set(datetime(2026, 3, 5, 9, 1, tzinfo=UTC))
    assert daily.tick(deps).posted == [(CHANNEL, date(2026, 3, 5))]


def test_catch_up_within_two_hours_else_skip(deps: Deps, clock: FixedClock) -> None:
    scheduling.set_schedule(deps, TEAM, CHANNEL, ADMIN, "daily 09:00 UTC")
    clock.set(datetime(2026, 3, 3, 10, 45, tzinfo=UTC))  # down from before 9 until 10:45
    assert daily.tick(deps).posted == [(CHANNEL, date(2026, 3, 3))]
    clock.set(datetime(2026, 3, 4, 11, 30, tzinfo=UTC))  # 2.5 hours late
    report = daily.tick(deps)
    assert report.posted == []
    assert report.missed == [(CHANNEL, date(2026, 3, 4))]
    assert daily.tick(deps).missed == []  # decided once
    skipped = posts(deps, "skipped")
    assert [(p.scheduled_date, p.last_error) for p in skipped] == [
        (date(2026, 3, 4), "missed: more than 2 hours late")
    ]


def test_failed_post_is_retried_with_backoff_never_duplicated(
    deps: Deps, clock: FixedClock, gateway: RecordingGateway
) -> None:
    scheduling.set_schedule(deps, TEAM, CHANNEL, ADMIN, "daily 09:00 UTC")
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    gateway.fail_with["post_message"] = "ratelimited"
    assert daily.tick(deps).failed == [(CHANNEL, date(2026, 3, 3))]
    clock.advance(seconds=30)
    assert daily.tick(deps).posted == []  # backoff: 1 minute
    clock.advance(seconds=45)
    assert daily.tick(deps).posted == [(CHANNEL, date(2026, 3, 3))]
    clock.advance(minutes=5)
    daily.tick(deps)
    attempts = [c for c in gateway.of("post_message") if c["channel"] == CHANNEL]
    assert len(attempts) == 2
    (post,) = posts(deps)
    assert (post.status, post.attempts) == ("open", 2)


def test_crash_between_claim_and_post_is_recovered(
    deps: Deps, clock: FixedClock, gateway: RecordingGateway
) -> None:
    scheduling.set_schedule(deps, TEAM, CHANNEL, ADMIN, "daily 09:00 UTC")
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    # A clock claimed the slot and died before posting: the row is pending, leased.
    with deps.session_factory.begin() as s:
        ch = queries.channel(s, TEAM, CHANNEL, clock.now())
        s.add(
            QuestionPost(
                channel_pk=ch.id, question_id=deps.bank.questions[0].id,
                local_date=date(2026, 3, 3), scheduled_date=date(2026, 3, 3), status="pending",
                due_at=clock.now(), next_attempt_at=clock.now() + ask.LEASE,
                created_at=clock.now(),
            )
        )  # fmt: skip
    assert daily.tick(deps).posted == []  # the lease still holds
    clock.advance(minutes=3)
    assert daily.tick(deps).posted == [(CHANNEL, date(2026, 3, 3))]
    daily.tick(deps)
    assert len(questions_posted(gateway)) == 1


def test_timed_reveal_at_the_close(
    deps: Deps, clock: FixedClock, gateway: RecordingGateway
) -> None:
    scheduling.set_schedule(deps, TEAM, CHANNEL, ADMIN, "daily 09:00 UTC")
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    daily.tick(deps)
    clock.set(datetime(2026, 3, 3, 16, 59, tzinfo=UTC))
    assert daily.tick(deps).revealed == []
    clock.set(datetime(2026, 3, 3, 17, 0, tzinfo=UTC))
    (post,) = posts(deps)
    assert daily.tick(deps).revealed == [post.id]
    assert len(gateway.of("update_message")) == 1


def test_slots_before_the_schedule_was_set_are_not_owed(deps: Deps, clock: FixedClock) -> None:
    clock.set(datetime(2026, 3, 3, 14, 0, tzinfo=UTC))  # set at 14:00, after today's 09:00
    scheduling.set_schedule(deps, TEAM, CHANNEL, ADMIN, "daily 09:00 UTC")
    report = daily.tick(deps)
    assert (report.posted, report.missed) == ([], [])
    clock.set(datetime(2026, 3, 4, 9, 0, tzinfo=UTC))
    assert daily.tick(deps).posted == [(CHANNEL, date(2026, 3, 4))]


def test_slack_429_is_waited_out_without_losing_or_duplicating(
    engine: Engine, clock: FixedClock, settings_factory: Callable[..., Settings]
) -> None:
    with FakeSlack() as fake:
        fake.fail("chat.postMessage", status=429, retry_after=1, times=2)
        settings = settings_factory(slack_api_url=fake.url)
        deps = build_deps(settings, engine, make_web_client(BOT_TOKEN, fake.url), clock=clock)
        for n in range(3):
            scheduling.set_schedule(deps, TEAM, f"C{n}", ADMIN, "daily 09:00 UTC")
        clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
        report = daily.tick(deps)
        assert sorted(report.posted) == [(f"C{n}", date(2026, 3, 3)) for n in range(3)]
        calls = fake.calls_to("chat.postMessage")
        assert [c.status for c in calls].count(429) == 2
        assert sorted(str(c.args["channel"]) for c in calls if c.status == 200) == [
            "C0",
            "C1",
            "C2",
        ]


def test_the_tick_forgets_old_event_ids(deps: Deps, clock: FixedClock) -> None:
    with deps.session_factory.begin() as s:
        assert queries.claim_event(s, "EvOLD", clock.now() - timedelta(days=2))
        assert queries.claim_event(s, "EvNEW", clock.now() - timedelta(hours=1))
    daily.tick(deps)
    with deps.session_factory.begin() as s:
        assert queries.claim_event(s, "EvOLD", clock.now())  # forgotten: new again
        assert not queries.claim_event(s, "EvNEW", clock.now())  # still remembered
