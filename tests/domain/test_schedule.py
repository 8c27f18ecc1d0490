"""Schedules: parsing `/qotd schedule`, when posts happen (across DST), catch-up, close times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.schedule import (
    DEFAULT_CLOSE_MINUTES,
    EVERY_DAY,
    GRACE,
    WEEKDAYS,
    Schedule,
    ScheduleOff,
    closes_at,
    describe_days,
    due_occurrences,
    format_local,
    local_date,
    next_occurrence,
    next_weekly,
    occurrence_on,
    parse_schedule,
    should_catch_up,
    suggest_zones,
    week_start,
    zone,
)

PARIS = "Europe/Paris"
NEW_YORK = "America/New_York"
MWF = frozenset({0, 2, 4})


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- Parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "default_tz", "expected"),
    [
        ("weekdays 09:30 Europe/Paris", None, Schedule(WEEKDAYS, time(9, 30), PARIS)),
        ("daily 8:00", None, Schedule(EVERY_DAY, time(8, 0), "UTC")),
        ("daily 8:00", "Asia/Tokyo", Schedule(EVERY_DAY, time(8, 0), "Asia/Tokyo")),
        ("mon,wed,fri 17:00 America/New_York", None, Schedule(MWF, time(17, 0), NEW_YORK)),
        ("mon wed fri 17:00", NEW_YORK, Schedule(MWF, time(17, 0), NEW_YORK)),
        ("mon, wed, fri 17:00", None, Schedule(MWF, time(17, 0), "UTC")),
        ("monday,tuesday 07:05", None, Schedule(frozenset({0, 1}), time(7, 5), "UTC")),
        ("Mondays Wednesdays 07:05", None, Schedule(frozenset({0, 2}), time(7, 5), "UTC")),
        ("tues thurs 10:00", None, Schedule(frozenset({1, 3}), time(10, 0), "UTC")),
        ("mon-fri 23:59", None, Schedule(WEEKDAYS, time(23, 59), "UTC")),
        ("mon - fri 0:00", None, Schedule(WEEKDAYS, time(0, 0), "UTC")),
        ("fri-mon 12:00", None, Schedule(frozenset({4, 5, 6, 0}), time(12, 0), "UTC")),
        ("mon-wed,fri 12:00", None, Schedule(frozenset({0, 1, 2, 4}), time(12, 0), "UTC")),
        ("sat,sun 12:00", None, Schedule(frozenset({5, 6}), time(12, 0), "UTC")),
        ("weekends 12:00", None, Schedule(frozenset({5, 6}), time(12, 0), "UTC")),
        ("WEEKDAYS 09:30 EUROPE/PARIS", None, Schedule(WEEKDAYS, time(9, 30), PARIS)),
        ("weekdays 09:30 europe/paris", None, Schedule(WEEKDAYS, time(9, 30), PARIS)),
        ("weekdays 9am", None, Schedule(WEEKDAYS, time(9, 0), "UTC")),
        ("weekdays 9 am", None, Schedule(WEEKDAYS, time(9, 0), "UTC")),
        ("weekdays 5:30pm", None, Schedule(WEEKDAYS, time(17, 30), "UTC")),
        ("weekdays 5:30PM", None, Schedule(WEEKDAYS, time(17, 30), "UTC")),
        ("weekdays 12am", None, Schedule(WEEKDAYS, time(0, 0), "UTC")),
        ("weekdays 12pm", None, Schedule(WEEKDAYS, time(12, 0), "UTC")),
        ("every day at 07:00", None, Schedule(EVERY_DAY, time(7, 0), "UTC")),
        ("every monday at 07:00", None, Schedule(frozenset({0}), time(7, 0), "UTC")),
        ("09:30 weekdays Europe/Paris", None, Schedule(WEEKDAYS, time(9, 30), PARIS)),
        ("  weekdays   09:30  ", PARIS, Schedule(WEEKDAYS, time(9, 30), PARIS)),
        # Bare IANA names that are single words still read as zones.
        ("daily 08:00 UTC", PARIS, Schedule(EVERY_DAY, time(8, 0), "UTC")),
        ("daily 08:00 Japan", None, Schedule(EVERY_DAY, time(8, 0), "Japan")),
        (
            "daily 08:00 America/Argentina/Buenos_Aires",
            None,
            Schedule(EVERY_DAY, time(8, 0), "America/Argentina/Buenos_Aires"),
        ),
        # An admin whose Slack zone is unknown to this system falls back to UTC.
        ("daily 08:00", "Not/AZone", Schedule(EVERY_DAY, time(8, 0), "UTC")),
        ("daily 08:00", "", Schedule(EVERY_DAY, time(8, 0), "UTC")),
    ],
)
def test_parse_schedule_accepts(args: str, default_tz: str | None, expected: Schedule) -> None:
    assert parse_schedule(args, default_tz) == expected


@pytest.mark.parametrize("args", ["off", "OFF", " Off "])
def test_parse_schedule_off(args: str) -> None:
    assert parse_schedule(args, PARIS) == ScheduleOff()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("weekdays 09:75", "`09:75` is not a time: use 24-hour HH:MM like 09:30."),
        ("weekdays 24:00", "`24:00` is not a time: use 24-hour HH:MM like 09:30."),
        ("weekdays 9:5", "`9:5` is not a time: use 24-hour HH:MM like 09:30."),
        ("weekdays 17", "`17` is not a time: use 24-hour HH:MM like 09:30."),
        ("weekdays 13pm", "`13pm` is not a time: use 24-hour HH:MM like 09:30."),
        ("weekdays 0am", "`0am` is not a time: use 24-hour HH:MM like 09:30."),
        ("weekdays 9:30:00", "`9:30:00` is not a time: use 24-hour HH:MM like 09:30."),
        (
            "funday 09:30",
            "`funday` is not a day: use weekdays, daily, or days like mon,wed,fri.",
        ),
        (
            "mon,funday 09:30",
            "`funday` is not a day: use weekdays, daily, or days like mon,wed,fri.",
        ),
        (
            "mon-funday 09:30",
            "`funday` is not a day: use weekdays, daily, or days like mon,wed,fri.",
        ),
        (
            "mon-wed-fri 09:30",
            "`mon-wed-fri` is not a day: use weekdays, daily, or days like mon,wed,fri.",
        ),
        ("mo 09:30", "`mo` is not a day: use weekdays, daily, or days like mon,wed,fri."),
        (
            "weekdays 09:30 Europe/Pariss",
            "`Europe/Pariss` is not a timezone I know. Did you mean Europe/Paris?",
        ),
        (
            "weekdays 09:30 America/New_Yrok",
            "`America/New_Yrok` is not a timezone I know. Did you mean America/New_York?",
        ),
        (
            "weekdays 09:30 Paris",
            "`Paris` is not a timezone I know. Did you mean Europe/Paris?",
        ),
        (
            "weekdays 09:30 Mars/Olympus",
            "`Mars/Olympus` is not a timezone I know: use an IANA name like Europe/Paris"
            " or America/New_York.",
        ),
        (
            "weekdays 09:30 +02:00",
            "`+02:00` is not a timezone I know: use an IANA name like Europe/Paris"
            " or America/New_York.",
        ),
        ("weekdays", "Missing the time: say when, like `weekdays 09:30 Europe/Paris`."),
        (
            "weekdays Europe/Paris",
            "Missing the time: say when, like `weekdays 09:30 Europe/Paris`.",
        ),
        ("09:30", "Missing the days: say when, like `weekdays 09:30 Europe/Paris`."),
        (
            "Europe/Paris",
            "Missing the days and the time: say when, like `weekdays 09:30 Europe/Paris`.",
        ),
        ("", "Say when to post, like `weekdays 09:30 Europe/Paris`, or `off` to stop."),
        ("   ", "Say when to post, like `weekdays 09:30 Europe/Paris`, or `off` to stop."),
        ("mon 09:30 10:00", "`10:00` is a second time: give one time, like 09:30."),
        (
            "mon 09:30 Europe/Paris UTC",
            "`UTC` is a second timezone: give one, like Europe/Paris.",
        ),
        ("weekdays off", "`off` goes on its own: `/qotd schedule off`."),
    ],
)
def test_parse_schedule_errors_name_the_bad_part(args: str, message: str) -> None:
    assert parse_schedule(args, PARIS) == message


def test_zone_suggestions_offer_close_alternatives_best_first() -> None:
    assert suggest_zones("europe/pariss") == ["Europe/Paris"]
    assert suggest_zones("Tokio") == ["Asia/Tokyo"]
    assert suggest_zones("Mars/Olympus") == []


@pytest.mark.parametrize(
    ("schedule", "text"),
    [
        (Schedule(WEEKDAYS, time(9, 30), PARIS), "weekdays at 09:30 (Europe/Paris)"),
        (Schedule(MWF, time(17, 0), NEW_YORK), "Mon, Wed and Fri at 17:00 (America/New_York)"),
        (Schedule(EVERY_DAY, time(8, 0), "UTC"), "every day at 08:00 (UTC)"),
        (Schedule(frozenset({5, 6}), time(12, 0), "UTC"), "weekends at 12:00 (UTC)"),
        (Schedule(frozenset({1, 3}), time(7, 5), "UTC"), "Tue and Thu at 07:05 (UTC)"),
        (Schedule(frozenset({0}), time(0, 5), "UTC"), "Mondays at 00:05 (UTC)"),
    ],
)
def test_describe(schedule: Schedule, text: str) -> None:
    assert schedule.describe() == text


def test_describe_round_trips_through_the_parser() -> None:
    schedule = Schedule(frozenset({0, 4, 5}), time(6, 45), NEW_YORK)
    assert describe_days(schedule.days) == "Mon, Fri and Sat"
    assert parse_schedule(f"mon,fri,sat {schedule.at:%H:%M} {NEW_YORK}", None) == schedule


@pytest.mark.parametrize("days", [frozenset(), frozenset({7}), frozenset({-1, 0})])
def test_a_schedule_needs_real_days(days: frozenset[int]) -> None:
    with pytest.raises(ValueError, match="non-empty subset"):
        Schedule(days, time(9, 0), "UTC")


# --- Occurrences across DST -----------------------------------------------------------------------


def week_of_occurrences(schedule: Schedule, after: datetime, count: int = 7) -> list[datetime]:
    found: list[datetime] = []
    moment = after
    for _ in range(count):
        moment = next_occurrence(schedule, moment)
        found.append(moment)
    return found


@pytest.mark.parametrize(
    ("tz", "at", "start", "expected"),
    [
        # Paris spring forward, Sun 2026-03-29 02:00 CET → 03:00 CEST: 02:30 does not exist
        # that day, so it posts at 03:00 CEST (01:00 UTC), once.
        (
            PARIS,
            time(2, 30),
            utc(2026, 3, 26),
            [
                utc(2026, 3, 26, 1, 30),
                utc(2026, 3, 27, 1, 30),
                utc(2026, 3, 28, 1, 30),
                utc(2026, 3, 29, 1, 0),
                utc(2026, 3, 30, 0, 30),
                utc(2026, 3, 31, 0, 30),
                utc(2026, 4, 1, 0, 30),
            ],
        ),
        # Paris fall back, Sun 2026-10-25 03:00 CEST → 02:00 CET: 02:30 happens twice, and
        # posts once, at the first (CEST, 00:30 UTC).
        (
            PARIS,
            time(2, 30),
            utc(2026, 10, 22),
            [
                utc(2026, 10, 22, 0, 30),
                utc(2026, 10, 23, 0, 30),
                utc(2026, 10, 24, 0, 30),
                utc(2026, 10, 25, 0, 30),
                utc(2026, 10, 26, 1, 30),
                utc(2026, 10, 27, 1, 30),
                utc(2026, 10, 28, 1, 30),
            ],
        ),
        # New York spring forward, Sun 2026-03-08 02:00 EST → 03:00 EDT: 02:30 posts at
        # 03:00 EDT (07:00 UTC).
        (
            NEW_YORK,
            time(2, 30),
            utc(2026, 3, 5),
            [
                utc(2026, 3, 5, 7, 30),
                utc(2026, 3, 6, 7, 30),
                utc(2026, 3, 7, 7, 30),
                utc(2026, 3, 8, 7, 0),
                utc(2026, 3, 9, 6, 30),
                utc(2026, 3, 10, 6, 30),
                utc(2026, 3, 11, 6, 30),
            ],
        ),
        # New York fall back, Sun 2026-11-01 02:00 EDT → 01:00 EST: 02:30 happens once (EST).
        (
            NEW_YORK,
            time(2, 30),
            utc(2026, 10, 29),
            [
                utc(2026, 10, 29, 6, 30),
                utc(2026, 10, 30, 6, 30),
                utc(2026, 10, 31, 6, 30),
                utc(2026, 11, 1, 7, 30),
                utc(2026, 11, 2, 7, 30),
                utc(2026, 11, 3, 7, 30),
                utc(2026, 11, 4, 7, 30),
            ],
        ),
        # ... but 01:30 happens twice there, and posts once, at the first (EDT, 05:30 UTC).
        (
            NEW_YORK,
            time(1, 30),
            utc(2026, 10, 29),
            [
                utc(2026, 10, 29, 5, 30),
                utc(2026, 10, 30, 5, 30),
                utc(2026, 10, 31, 5, 30),
                utc(2026, 11, 1, 5, 30),
                utc(2026, 11, 2, 6, 30),
                utc(2026, 11, 3, 6, 30),
                utc(2026, 11, 4, 6, 30),
            ],
        ),
        # 09:30 stays 09:30 local across each change; the UTC instant moves by an hour.
        (
            PARIS,
            time(9, 30),
            utc(2026, 3, 26),
            [
                utc(2026, 3, 26, 8, 30),
                utc(2026, 3, 27, 8, 30),
                utc(2026, 3, 28, 8, 30),
                utc(2026, 3, 29, 7, 30),
                utc(2026, 3, 30, 7, 30),
                utc(2026, 3, 31, 7, 30),
                utc(2026, 4, 1, 7, 30),
            ],
        ),
        (
            PARIS,
            time(9, 30),
            utc(2026, 10, 22),
            [
                utc(2026, 10, 22, 7, 30),
                utc(2026, 10, 23, 7, 30),
                utc(2026, 10, 24, 7, 30),
                utc(2026, 10, 25, 8, 30),
                utc(2026, 10, 26, 8, 30),
                utc(2026, 10, 27, 8, 30),
                utc(2026, 10, 28, 8, 30),
            ],
        ),
        (
            NEW_YORK,
            time(9, 30),
            utc(2026, 3, 5),
            [
                utc(2026, 3, 5, 14, 30),
                utc(2026, 3, 6, 14, 30),
                utc(2026, 3, 7, 14, 30),
                utc(2026, 3, 8, 13, 30),
                utc(2026, 3, 9, 13, 30),
                utc(2026, 3, 10, 13, 30),
                utc(2026, 3, 11, 13, 30),
            ],
        ),
        (
            NEW_YORK,
            time(9, 30),
            utc(2026, 10, 29),
            [
                utc(2026, 10, 29, 13, 30),
                utc(2026, 10, 30, 13, 30),
                utc(2026, 10, 31, 13, 30),
                utc(2026, 11, 1, 14, 30),
                utc(2026, 11, 2, 14, 30),
                utc(2026, 11, 3, 14, 30),
                utc(2026, 11, 4, 14, 30),
            ],
        ),
    ],
    ids=[
        "paris-02:30-spring",
        "paris-02:30-fall",
        "new-york-02:30-spring",
        "new-york-02:30-fall",
        "new-york-01:30-fall",
        "paris-09:30-spring",
        "paris-09:30-fall",
        "new-york-09:30-spring",
        "new-york-09:30-fall",
    ],
)
def test_daily_posts_once_a_day_across_dst(
    tz: str, at: time, start: datetime, expected: list[datetime]
) -> None:
    schedule = Schedule(EVERY_DAY, at, tz)
    assert week_of_occurrences(schedule, start) == expected
    # One post per local date, each on its own consecutive day.
    first = local_date(expected[0], tz)
    days = [first + timedelta(days=n) for n in range(7)]
    assert [occurrence_on(schedule, d) for d in days] == expected
    assert due_occurrences(schedule, start, expected[-1]) == list(zip(days, expected, strict=True))


def test_the_spring_forward_post_is_at_the_first_minute_after_the_gap() -> None:
    schedule = Schedule(EVERY_DAY, time(2, 30), PARIS)
    instant = occurrence_on(schedule, date(2026, 3, 29))
    assert instant == utc(2026, 3, 29, 1, 0)
    local = instant.astimezone(zone(PARIS))
    assert (local.hour, local.minute, local.tzname()) == (3, 0, "CEST")


def test_occurrences_are_aware_utc() -> None:
    instant = next_occurrence(Schedule(EVERY_DAY, time(9, 0), PARIS), utc(2026, 3, 29))
    assert instant.utcoffset() == timedelta(0)


def test_next_occurrence_is_strictly_after() -> None:
    schedule = Schedule(EVERY_DAY, time(9, 0), "UTC")
    assert next_occurrence(schedule, utc(2026, 3, 2, 9, 0)) == utc(2026, 3, 3, 9, 0)
    assert next_occurrence(schedule, utc(2026, 3, 2, 8, 59)) == utc(2026, 3, 2, 9, 0)


def test_next_occurrence_uses_the_local_date_not_the_utc_one() -> None:
    # 23:30 UTC Sunday is already 08:30 Monday in Tokyo: Monday's 09:00 post is still ahead.
    schedule = Schedule(WEEKDAYS, time(9, 0), "Asia/Tokyo")
    assert next_occurrence(schedule, utc(2026, 3, 1, 23, 30)) == utc(2026, 3, 2, 0, 0)


def test_next_occurrence_needs_an_aware_datetime() -> None:
    naive = datetime(2026, 3, 2, 9, 0)  # noqa: DTZ001 - deliberately naive
    with pytest.raises(ValueError, match="timezone-aware"):
        next_occurrence(Schedule(EVERY_DAY, time(9, 0), "UTC"), naive)


def test_weekdays_skip_the_weekend() -> None:
    schedule = Schedule(WEEKDAYS, time(9, 0), "UTC")
    # Friday 2026-03-06 after the post: next is Monday 2026-03-09.
    assert week_of_occurrences(schedule, utc(2026, 3, 6, 10, 0), count=6) == [
        utc(2026, 3, 9, 9, 0),
        utc(2026, 3, 10, 9, 0),
        utc(2026, 3, 11, 9, 0),
        utc(2026, 3, 12, 9, 0),
        utc(2026, 3, 13, 9, 0),
        utc(2026, 3, 16, 9, 0),
    ]


def test_mon_wed_fri() -> None:
    schedule = parse_schedule("mon,wed,fri 17:00 America/New_York", None)
    assert isinstance(schedule, Schedule)
    # Sunday 2026-03-01; EDT starts on 2026-03-08, moving 17:00 from 22:00 to 21:00 UTC.
    assert week_of_occurrences(schedule, utc(2026, 3, 1), count=6) == [
        utc(2026, 3, 2, 22, 0),
        utc(2026, 3, 4, 22, 0),
        utc(2026, 3, 6, 22, 0),
        utc(2026, 3, 9, 21, 0),
        utc(2026, 3, 11, 21, 0),
        utc(2026, 3, 13, 21, 0),
    ]


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (date(2026, 3, 2), utc(2026, 3, 2, 8, 30)),  # Monday
        (date(2026, 3, 3), None),  # Tuesday
        (date(2026, 3, 4), utc(2026, 3, 4, 8, 30)),  # Wednesday
        (date(2026, 3, 7), None),  # Saturday
        (date(2026, 3, 8), None),  # Sunday
    ],
)
def test_occurrence_on(local: date, expected: datetime | None) -> None:
    assert occurrence_on(Schedule(MWF, time(9, 30), PARIS), local) == expected


def test_due_occurrences_after_a_three_day_outage() -> None:
    # Down from Friday 2026-03-27 07:00 UTC to Monday 2026-03-30 10:00 UTC, across the weekend
    # and the Paris spring forward.
    weekdays = Schedule(WEEKDAYS, time(9, 30), PARIS)
    daily = Schedule(EVERY_DAY, time(9, 30), PARIS)
    down, up = utc(2026, 3, 27, 7, 0), utc(2026, 3, 30, 10, 0)
    assert due_occurrences(weekdays, down, up) == [
        (date(2026, 3, 27), utc(2026, 3, 27, 8, 30)),
        (date(2026, 3, 30), utc(2026, 3, 30, 7, 30)),
    ]
    assert due_occurrences(daily, down, up) == [
        (date(2026, 3, 27), utc(2026, 3, 27, 8, 30)),
        (date(2026, 3, 28), utc(2026, 3, 28, 8, 30)),
        (date(2026, 3, 29), utc(2026, 3, 29, 7, 30)),
        (date(2026, 3, 30), utc(2026, 3, 30, 7, 30)),
    ]


def test_due_occurrences_bounds() -> None:
    schedule = Schedule(EVERY_DAY, time(9, 0), "UTC")
    post = utc(2026, 3, 2, 9, 0)
    # (last_checked, now]: a post exactly at last_checked was handled; one exactly now is due.
    assert due_occurrences(schedule, post, post + timedelta(hours=1)) == []
    assert due_occurrences(schedule, post - timedelta(hours=1), post) == [(date(2026, 3, 2), post)]
    assert due_occurrences(schedule, post, post) == []
    assert due_occurrences(schedule, post, post - timedelta(days=2)) == []


@pytest.mark.parametrize(
    ("late", "expected"),
    [
        (timedelta(0), True),
        (timedelta(hours=1, minutes=59), True),
        (timedelta(hours=2), True),
        (timedelta(hours=2, minutes=1), False),
        (timedelta(days=3), False),
    ],
)
def test_should_catch_up(late: timedelta, expected: bool) -> None:
    instant = utc(2026, 3, 30, 7, 30)
    assert timedelta(hours=2) == GRACE
    assert should_catch_up(instant, instant + late) is expected


# --- Weekly helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "monday"),
    [
        (date(2026, 3, 2), date(2026, 3, 2)),
        (date(2026, 3, 4), date(2026, 3, 2)),
        (date(2026, 3, 8), date(2026, 3, 2)),
        (date(2026, 3, 9), date(2026, 3, 9)),
        (date(2026, 1, 1), date(2025, 12, 29)),
    ],
)
def test_week_start(local: date, monday: date) -> None:
    assert week_start(local) == monday


def test_next_weekly_is_monday_00_05_in_the_channel_zone() -> None:
    # Sunday 2026-03-29 in Paris (CEST from that day): Monday 00:05 CEST is Sunday 22:05 UTC.
    assert next_weekly(utc(2026, 3, 29, 12, 0), PARIS) == utc(2026, 3, 29, 22, 5)
    assert next_weekly(utc(2026, 3, 29, 22, 5), PARIS) == utc(2026, 4, 5, 22, 5)
    assert next_weekly(utc(2026, 3, 2), "UTC", weekday=4, at=time(18, 0)) == utc(2026, 3, 6, 18)


# --- Existing helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opened", "close_time", "minutes", "expected"),
    [
        # 17:00 CET the same day: posted at 09:00 CET.
        (utc(2026, 3, 2, 8, 0), time(17, 0), None, utc(2026, 3, 2, 16, 0)),
        # Posted at 16:30 CET, less than an hour before 17:00: the next day.
        (utc(2026, 3, 2, 15, 30), time(17, 0), None, utc(2026, 3, 3, 16, 0)),
        # Exactly an hour before is still today.
        (utc(2026, 3, 2, 15, 0), time(17, 0), None, utc(2026, 3, 2, 16, 0)),
        # Already past 09:00 local: tomorrow.
        (utc(2026, 3, 2, 12, 0), time(9, 0), None, utc(2026, 3, 3, 8, 0)),
        # A fixed time wins over minutes.
        (utc(2026, 3, 2, 8, 0), time(17, 0), 30, utc(2026, 3, 2, 16, 0)),
        (utc(2026, 3, 2, 8, 0), None, 90, utc(2026, 3, 2, 9, 30)),
        (utc(2026, 3, 2, 8, 0), None, None, utc(2026, 3, 2, 16, 0)),
    ],
)
def test_closes_at(
    opened: datetime, close_time: time | None, minutes: int | None, expected: datetime
) -> None:
    assert closes_at(opened, PARIS, close_time, minutes) == expected


def test_default_close_is_eight_hours() -> None:
    assert DEFAULT_CLOSE_MINUTES == 480


@pytest.mark.parametrize(
    ("moment", "now", "text"),
    [
        (utc(2026, 3, 2, 16, 0), utc(2026, 3, 2, 9, 0), "today 17:00 CET"),
        (utc(2026, 3, 3, 16, 0), utc(2026, 3, 2, 9, 0), "Tue 3 Mar, 17:00 CET"),
        (utc(2026, 3, 3, 16, 0), None, "Tue 3 Mar, 17:00 CET"),
        # 23:30 UTC Monday is already Tuesday in Paris.
        (utc(2026, 3, 2, 23, 30), utc(2026, 3, 2, 9, 0), "Tue 3 Mar, 00:30 CET"),
        (utc(2026, 3, 30, 15, 0), utc(2026, 3, 30, 6, 0), "today 17:00 CEST"),
    ],
)
def test_format_local(moment: datetime, now: datetime | None, text: str) -> None:
    assert format_local(moment, PARIS, now) == text


def test_zone_falls_back_to_utc() -> None:
    assert zone(None).key == "UTC"
    assert zone("Not/AZone").key == "UTC"
    assert zone(PARIS).key == PARIS
    assert local_date(utc(2026, 3, 2, 23, 30), PARIS) == date(2026, 3, 3)
