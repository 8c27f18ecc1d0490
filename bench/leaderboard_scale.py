"""Leaderboard scale: boards, team standings and stats over ~1,000,000 stored answers (SPEC §7).

Loads one year of synthetic play (20,000 people, 2,000 channels in 60 workspaces) into a
throwaway SQLite file under /tmp and a throwaway schema of the PostgreSQL `test` database
(dropped at the end), with bulk inserts (executemany / COPY), then times the real use cases the
slash commands and App Home run, each beside a naive baseline measured in the same run:

- week, month and all-time board of the busiest channels (top 10, the caller's own rank, streaks
  and participant count: everything `/qotd leaderboard` reads) — baseline: the channel's rows
  loaded as ORM objects and ranked in Python;
- team standings of the biggest workspace (`/qotd teams`) — baseline: the workspace's answers
  of the month loaded as ORM objects and averaged in Python;
- a person's stats (`/qotd stats`, what App Home shows too) for the most active people —
  baseline: their answers and posts loaded as ORM objects and summed in Python.

The distribution is skewed like real use: one big workspace (600 channels, 7,000 people) and 59
small ones (~24 channels, ~220 people each); channel activity follows a Zipf law inside each
workspace, the big one's channels weighing 6 times more (its busiest channel: ~15,700 answers a
year from ~300 members; the big workspace holds about a fifth of all answers), and people
answer at their own rate (beta-distributed). Questions are posted on weekdays at 09:00 in the
channel's timezone (2 % skipped); 2 % of answers are late, 1 % copies, 0.5 % deleted.

    python bench/leaderboard_scale.py [--answers 1000000] [--repeat 40] [--sqlite-only]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.app import build_deps  # noqa: E402
from bot.config import load_settings, normalise_database_url  # noqa: E402
from bot.db.engine import make_engine  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import Answer, Channel, QuestionPost  # noqa: E402
from bot.deps import Deps  # noqa: E402
from bot.domain.bank import Bank  # noqa: E402
from bot.domain.boards import competition_ranks, period_window  # noqa: E402
from bot.domain.scoring import points_for  # noqa: E402
from bot.slack.gateway import make_web_client  # noqa: E402
from bot.usecases import boards  # noqa: E402

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday: the week board holds today only
DAYS = 365
PEOPLE = 20_000
CHANNELS = 2_000
BIG_CHANNELS, BIG_PEOPLE = 600, 7_000
SMALL_WORKSPACES = 59
ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)
BIG_WEIGHT = 6.0
PARTICIPATION = 0.2  # a member answers 1 question in 5 on average
SEED = 20261123


class FixedClock:
    """The benchmark's "now"."""

    def now(self) -> datetime:
        return NOW


@dataclass(frozen=True)
class ChannelPlan:
    """One channel: ids, zone, members with their answer rate, expected answers a year."""

    pk: int
    workspace_pk: int
    channel_id: str
    zone: str
    members: tuple[str, ...]
    rates: tuple[float, ...]


def plan(answers: int) -> tuple[list[tuple[int, str]], list[ChannelPlan]]:
    """Workspaces and channels (deterministic for a seed); answers set each channel's size."""
    rng = random.Random(SEED)
    workspaces = [(1, "TBIG00001")] + [(w + 2, f"TS{w:07d}") for w in range(SMALL_WORKSPACES)]
    small_channels = CHANNELS - BIG_CHANNELS
    small_people = PEOPLE - BIG_PEOPLE
    layout: list[tuple[int, int, int, int]] = [(1, BIG_CHANNELS, 0, BIG_PEOPLE)]  # ws, n, first, n
    for w in range(SMALL_WORKSPACES):
        c0, c1 = (k * small_channels // SMALL_WORKSPACES for k in (w, w + 1))
        p0, p1 = (k * small_people // SMALL_WORKSPACES for k in (w, w + 1))
        layout.append((w + 2, c1 - c0, BIG_PEOPLE + p0, p1 - p0))
    weights: list[tuple[int, int, float, int, int]] = []  # ws, index, weight, first person, n
    for ws, n, first, count in layout:
        # The big workspace's channels are cohorts of hundreds; the busiest gets ~15,700 answers.
        factor = BIG_WEIGHT if ws == 1 else 1.0
        weights += [(ws, i, factor / (i + 1) ** 0.8, first, count) for i in range(n)]
    total_weight = sum(w for _, _, w, _, _ in weights)
    posts_a_year = sum(1 for d in range(DAYS) if (NOW.date() - timedelta(d)).weekday() < 5)
    channels = []
    for pk, (ws, i, weight, first, count) in enumerate(weights, start=1):
        expected = answers * weight / total_weight
        size = min(count, max(3, round(expected / posts_a_year / PARTICIPATION)))
        people = rng.sample(range(first, first + count), size)
        raw = [rng.betavariate(1.2, 2.0) for _ in people]
        scale = expected / posts_a_year / sum(raw)
        channels.append(
            ChannelPlan(
                pk,
                ws,
                f"C{ws:03d}{i:05d}",
                ZONES[(ws + i) % len(ZONES)],
                tuple(f"U{p:08d}" for p in people),
                tuple(min(1.0, r * scale) for r in raw),
            )
        )
    return workspaces, channels


@cache
def calendar(zone: str) -> tuple[tuple[int, date, datetime], ...]:
    """(day offset, local date, 09:00 local in UTC) of every weekday question up to NOW."""
    found = []
    for offset, d in enumerate(range(DAYS, -1, -1)):
        day = NOW.date() - timedelta(d)
        opened = datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo(zone)).astimezone(UTC)
        if day.weekday() < 5 and opened <= NOW:
            found.append((offset, day, opened))
    return tuple(found)


def posts_of(ch: ChannelPlan) -> Iterator[tuple[int, date, datetime, str]]:
    """(post id, local date, opened_at, status) for a channel's year of weekday questions."""
    rng = random.Random(SEED * 7 + ch.pk)
    last = len(calendar(ch.zone)) - 1
    for i, (offset, day, opened) in enumerate(calendar(ch.zone)):
        status = "skipped" if rng.random() < 0.02 else ("open" if i == last else "closed")
        yield ch.pk * 1000 + offset, day, opened, status


def answers_of(ch: ChannelPlan) -> Iterator[tuple[Any, ...]]:
    """(post, user, score, points, late, copied, answered_at, deleted_at) rows of a channel."""
    rng = random.Random(SEED * 13 + ch.pk)
    for post_id, _day, opened, status in posts_of(ch):
        if status == "skipped":
            continue
        for user, rate in zip(ch.members, ch.rates, strict=True):
            if rng.random() >= rate:
                continue
            late = rng.random() < 0.02
            copied = not late and rng.random() < 0.01
            score = max(0, min(100, int(rng.gauss(62, 22))))
            # Before the 8-hour close, or (late) up to 20 hours after posting.
            minutes = rng.randint(8 * 60 + 1, 20 * 60) if late else rng.randint(1, 8 * 60 - 1)
            at = opened + timedelta(minutes=minutes, seconds=rng.randint(0, 59))
            if at > NOW:
                continue
            deleted = at + timedelta(minutes=3) if rng.random() < 0.005 else None
            points = points_for(score, late=late, copied=copied)
            yield (post_id, user, score, points, late, copied, at, deleted)


# -- loading ---------------------------------------------------------------------------------

POST_COLUMNS = (
    "id",
    "channel_pk",
    "question_id",
    "local_date",
    "scheduled_date",
    "status",
    "slack_ts",
    "due_at",
    "opened_at",
    "closes_at",
    "closed_at",
    "created_at",
)
ANSWER_COLUMNS = (
    "post_id",
    "channel_pk",
    "workspace_id",
    "user_id",
    "text",
    "score",
    "covered",
    "key_point_count",
    "points",
    "late",
    "copied",
    "private",
    "first_answered_at",
    "answered_at",
    "deleted_at",
    "revision",
)


def post_rows(ch: ChannelPlan, question_ids: list[str]) -> Iterator[tuple[Any, ...]]:
    for post_id, day, opened, status in posts_of(ch):
        posted = status != "skipped"
        closes = opened + timedelta(hours=8)
        yield (
            post_id, ch.pk, question_ids[post_id % len(question_ids)], day, day, status,
            f"{opened.timestamp():.6f}" if posted else None, opened, opened if posted else None,
            closes, closes if status == "closed" else None, opened,
        )  # fmt: skip


def answer_rows(ch: ChannelPlan) -> Iterator[tuple[Any, ...]]:
    for post, user, score, points, late, copied, at, deleted in answers_of(ch):
        yield (
            post,
            ch.pk,
            ch.workspace_pk,
            user,
            "an answer",
            score,
            "[]",
            6,
            points,
            late,
            copied,
            False,
            at,
            at,
            deleted,
            1,
        )


@cache
def sqlite_time(value: datetime | date) -> str:
    """SQLAlchemy's SQLite storage of an aware datetime (naive UTC text) or of a date."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat()


def sqlite_value(value: Any) -> Any:
    """What SQLAlchemy's SQLite dialect stores: text for datetimes and dates, 0/1 for booleans."""
    if isinstance(value, date):  # datetimes too
        return sqlite_time(value)
    if isinstance(value, bool):
        return int(value)
    return value


def load(
    engine: Engine, workspaces: list[tuple[int, str]], channels: list[ChannelPlan], bank: Bank
) -> int:
    """Bulk-insert everything; return the number of answers stored."""
    question_ids = [q.id for q in bank.questions]
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        sqlite = engine.dialect.name == "sqlite"
        ws_rows = [(pk, team, NOW - timedelta(days=DAYS + 1)) for pk, team in workspaces]
        ch_rows = [
            (
                c.pk,
                c.workspace_pk,
                c.channel_id,
                "0,1,2,3,4",
                "09:00:00.000000",
                c.zone,
                NOW - timedelta(days=DAYS + 1),
                NOW,
                NOW,
            )
            for c in channels
        ]
        if sqlite:
            cur.execute("PRAGMA synchronous = OFF")
            cur.execute("PRAGMA cache_size = -262144")  # 256 MB: index pages stay in memory
            cur.execute("BEGIN")
            cur.executemany(
                "INSERT INTO workspaces (id, team_id, created_at) VALUES (?, ?, ?)",
                [tuple(map(sqlite_value, r)) for r in ws_rows],
            )
            cur.executemany(
                "INSERT INTO channels (id, workspace_id, channel_id, schedule_days, schedule_time,"
                " timezone, schedule_since, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                [tuple(map(sqlite_value, r)) for r in ch_rows],
            )
            cur.executemany(
                f"INSERT INTO question_posts ({', '.join(POST_COLUMNS)}) VALUES "
                f"({', '.join('?' * len(POST_COLUMNS))})",
                (tuple(map(sqlite_value, r)) for c in channels for r in post_rows(c, question_ids)),
            )
            cur.executemany(
                f"INSERT INTO answers ({', '.join(ANSWER_COLUMNS)}) VALUES "
                f"({', '.join('?' * len(ANSWER_COLUMNS))})",
                (tuple(map(sqlite_value, r)) for c in channels for r in answer_rows(c)),
            )
            raw.commit()
            cur.execute("ANALYZE")
            cur.execute("PRAGMA synchronous = NORMAL")
        else:
            with cur.copy("COPY workspaces (id, team_id, created_at) FROM STDIN") as copy:
                for r in ws_rows:
                    copy.write_row(r)
            with cur.copy(
                "COPY channels (id, workspace_id, channel_id, schedule_days, schedule_time, "
                "timezone, schedule_since, created_at, updated_at) FROM STDIN"
            ) as copy:
                for r in ch_rows:
                    copy.write_row(r)
            with cur.copy(f"COPY question_posts ({', '.join(POST_COLUMNS)}) FROM STDIN") as copy:
                for c in channels:
                    for r in post_rows(c, question_ids):
                        copy.write_row(r)
            with cur.copy(f"COPY answers ({', '.join(ANSWER_COLUMNS)}) FROM STDIN") as copy:
                for c in channels:
                    for r in answer_rows(c):
                        copy.write_row(r)
            raw.commit()
            # VACUUM sets the visibility map, so covering indexes give index-only scans at once
            # (autovacuum does the same in production, a little later).
            raw.driver_connection.autocommit = True
            cur.execute("VACUUM ANALYZE answers")
            cur.execute("ANALYZE")
        cur.execute("SELECT count(*) FROM answers")
        return int(cur.fetchone()[0])
    finally:
        raw.close()


# -- naive baselines: the same answers computed in Python from loaded rows --------------------


def naive_board(deps: Deps, channel_pk: int, channel_id: str, period: str) -> list[tuple[int, str]]:
    """The board from every row of the channel, loaded as ORM objects and ranked in Python."""
    with deps.session_factory() as s:
        window = period_window(period, NOW, s.get_one(Channel, channel_pk).timezone)
        rows = s.scalars(select(Answer).where(Answer.channel_pk == channel_pk)).all()
        totals: dict[str, list[Any]] = {}
        for a in rows:
            counts = not (a.late or a.copied or a.deleted_at)
            if counts and window.start <= a.answered_at < window.end:
                t = totals.setdefault(a.user_id, [0, 0, a.first_answered_at])
                t[0] += a.points
                t[1] += 1
                t[2] = min(t[2], a.first_answered_at)
        ordered = sorted(totals.items(), key=lambda kv: (-kv[1][0], kv[1][2], kv[0]))
        ranks = competition_ranks([t[0] for _, t in ordered])
        return [(r, u) for r, (u, _) in zip(ranks, ordered, strict=True)][:10]


def naive_teams(deps: Deps, workspace_pk: int) -> list[tuple[str, float]]:
    """Standings from the workspace's answers of the month, loaded as ORM objects."""
    start = NOW - timedelta(days=40)
    with deps.session_factory() as s:
        zones = dict(s.execute(select(Channel.id, Channel.timezone)).all())
        rows = s.scalars(
            select(Answer).where(Answer.workspace_id == workspace_pk, Answer.answered_at >= start)
        ).all()
        per: dict[int, tuple[int, set[str]]] = defaultdict(lambda: (0, set()))
        for a in rows:
            window = period_window("month", NOW, zones[a.channel_pk])
            if not (a.late or a.copied or a.deleted_at) and window.start <= a.answered_at:
                points, people = per[a.channel_pk]
                people.add(a.user_id)
                per[a.channel_pk] = (points + a.points, people)
        return sorted(((str(pk), p / len(u)) for pk, (p, u) in per.items()), key=lambda t: -t[1])


def naive_stats(deps: Deps, workspace_pk: int, user_id: str) -> tuple[int, dict[str, int]]:
    """A person's points and per-topic answers, from ORM rows and their posts."""
    with deps.session_factory() as s:
        rows = s.scalars(
            select(Answer).where(Answer.workspace_id == workspace_pk, Answer.user_id == user_id)
        ).all()
        topics: dict[str, int] = defaultdict(int)
        points = 0
        for a in rows:
            post = s.get_one(QuestionPost, a.post_id)
            question = deps.bank.get(post.question_id)
            if question and not (a.copied or a.deleted_at):
                topics[question.topic] += 1
            points += 0 if (a.late or a.copied or a.deleted_at) else a.points
        return points, topics


# -- timing ----------------------------------------------------------------------------------


def timed(fn: Callable[[int], object], repeat: int) -> tuple[float, float, float]:
    """p50 and p95 wall-clock milliseconds over `repeat` calls (`fn` gets the call's index), and
    the p50 CPU milliseconds of this process (on a loaded machine, what an idle core would take
    for the in-process part: all of it with SQLite, the client side only with PostgreSQL)."""
    fn(0)  # warm the caches and the pool
    samples, cpu = [], []
    for i in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, math.ceil(0.95 * len(samples)) - 1)]
    return statistics.median(samples), p95, statistics.median(cpu)


Timings = tuple[float, float, float]


def measure(
    deps: Deps, channels: list[ChannelPlan], repeat: int
) -> list[tuple[str, Timings, Timings]]:
    """Each operation and its baseline: (name, (p50, p95) ours, (p50, p95) baseline)."""
    big = [c for c in channels if c.workspace_pk == 1]
    with deps.session_factory() as s:
        busiest = [
            pk
            for pk, _n in s.execute(
                select(Answer.channel_pk, func.count())
                .group_by(Answer.channel_pk)
                .order_by(func.count().desc())
                .limit(5)
            ).all()
        ]
        people = list(
            s.scalars(
                select(Answer.user_id)
                .where(Answer.workspace_id == 1)
                .group_by(Answer.user_id)
                .order_by(func.count().desc())
                .limit(5)
            )
        )
        hot_count = s.scalar(select(func.count()).where(Answer.channel_pk == busiest[0]))
        big_count = s.scalar(select(func.count()).where(Answer.workspace_id == 1))
    print(f"busiest channel: {hot_count:,} answers; biggest workspace: {big_count:,} answers")
    by_pk = {c.pk: c for c in channels}
    hot = [by_pk[pk] for pk in busiest]
    base_repeat = max(5, repeat // 4)
    results = []
    for period in ("week", "month", "all"):

        def ours(i: int, period: str = period) -> object:
            ch = hot[i % len(hot)]
            caller = ch.members[-1 - i % min(5, len(ch.members))]  # often outside the top 10
            return boards.leaderboard(deps, "TBIG00001", ch.channel_id, caller, period)

        def naive(i: int, period: str = period) -> object:
            ch = hot[i % len(hot)]
            return naive_board(deps, ch.pk, ch.channel_id, period)

        results.append((f"{period} board", timed(ours, repeat), timed(naive, base_repeat)))
    results.append(
        (
            "team standings",
            timed(lambda i: boards.teams(deps, "TBIG00001", big[0].channel_id), repeat),
            timed(lambda i: naive_teams(deps, 1), base_repeat),
        )
    )
    results.append(
        (
            "person stats",
            timed(
                lambda i: boards.stats(deps, "TBIG00001", big[0].channel_id, people[i % 5]),
                repeat,
            ),
            timed(lambda i: naive_stats(deps, 1, people[i % 5]), base_repeat),
        )
    )
    return results


def report(name: str, stored: int, load_s: float, rows: list[Any]) -> None:
    print(f"\n{name}: {stored:,} answers loaded in {load_s:.1f} s")
    heading = ("operation", "p50 ms", "p95 ms", "cpu p50", "naive p50", "naive p95", "ratio")
    print("{:<16} {:>8} {:>8} {:>8} {:>10} {:>10} {:>7}".format(*heading))
    for op, (p50, p95, cpu), (b50, b95, _bcpu) in rows:
        print(
            f"{op:<16} {p50:8.1f} {p95:8.1f} {cpu:8.1f} {b50:10.1f} {b95:10.1f} {b50 / p50:6.0f}x"
        )


def run(name: str, url: str, args: argparse.Namespace) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        settings = load_settings(None, {"DATABASE_URL": url}, env_file=None)
        deps = build_deps(
            settings, engine, make_web_client(None, settings.slack_api_url), clock=FixedClock()
        )
        workspaces, channels = plan(args.answers)
        start = time.perf_counter()
        stored = load(engine, workspaces, channels, deps.bank)
        load_s = time.perf_counter() - start
        report(name, stored, load_s, measure(deps, channels, args.repeat))
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1_000_000, help="about this many answers")
    parser.add_argument("--repeat", type=int, default=40, help="timed calls per operation")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    print(
        f"{PEOPLE:,} people, {CHANNELS:,} channels in {SMALL_WORKSPACES + 1} workspaces, "
        f"~{args.answers:,} answers over {DAYS} days; now = {NOW:%Y-%m-%d %H:%M} UTC"
    )

    path = Path("/tmp") / f"qotd-leaderboard-bench-{os.getpid()}.db"
    try:
        run("SQLite", f"sqlite:///{path}", args)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    if not args.sqlite_only:
        schema = f"bench_lb_{uuid.uuid4().hex[:10]}"
        admin = create_engine(normalise_database_url(args.pg_url))
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(normalise_database_url(args.pg_url)).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        try:
            run("PostgreSQL", url.render_as_string(hide_password=False), args)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
